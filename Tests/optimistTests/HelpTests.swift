import Foundation
import OptimistCore
import Testing

@testable import OptimistCLI

/// Help is written from the declarations and reads well at any width.
@Suite struct HelpTests {
  let sandbox: Sandbox

  init() throws {
    sandbox = try Sandbox()
  }

  static let commands = Optimist.commands.map { $0.about.name }

  /// `optimist --help`, then `optimist COMMAND --help` for every command.
  static let helpCommandLines = [["--help"]] + commands.map { [$0, "--help"] }

  func help(_ arguments: [String], columns: Int) -> String {
    var environment = sandbox.environment
    environment["COLUMNS"] = String(columns)
    let result = sandbox.run(arguments, environment: environment)
    #expect(result.exitCode == 0, "\(result)")
    #expect(result.stderr.isEmpty, "\(result)")
    return result.out
  }

  /// Where a line's running text starts: after a two-column row's gap, else its indentation.
  static func textColumn(_ line: Substring) -> Int {
    let indent = line.prefix(while: { $0 == " " }).count
    var spaces = 0
    for (offset, character) in line.enumerated().dropFirst(indent) {
      if character == " " {
        spaces += 1
      } else {
        if spaces >= 2 { return offset }
        spaces = 0
      }
    }
    return indent
  }

  /// Pairs of lines where the first was broken although the next word would have fitted on
  /// it: the mark of text hard-wrapped in the source at another width.
  static func needlessBreaks(_ text: String, width: Int) -> [String] {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    var found: [String] = []
    for (line, next) in zip(lines, lines.dropFirst()) {
      guard !line.isEmpty, !next.isEmpty, !line.hasSuffix("\\") else { continue }
      let indent = next.prefix(while: { $0 == " " }).count
      // `next` continues `line`'s text only when it starts at the same column and is not
      // itself a new two-column row or a new example.
      guard indent == textColumn(line), textColumn(next) == indent,
        !next.dropFirst(indent).hasPrefix("optimist ")
      else { continue }
      // The first word, or the first `[--name <value>]` of a usage line.
      let rest = next.dropFirst(indent)
      let word =
        rest.hasPrefix("[")
        ? rest.prefix(through: rest.firstIndex(of: "]") ?? rest.index(before: rest.endIndex))
        : rest.prefix(while: { $0 != " " })
      if line.count + 1 + word.count <= width { found.append("\(line)⏎\(next)") }
    }
    return found
  }

  @Test(arguments: helpCommandLines, [80, 200])
  func helpIsWrappedOnlyWhereItMustBe(_ arguments: [String], _ columns: Int) {
    let width = min(columns, Help.maximumWidth)
    let text = help(arguments, columns: columns)
    for line in text.split(separator: "\n") {
      #expect(line.count <= width, "\(line.count) > \(width): \(line)")
      // Usage is wrapped between its parts, never inside `[--name <value>]`.
      #expect(
        line.filter { $0 == "[" }.count == line.filter { $0 == "]" }.count, "\(line)")
    }
    #expect(Self.needlessBreaks(text, width: width) == [], "\(arguments) at \(columns)")
  }

  @Test func theCheckFindsAHardWrap() {
    let text = "Some text that was wrapped\nin the source too early.\n"
    #expect(Self.needlessBreaks(text, width: 80).count == 1)
    #expect(Self.needlessBreaks(text, width: 28).isEmpty)
  }

  /// `help NAME`, `NAME --help` and `NAME -h` each print what the command is and how to call
  /// it, wrapped to `COLUMNS`, and touch no store.
  @Test(arguments: commands, [["help", "{}"], ["{}", "--help"], ["{}", "-h"]])
  func helpSaysWhatTheCommandIsAndHowToCallIt(_ name: String, _ spelling: [String]) throws {
    let command = try #require(Optimist.command(named: name))
    let text = help(spelling.map { $0 == "{}" ? name : $0 }, columns: 60)
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    // Wrapped text, read back as running text.
    func words(_ text: String) -> String {
      text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
    let flat = words(text)

    #expect(text.hasPrefix("OVERVIEW: "), "\(text)")
    #expect(flat.contains("OVERVIEW: " + words(command.about.abstract)), "\(text)")
    for paragraph in command.about.discussion {
      #expect(flat.contains(words(paragraph)), "\(name): \(paragraph)")
    }
    #expect(lines.contains { $0.hasPrefix("USAGE: optimist \(name)") }, "\(text)")
    for spec in command.declarations {
      #expect(lines.contains { $0.hasPrefix("  \(spec.label)") }, "\(name): \(spec.label)")
    }
    #expect(lines.contains { $0.hasPrefix("  -h, --help") }, "\(text)")
    // Wrapped to COLUMNS; only a piece that cannot be broken (a path, one
    // `[--name <value>]` of the usage) may stick out, alone on its line.
    for line in lines where line.count > 60 {
      let piece = line.drop { $0 == " " }
      let group = piece.hasPrefix("[") && piece.firstIndex(of: "]") == piece.indices.last
      #expect(!piece.contains(" ") || group, "\(line.count) > 60: \(line)")
    }
    #expect(!sandbox.storeExists())
  }

  /// Every command help lists is run by that name, has help and a section of the man page.
  @Test func everyListedCommandRunsByItsName() throws {
    let text = help(["--help"], columns: 200)
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    let start = try #require(lines.firstIndex(of: "COMMANDS:"))
    // A row is "  NAME  abstract"; its abstract's continuation lines are indented further.
    let listed = lines[(start + 1)...].prefix { !$0.isEmpty }
      .filter { $0.hasPrefix("  ") && !$0.hasPrefix("   ") }
      .compactMap { $0.split(separator: " ").first.map(String.init) }
    #expect(listed == Self.commands + ["help"])
    let manual = sandbox.run("--generate-manual")
    #expect(manual.exitCode == 0, "\(manual)")
    for name in Self.commands {
      #expect(help(["help", name], columns: 80).hasPrefix("OVERVIEW: "), "\(name)")
      // Run without its arguments: the command's own usage, not "Unknown command".
      let bare = sandbox.run([name, "--no-such-option"])
      bare.expectUsageError()
      #expect(bare.err.contains("Usage: optimist \(name)"), "\(bare)")
      #expect(manual.out.contains("\n.SS \(name.replacingOccurrences(of: "-", with: "\\-"))\n"))
    }
  }

  /// Every "exit N" that help mentions is an exit status optimist has.
  @Test func helpMentionsOnlyRealExitStatuses() {
    let texts =
      [help(["--help"], columns: 100)] + Self.commands.map { help(["help", $0], columns: 100) }
    let mentioned = texts.flatMap { $0.matches(of: /\bexits? (\d+)\b/).map { String($0.output.1) } }
    #expect(!mentioned.isEmpty)
    for code in mentioned {
      #expect(Int32(code).flatMap(ExitStatus.init(code:)) != nil, "exit \(code)")
    }
  }

  /// The root help and the man page list every exit status, in order, with help's words.
  @Test func helpAndTheManPageListEveryExitStatus() throws {
    let list =
      "Exit codes: "
      + ExitStatus.allCases.map { "\($0.code) \($0.summary)" }.joined(separator: ", ") + "."
    let flat = help(["--help"], columns: 80).split(whereSeparator: \.isWhitespace)
      .joined(separator: " ")
    #expect(flat.contains(list), "\(flat)")
    let manual = sandbox.run("--generate-manual").out.replacingOccurrences(of: "\\-", with: "-")
    #expect(manual.contains(list))
  }

  /// `--version` of update and delete is the object's version, listed once.
  @Test(arguments: ["update", "delete"])
  func versionIsListedOnce(_ command: String) {
    let text = help(["help", command], columns: 80)
    let rows = text.split(separator: "\n").filter { $0.hasPrefix("  --version") }
    #expect(rows.count == 1, "\(text)")
    #expect(rows.first?.contains("The version you read") == true, "\(text)")
  }

  /// A declaration is all it takes for an option to be in help, usage and its errors.
  @Test(arguments: commands)
  func everyDeclaredOptionIsInHelp(_ name: String) throws {
    let command = try #require(Optimist.commands.first { $0.about.name == name })
    let text = help([name, "--help"], columns: 200)
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    let start = try #require(lines.firstIndex { $0.hasPrefix("USAGE:") })
    let usage = lines[start...].prefix { !$0.isEmpty }.joined(separator: " ")
    for spec in command.declarations {
      #expect(text.contains("  \(spec.label)"), "\(name): \(spec.label)")
      #expect(usage.contains(spec.label), "\(name): \(spec.label)")
      if spec.kind == .positional { continue }
      let missing = sandbox.run([name, "--\(spec.name)x"])
      missing.expectUsageError()
      #expect(missing.err.contains("Did you mean '--\(spec.name)'?"), "\(missing)")
    }
  }

  @Test func rootHelpListsTheToolsOptions() {
    let text = help(["--help"], columns: 80)
    #expect(text.contains("  --version "))
    #expect(text.contains("  --generate-completion-script <shell>"))
    #expect(text.contains("  help "))
    #expect(help([], columns: 80) == text)
  }

  @Test(arguments: [
    (["updte"], "Unknown command 'updte'. Did you mean 'update'?"),
    (["create-itme", "--name", "x"], "Unknown command 'create-itme'. Did you mean 'create-item'?"),
    (["help", "lsit"], "Unknown command 'lsit'. Did you mean 'list'?"),
    (["--verison"], "Unknown option '--verison'. Did you mean '--version'?"),
    (["--versoin"], "Unknown option '--versoin'. Did you mean '--version'?"),
    (["--hlep"], "Unknown option '--hlep'. Did you mean '--help'?"),
    (["--frobnicate"], "Unknown option '--frobnicate'."),
    (["help", "hlep"], "Unknown command 'hlep'. Did you mean 'help'?"),
    (
      ["--generate-completion-script", "tcsh"],
      "--generate-completion-script needs bash, zsh or fish."
    ),
  ])
  func typosAreRefusedWithTheNearestName(_ arguments: [String], _ message: String) {
    let result = sandbox.run(arguments)
    result.expectUsageError()
    #expect(result.err.hasPrefix("Error: \(message)\n"), "\(result)")
    #expect(!sandbox.exists(sandbox.db))
  }

  @Test(arguments: [
    (["list", "--type", "item"], "type", "Did you mean `ITEM`?"),
    (["list", "--type", "CUSTOMERS"], "type", "Did you mean `CUSTOMER`?"),
    (
      ["create-payment", "--key", "k", "--amount", "1", "--currency", "usd", "--source-id", "s"],
      "amount_money.currency", "Did you mean `USD`?"
    ),
  ])
  func aMistypedValueSuggestsTheValue(_ arguments: [String], _ field: String, _ hint: String) {
    let result = sandbox.run(arguments)
    result.expectError(2, "INVALID_VALUE", field: .some(field))
    #expect((result.error?["detail"] as? String)?.hasSuffix(hint) == true, "\(result)")
    #expect(!sandbox.exists(sandbox.db))
  }

  @Test func aTypoedFieldSuggestsTheField() {
    let id = sandbox.create("create-customer", "--given-name", "Ada")
    let result = sandbox.run("update", id, "--set", "notee=VIP")
    result.expectError(2, "INVALID_VALUE", field: "notee")
    #expect(
      (result.error?["detail"] as? String)?.contains("Did you mean `note`?") == true, "\(result)")
  }

  /// `help` is listed under COMMANDS, so it has help of its own.
  @Test(arguments: [["help", "help"], ["help", "--help"]])
  func helpHasHelp(_ arguments: [String]) {
    let text = help(arguments, columns: 80)
    #expect(text.hasPrefix("OVERVIEW: Show help for a command"), "\(text)")
    #expect(text.contains("USAGE: optimist help [<command>]"), "\(text)")
    #expect(!sandbox.storeExists())
  }

  /// A parser error's usage is wrapped as help's is, at the same width, with the same parts.
  @Test(arguments: commands, [60, 100])
  func usageInAnErrorIsWrappedLikeHelp(_ name: String, _ columns: Int) throws {
    var environment = sandbox.environment
    environment["COLUMNS"] = String(columns)
    let result = sandbox.run([name, "--no-such-option"], environment: environment)
    result.expectUsageError()
    let lines = result.err.split(separator: "\n", omittingEmptySubsequences: false)
    let start = try #require(lines.firstIndex { $0.hasPrefix("Usage: ") })
    let usage = lines[start...].prefix { !$0.hasPrefix("  See ") }
    for line in usage {
      let piece = line.drop { $0 == " " }
      let group = piece.hasPrefix("[") && piece.firstIndex(of: "]") == piece.indices.last
      #expect(line.count <= columns || group, "\(line.count) > \(columns): \(line)")
    }
    let helpUsage = help([name, "--help"], columns: columns)
      .split(separator: "\n", omittingEmptySubsequences: false)
      .drop { !$0.hasPrefix("USAGE: ") }.prefix { !$0.isEmpty }
    #expect(usage.map { $0.dropFirst(7) } == helpUsage.map { $0.dropFirst(7) }, "\(result)")
  }

  /// get and list print refunds too, and their help says so.
  @Test func getAndListHelpMentionRefunds() {
    for name in ["get", "list"] {
      let flat = help(["help", name], columns: 100).split(whereSeparator: \.isWhitespace)
        .joined(separator: " ")
      #expect(flat.contains("refund"), "\(name): \(flat)")
    }
  }
}
