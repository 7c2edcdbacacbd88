import ArgumentParser

/// Reads a plain command line without ArgumentParser's reflection.
///
/// ArgumentParser builds each command from `Mirror` and runtime protocol-conformance lookups,
/// which in a static binary cost about ten times the rest of a `get` (see BENCHMARKS.md).
/// Scripts call optimist thousands of times with plain command lines, so those are read here:
/// the subcommand's long options as `--name value` pairs (the value taken as it is, even when
/// it starts with `-`, as the options' `.unconditional` parsing does) and its positional id.
/// Anything else — help, `--name=value`, a repeated single option, an unknown word, a
/// missing required option, a value `validate()` refuses — returns nil, and
/// ArgumentParser parses the command line instead, with its own errors and help. Tests check
/// that both give the same command for every option.
struct FastSyntax<Command: ParsableCommand> {
  /// How one option's value is stored. These are closures, not key paths: writing through a
  /// key path reads the property first, and an unparsed property wrapper cannot be read.
  enum Slot {
    case optional((inout Command, String?) -> Void)
    case required((inout Command, String) -> Void)
    case repeated((inout Command, [String]) -> Void)
  }

  let positional: ((inout Command, String) -> Void)?
  /// Pairs, not a dictionary: a handful of options is found faster by looking than by
  /// hashing, and a dictionary type costs a runtime conformance lookup at start-up.
  let slots: KeyValuePairs<String, Slot>
  let store: (inout Command, StoreOptions) -> Void

  init(
    positional: ((inout Command, String) -> Void)? = nil,
    options: KeyValuePairs<String, Slot> = [:],
    store: @escaping (inout Command, StoreOptions) -> Void
  ) {
    self.positional = positional
    self.slots = options
    self.store = store
  }

  /// The command, every property set, or nil when ArgumentParser must decide.
  func parse(_ arguments: ArraySlice<String>) -> Command? {
    var command = Command()
    var given: [(name: String, value: String)] = []
    var positionalValue: String?
    var index = arguments.startIndex
    while index < arguments.endIndex {
      let word = arguments[index]
      if word.hasPrefix("-") {
        guard slots.contains(where: { $0.key == word }) || word == "--db" || word == "--timeout",
          index + 1 < arguments.endIndex
        else { return nil }
        given.append((word, arguments[index + 1]))
        index += 2
      } else {
        guard positional != nil, positionalValue == nil else { return nil }
        positionalValue = word
        index += 1
      }
    }
    if let positional {
      guard let positionalValue else { return nil }
      positional(&command, positionalValue)
    }
    func values(_ name: String) -> [String] { given.filter { $0.name == name }.map(\.value) }
    for (name, slot) in slots {
      let values = values(name)
      switch slot {
      case .optional(let store):
        guard values.count <= 1 else { return nil }
        store(&command, values.first)
      case .required(let store):
        guard values.count == 1, let value = values.first else { return nil }
        store(&command, value)
      case .repeated(let store):
        store(&command, values)
      }
    }
    var options = StoreOptions()
    let db = values("--db")
    let timeout = values("--timeout")
    guard db.count <= 1, timeout.count <= 1 else { return nil }
    options.db = db.first
    if let timeout = timeout.first {
      guard let seconds = Double(timeout) else { return nil }
      options.timeout = seconds
    } else {
      options.timeout = StoreOptions.defaultTimeout
    }
    guard (try? options.validate()) != nil else { return nil }
    store(&command, options)
    return command
  }
}

/// A subcommand that `FastSyntax` can read.
protocol FastParsable: ParsableCommand {
  static var syntax: FastSyntax<Self> { get }
}

extension FastParsable {
  /// Parses a plain command line and runs the command; false when ArgumentParser must.
  static func runFast(_ arguments: ArraySlice<String>) -> Bool {
    guard var command = syntax.parse(arguments) else { return false }
    do {
      try command.run()
    } catch {
      exit(withError: error)
    }
    return true
  }
}
