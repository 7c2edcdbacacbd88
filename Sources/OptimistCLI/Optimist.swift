import COptimistBuild
import OptimistCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The command tree; `main()` is the whole program (the executable only calls it).
public enum Optimist {
  /// This optimist's version and commit (compiled in: Package.swift) and the SQLite library
  /// the executable registered, for `--version` and `doctor`.
  static var build: BuildInfo {
    BuildInfo(
      version: String(cString: optimist_build_version()),
      commit: String(cString: optimist_build_commit()), sqliteVersion: Engines.sqliteVersion?())
  }

  static let about = About(
    "optimist",
    abstract:
      "Versioned customers, catalog items and idempotent payments, in a local SQLite database or on PostgreSQL.",
    discussion: [
      "Every stored object carries a version that only optimist changes. update and delete refuse a stale version with VERSION_MISMATCH (exit \(ExitStatus.versionMismatch.code)) and change nothing: get the object again and retry. Past versions are kept (history, get --at-version) until prune-history removes them; wait blocks until another process changes an object. create-payment --key K charges at most once per key.",
      "JSON goes to stdout (indented and coloured on a terminal, compact when piped), Square-style error documents to stderr. Exit codes: "
        + exitCodes + ".",
    ],
    examples: ["optimist create-item --name Coffee", "optimist help update"])

  /// "0 success, 1 storage error, …": every exit status, for help and the man page.
  static var exitCodes: String {
    ExitStatus.allCases.map { "\($0.code) \($0.summary)" }.joined(separator: ", ")
  }

  /// Every subcommand, in the order help lists them.
  static let commands: [any Subcommand.Type] = [
    CreateCustomer.self, CreateItem.self, CreatePayment.self, Get.self, List.self, Update.self,
    Edit.self, Delete.self, Batch.self, History.self, Wait.self, Events.self, UpdatePayment.self,
    CompletePayment.self, CancelPayment.self, RefundPayment.self, PruneKeys.self, PruneHistory.self,
    PruneEvents.self, Doctor.self, Serve.self,
  ]

  /// The subcommand with this name. A switch, not a search of `commands`: the command a
  /// script runs is found without building that list.
  static func command(named name: String) -> (any Subcommand.Type)? {
    switch name {
    case CreateCustomer.about.name: return CreateCustomer.self
    case CreateItem.about.name: return CreateItem.self
    case CreatePayment.about.name: return CreatePayment.self
    case Get.about.name: return Get.self
    case List.about.name: return List.self
    case Update.about.name: return Update.self
    case Edit.about.name: return Edit.self
    case Delete.about.name: return Delete.self
    case Batch.about.name: return Batch.self
    case History.about.name: return History.self
    case Wait.about.name: return Wait.self
    case Events.about.name: return Events.self
    case UpdatePayment.about.name: return UpdatePayment.self
    case CompletePayment.about.name: return CompletePayment.self
    case CancelPayment.about.name: return CancelPayment.self
    case RefundPayment.about.name: return RefundPayment.self
    case PruneKeys.about.name: return PruneKeys.self
    case PruneHistory.about.name: return PruneHistory.self
    case PruneEvents.about.name: return PruneEvents.self
    case Doctor.about.name: return Doctor.self
    case Serve.about.name: return Serve.self
    default: return nil
    }
  }

  /// The options of `optimist` itself, for help and completions.
  static let rootOptions: [(String, String)] = [
    ("--version", "Show optimist's version, its commit and its SQLite version."),
    ("-h, --help", "Show help information."),
    ("--generate-completion-script <shell>", "Print the completion script for bash, zsh or fish."),
    ("--generate-manual", "Print the man page optimist.1 (roff)."),
  ]

  public static func main() {
    let arguments: ArraySlice<String>
    do throws(OptimistError) {
      arguments = try CommandLineText.words()[...]
    } catch {
      return emit(StoredAnswer(refusal: error))
    }
    Companion.install()
    guard let first = arguments.first else {
      printHelp(nil)
      return
    }
    if let command = command(named: first) {
      command.run(arguments.dropFirst())
      return
    }
    switch first {
    case "-h", "--help":
      printHelp(nil)
    case "--version":
      writeStdout(build.line + "\n")
    case "help":
      let name = arguments.dropFirst().first
      printHelp(name == "-h" || name == "--help" ? helpAbout.name : name)
    case "--generate-completion-script":
      guard let shell = arguments.dropFirst().first, let script = Completions.script(for: shell)
      else {
        fail(UsageError("--generate-completion-script needs bash, zsh or fish."), nil)
      }
      writeStdout(script)
    case "--generate-manual":
      writeStdout(Manual.page())
    default:
      let names = commands.map { $0.about.name } + ["help"]
      if first.hasPrefix("-") {
        let options = rootOptions.flatMap { option in
          option.0.split(separator: " ").compactMap { word in
            word.hasPrefix("--") ? String(word) : nil
          }
        }
        let suggestion =
          nearestName(to: first, in: options).map { " Did you mean '\($0)'?" } ?? ""
        fail(UsageError("Unknown option '\(first)'.\(suggestion)"), nil)
      }
      let suggestion = nearestName(to: first, in: names).map { " Did you mean '\($0)'?" } ?? ""
      fail(UsageError("Unknown command '\(first)'.\(suggestion)"), nil)
    }
  }

  /// What `optimist help help` says about `help`, listed with the commands.
  static let helpAbout = About(
    "help", abstract: "Show help for a command: optimist help <command>.",
    discussion: [
      "Without a command, the overview of optimist and its commands (as optimist --help). optimist help COMMAND is the same as optimist COMMAND --help."
    ],
    examples: ["optimist help update"])

  /// `help`'s one argument, for its help.
  static let helpDeclarations = [
    ArgumentSpec(
      name: "command", kind: .positional, valueName: "command",
      help: "The command to describe (default: all of them).", completion: .none,
      defaultValue: nil, isOptional: true)
  ]

  /// `optimist help [COMMAND]`: help on stdout, exit 0; an unknown command exits 64.
  static func printHelp(_ name: String?) {
    guard let name else {
      return writeStdout(
        Help.root(about, commands: commands.map { $0.about }, width: Terminal.width))
    }
    if name == helpAbout.name {
      return writeStdout(Help.command(helpAbout, helpDeclarations, width: Terminal.width))
    }
    guard let command = command(named: name) else {
      let suggestion =
        nearestName(to: name, in: commands.map { $0.about.name } + [helpAbout.name]).map {
          " Did you mean '\($0)'?"
        } ?? ""
      fail(UsageError("Unknown command '\(name)'.\(suggestion)"), nil)
    }
    writeStdout(Help.command(command.about, command.declarations, width: Terminal.width))
  }

  /// A malformed command line: the message and the usage on stderr, exit 64. The usage is
  /// wrapped as help wraps it.
  static func fail(_ error: UsageError, _ command: (any Subcommand.Type)?) -> Never {
    let usage: [String]
    let more: String
    if let command {
      usage = Help.usageLines(
        command.about.name, command.declarations, label: "Usage:",
        width: Terminal.width(of: STDERR_FILENO))
      more = "optimist \(command.about.name) --help"
    } else {
      usage = ["Usage: optimist <command> [<options>]"]
      more = "optimist --help"
    }
    let lines = ["Error: " + error.message] + usage
    _ = writeAll(
      lines.joined(separator: "\n") + "\n  See '\(more)' for more information.\n",
      to: STDERR_FILENO)
    exit(ExitStatus.malformedCommandLine.code)
  }
}
