/// What a command's `init` reads its options from; calling it also declares them.
///
/// A command declares each option exactly once, where it reads it:
/// `version = arguments.option("version", help: "…")`. `Optimist.main()` first calls the
/// command's `init` with arguments that only describe (every value absent), which lists its
/// options; then it parses the command line against that list, and calls `init` again with
/// the values found. Help, completions and the man page use the described list alone.
struct Arguments {
  /// Every option and positional declared so far, in order.
  private(set) var declared: [ArgumentSpec] = []
  /// The declarations with the values the parser found, by position; nil while only
  /// describing.
  private let parsed: [ArgumentSpec]?

  /// Arguments that only record the declarations.
  static var describing: Arguments { Arguments(parsed: nil) }

  /// Arguments that hand out the values of `parsed`, the declarations as the parser filled
  /// them in, in declaration order.
  init(parsed: [ArgumentSpec]) {
    self.init(parsed: Optional(parsed))
  }

  private init(parsed: [ArgumentSpec]?) {
    self.parsed = parsed
    declared.reserveCapacity(16)
  }

  /// Whether this is only the describing pass (nothing was parsed).
  var isDescribing: Bool { parsed == nil }

  private mutating func declare(
    _ name: String, _ kind: ArgumentSpec.Kind, value: String?, help: String,
    completion: Completion, defaultValue: String? = nil
  ) -> [String] {
    let index = declared.count
    declared.append(
      ArgumentSpec(
        name: name, kind: kind, valueName: value ?? name, help: help, completion: completion,
        defaultValue: defaultValue))
    guard let parsed, index < parsed.count else { return [] }
    // Values go by position: `init` must declare the same list on both passes.
    assert(parsed[index].name == name, "`\(name)` declared where `\(parsed[index].name)` was")
    return parsed[index].values
  }

  /// A required positional argument, e.g. an id.
  mutating func argument(_ name: String, help: String) -> String {
    declare(name, .positional, value: nil, help: help, completion: .none).last ?? ""
  }

  /// A positional argument that may be left out; nil when it is.
  mutating func optionalArgument(_ name: String, help: String) -> String? {
    let values = declare(name, .positional, value: nil, help: help, completion: .none)
    declared[declared.count - 1].isOptional = true
    return values.last
  }

  /// Every word after `--`, at least one: a command line to run (`edit ID -- CMD ARG…`).
  mutating func remainder(_ name: String, help: String) -> [String] {
    let values = declare(name, .positional, value: nil, help: help, completion: .none)
    declared[declared.count - 1].isRemainder = true
    return values
  }

  /// `--name value`, optional; `value` names the value in help (default: the name).
  mutating func option(
    _ name: String, value: String? = nil, help: String, completion: Completion = .none,
    defaultValue: String? = nil
  ) -> String? {
    declare(
      name, .optional, value: value, help: help, completion: completion,
      defaultValue: defaultValue
    ).last
  }

  /// `--name value`, required.
  mutating func required(
    _ name: String, value: String? = nil, help: String, completion: Completion = .none
  ) -> String {
    declare(name, .required, value: value, help: help, completion: completion).last ?? ""
  }

  /// `--name value`, repeatable; the values in the order given.
  mutating func repeated(
    _ name: String, value: String? = nil, help: String, completion: Completion = .none
  ) -> [String] {
    declare(name, .repeated, value: value, help: help, completion: completion)
  }

  /// `--name`, a flag without a value.
  mutating func flag(_ name: String, help: String) -> Bool {
    !declare(name, .flag, value: nil, help: help, completion: .none).isEmpty
  }
}
