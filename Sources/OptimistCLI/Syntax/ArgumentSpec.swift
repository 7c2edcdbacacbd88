/// One option or positional argument of a command, as its command declares it.
///
/// This one declaration is all there is: the parser reads command lines with it, and help,
/// usage and error messages, the shell completion scripts and the man page are written from it.
struct ArgumentSpec: Sendable {
  enum Kind: Sendable, Equatable {
    /// A word that is not an option, e.g. the id of `get ID`; required unless `isOptional`.
    case positional
    /// `--name value`, at most once (a repeated one keeps the last value).
    case optional
    /// `--name value`, exactly once.
    case required
    /// `--name value`, any number of times, in order.
    case repeated
    /// `--name`, no value.
    case flag
  }

  /// The long name without its dashes (`db`), or a positional's name (`id`).
  let name: String
  let kind: Kind
  /// What the value is, as help shows it: `--db <path>`.
  let valueName: String
  /// One or more sentences; never hard-wrapped (help wraps it to the terminal).
  let help: String
  /// What a shell may offer for the value.
  let completion: Completion
  /// Shown in help as "Default: …".
  let defaultValue: String?
  /// A positional that may be left out (`cancel-payment [<id>] --key K`).
  var isOptional = false
  /// A positional that takes every word after `--`, at least one (`edit ID -- CMD ARG…`).
  var isRemainder = false
  /// The values the command line gave it, in order (a flag that is set: `[""]`); empty in
  /// the declarations themselves. Kept here rather than in a list of lists of its own: each
  /// generic array type costs the runtime an instantiation at start-up.
  var values: [String] = []

  /// How help and errors name it: `<id>`, `--db <path>`, `--all`.
  var label: String {
    switch kind {
    case .positional: return isRemainder ? "-- <\(valueName)> [<arg> ...]" : "<\(valueName)>"
    case .flag: return "--\(name)"
    case .optional, .required, .repeated: return "--\(name) <\(valueName)>"
    }
  }

  var takesValue: Bool { kind != .flag && kind != .positional }
}

/// What a shell may offer for an option's value.
enum Completion: Sendable {
  /// Anything: nothing is offered.
  case none
  /// A file name.
  case file
  /// One of these words (computed only when a completion script or the man page is written).
  case choices(@Sendable () -> [String])
}
