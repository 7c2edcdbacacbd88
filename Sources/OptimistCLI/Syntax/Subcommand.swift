/// A subcommand: what help says about it, its options (declared by reading them in `init`),
/// and `run()`.
protocol Subcommand: Sendable {
  static var about: About { get }
  /// Declares and reads every option and argument (see `Arguments`); throws only for values
  /// the command line's shape rules out (e.g. `--timeout soon`).
  init(_ arguments: inout Arguments) throws(UsageError)
  /// Does the work, prints the answer, and exits with a non-zero code if there is one.
  func run()
}

/// What help, the man page and completions say about a command.
struct About: Sendable {
  let name: String
  /// One sentence, shown in the list of commands and as the help's overview.
  let abstract: String
  /// Paragraphs, each one line of source: help wraps them to the terminal's width.
  let discussion: [String]
  /// Command lines shown under "Example:" (help) and in the man page.
  let examples: [String]

  init(_ name: String, abstract: String, discussion: [String] = [], examples: [String]) {
    self.name = name
    self.abstract = abstract
    self.discussion = discussion
    self.examples = examples
  }
}

/// A command line that does not fit its command's declarations: exit 64, usage on stderr.
struct UsageError: Error, Equatable {
  let message: String

  init(_ message: String) {
    self.message = message
  }
}

extension Subcommand {
  /// Every option and argument the command declares.
  static var declarations: [ArgumentSpec] {
    var arguments = Arguments.describing
    // Describing reads no value, so nothing can be refused (and `try?` would cost a
    // runtime instantiation of `Optional<Self>`).
    do throws(UsageError) { _ = try Self(&arguments) } catch {}
    return arguments.declared
  }
}

extension Subcommand {
  /// Parses the words after the command's name and runs the command.
  static func run(_ words: ArraySlice<String>) {
    let specs = declarations
    let parsed: [ArgumentSpec]
    do throws(UsageError) {
      switch try Parser.parse(words, specs) {
      case .help:
        Optimist.printHelp(about.name)
        return
      case .found(let specs):
        parsed = specs
      }
      var arguments = Arguments(parsed: parsed)
      let command = try Self(&arguments)
      command.run()
    } catch {
      Optimist.fail(error, Self.self)
    }
  }
}
