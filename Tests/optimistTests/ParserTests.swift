import OptimistCore
import Testing

@testable import OptimistCLI

/// The parser and the declarations it reads, in process. What the built binary does with them
/// (help, completions, the man page, exit codes) is checked by the CLI tests.
@Suite struct ParserTests {
  static let id = "7WPM2YVQ4J5XGTNQ3SZ6ABCDEF"

  /// Parses `words` for `C` and returns the command `init` builds from the values.
  func parse<C: Subcommand>(_ type: C.Type, _ words: [String]) throws -> C {
    guard case .found(let parsed) = try Parser.parse(words[...], C.declarations) else {
      throw UsageError("help was asked for")
    }
    var arguments = Arguments(parsed: parsed)
    return try C(&arguments)
  }

  @Test func everyCommandDeclaresEachNameOnce() {
    for command in Optimist.commands {
      let names = command.declarations.map(\.name)
      #expect(Set(names).count == names.count, "\(command.about.name): \(names)")
      #expect(!names.contains("help"), "\(command.about.name)")
      #expect(names.contains("db") && names.contains("timeout"), "\(command.about.name)")
      // Every command but serve (one line, never to a terminal) prints JSON it may colour.
      #expect(names.contains("color") == (command != Serve.self), "\(command.about.name)")
    }
    // A name names one command (HelpTests runs each by the name help lists).
    let commandNames = Optimist.commands.map { $0.about.name }
    #expect(Set(commandNames).count == commandNames.count, "\(commandNames)")
  }

  /// `main()` finds a command with a switch; it must know every command in `commands`.
  @Test func everyCommandIsFoundByItsName() {
    for command in Optimist.commands {
      let found = Optimist.command(named: command.about.name)
      #expect(
        found.map(ObjectIdentifier.init) == ObjectIdentifier(command), "\(command.about.name)")
    }
    #expect(Optimist.command(named: "help") == nil)
  }

  /// Values are handed out by position: a command must declare the same list whatever the
  /// values are, or `init` would read another option's value.
  @Test func readingDeclaresWhatDescribingDeclared() throws {
    let words = [Self.id, "--version", "1", "--set", "note=x", "--unset", "note", "--db", "d"]
    guard case .found(let parsed) = try Parser.parse(words[...], Update.declarations) else {
      Issue.record("help was asked for")
      return
    }
    var arguments = Arguments(parsed: parsed)
    _ = try Update(&arguments)
    #expect(arguments.declared.map(\.name) == Update.declarations.map(\.name))
  }

  @Test func readsEveryKindOfOption() throws {
    let update = try parse(
      Update.self,
      [
        Self.id, "--version", "3", "--set", "note=a=b", "--unset", "email_address", "--set",
        "given_name=", "--db", "/tmp/x.db", "--timeout", "2.5", "--color", "never",
      ])
    #expect(update.id == Self.id)
    #expect(update.version == "3")
    #expect(update.assignments == ["note=a=b", "given_name="])
    #expect(update.removals == ["email_address"])
    #expect(update.options.db == "/tmp/x.db")
    #expect(update.options.timeout == 2.5)
    #expect(update.options.style == .compact)
  }

  @Test func absentOptionsAreNilAndTheTimeoutDefaults() throws {
    let list = try parse(List.self, [])
    #expect(list.type == nil && list.limit == nil && list.cursor == nil && !list.all)
    #expect(list.options.db == nil)
    #expect(list.options.timeout == StoreOptions.defaultTimeout)
  }

  @Test(
    arguments: [
      (["--name", "-5"], "-5", nil), (["--name", "--db", "--key", "-"], "--db", "-"),
      (["--name=--key"], "--key", nil),
    ] as [([String], String, String?)])
  func valuesThatStartWithADashAreValues(_ words: [String], _ name: String, _ key: String?) throws {
    let item = try parse(CreateItem.self, words)
    #expect(item.fields[0].1 == name)
    #expect(item.key == key)
    #expect(item.options.db == nil)
  }

  @Test func equalsJoinsAValueAndTheLastOfARepeatedSingleOptionWins() throws {
    let item = try parse(CreateItem.self, ["--name=Tea", "--key", "a", "--key=b"])
    #expect(item.fields[0].1 == "Tea")
    #expect(item.key == "b")
  }

  @Test func doubleDashEndsTheOptions() throws {
    let get = try parse(Get.self, ["--", "--db"])
    #expect(get.id == "--db")
  }

  /// After `--`, edit's command takes every word as it is: options, `--help`, another `--`.
  @Test func everyWordAfterDoubleDashIsTheCommands() throws {
    let edit = try parse(
      Edit.self, [Self.id, "--max-attempts", "3", "--", "jq", "-r", "--help", "--", "--db", "x"])
    #expect(edit.id == Self.id)
    #expect(edit.maxAttempts == "3")
    #expect(edit.command == ["jq", "-r", "--help", "--", "--db", "x"])
    #expect(edit.options.db == nil)
    let later = try parse(Edit.self, ["--key", "k", Self.id, "--db", "d", "--", "cat"])
    #expect(later.key == "k" && later.options.db == "d" && later.command == ["cat"])
  }

  @Test(arguments: [
    ([id], "Missing expected argument '-- <command> [<arg> ...]'."),
    ([id, "--"], "Missing expected argument '-- <command> [<arg> ...]'."),
    ([id, "jq", "."], "Unexpected argument 'jq'. The command to run goes after '--'."),
    (["--", "jq"], "Missing expected argument '<id>'."),
  ])
  func editNeedsItsCommandAfterDoubleDash(_ words: [String], _ message: String) {
    #expect(throws: UsageError(message)) { try parse(Edit.self, words) }
  }

  @Test(arguments: [["--help"], ["-h"], [id, "--help"], ["--db", "x", "-h"]])
  func helpIsAskedFor(_ words: [String]) throws {
    #expect(try Parser.parse(words[...], Get.declarations).isHelp)
  }

  @Test func aValueIsNeverTakenForHelp() throws {
    let get = try parse(Get.self, [Self.id, "--db", "--help"])
    #expect(get.options.db == "--help")
  }

  @Test(arguments: [
    ([String](), "Missing expected argument '<id>'."),
    ([id, id], "Unexpected argument '\(id)'."),
    ([id, "--db"], "Missing value for '--db <path>'."),
    ([id, "--bogus", "x"], "Unknown option '--bogus'."),
    ([id, "--tmeout", "1"], "Unknown option '--tmeout'. Did you mean '--timeout'?"),
    ([id, "--colour=never"], "Unknown option '--colour'. Did you mean '--color'?"),
    (["-x", id], "Unknown option '-x'."),
  ])
  func malformedCommandLinesAreUsageErrors(_ words: [String], _ message: String) {
    #expect(throws: UsageError(message)) { try parse(Get.self, words) }
  }

  /// A malformed `--timeout` or `--color` parses: it is a value, refused by optimist (exit 2)
  /// when the command runs, before the store is opened.
  @Test(arguments: [
    ([id, "--timeout", "soon"], "timeout", "soon"), ([id, "--timeout=-1"], "timeout", "-1"),
    ([id, "--timeout", "86401"], "timeout", "86401"),
    ([id, "--color", "sometimes"], "color", "sometimes"),
  ])
  func malformedValuesAreRefusals(_ words: [String], _ field: String, _ value: String) throws {
    let refusal = try #require(try parse(Get.self, words).options.refusal)
    #expect(refusal.field == field)
    #expect(refusal.document.contains("not `\(value)`"), "\(refusal.document)")
  }

  @Test func aMissingRequiredOptionIsAUsageError() {
    #expect(throws: UsageError("Missing expected argument '--older-than <duration>'.")) {
      try parse(PruneKeys.self, [])
    }
    #expect(throws: UsageError("--all takes no value.")) { try parse(List.self, ["--all=yes"]) }
    #expect(throws: UsageError("--all prints every object: leave out --limit.")) {
      try parse(List.self, ["--all", "--limit", "5"])
    }
  }

  @Test func suggestionsAreNearNamesOnly() {
    let names = ["create-customer", "create-item", "update", "delete", "help"]
    #expect(nearestName(to: "updte", in: names) == "update")
    #expect(nearestName(to: "UPDATE", in: names) == "update")
    #expect(nearestName(to: "create-itme", in: names) == "create-item")
    #expect(nearestName(to: "frobnicate", in: names) == nil)
    #expect(nearestName(to: "x", in: names) == nil)
  }

  /// A command as a new one would be written: one line declares its option.
  struct Probe: Subcommand {
    static let about = About("probe", abstract: "A command for this test.", examples: [])
    let shade: String?
    let options: StoreOptions

    init(_ arguments: inout Arguments) throws(UsageError) {
      shade = arguments.option(
        "shade", help: "A new option.", completion: .choices { ["light", "dark"] })
      options = StoreOptions(&arguments)
    }

    func run() {}
  }

  @Test func aNewOptionIsParsedAndInHelpUsageAndErrorsAtOnce() throws {
    #expect(try parse(Probe.self, ["--shade", "dark"]).shade == "dark")
    let help = Help.command(Probe.about, Probe.declarations, width: 80)
    #expect(help.contains("  --shade <shade>         A new option."))
    #expect(Help.usage("probe", Probe.declarations).hasPrefix("optimist probe [--shade <shade>]"))
    #expect(throws: UsageError("Unknown option '--shdae'. Did you mean '--shade'?")) {
      try parse(Probe.self, ["--shdae", "dark"])
    }
  }
}
