import OptimistCore

/// Reads a subcommand's words against its declarations.
///
/// Options are long (`--name value` or `--name=value`); an option's value is the next word
/// whatever it looks like, so `--note --db` stores the text `--db` and `--amount -1` reaches
/// optimist's own check (exit 2). `--` ends the options; for a command with a remainder
/// (`edit ID -- CMD ARG…`) every word after it is the remainder's, taken as it is. `-h` or
/// `--help` where an option may stand asks for help.
enum Parser {
  enum Result {
    /// The declarations with the values found for each.
    case found([ArgumentSpec])
    case help

    var isHelp: Bool {
      if case .help = self { return true }
      return false
    }
  }

  static func parse(_ words: ArraySlice<String>, _ specs: [ArgumentSpec]) throws(UsageError)
    -> Result
  {
    var specs = specs
    var positionals: [String] = []
    var index = words.startIndex
    var optionsEnded = false
    let remainder = specs.firstIndex { $0.isRemainder }
    while index < words.endIndex {
      let word = words[index]
      index += 1
      if optionsEnded || word == "-" || !word.hasPrefix("-") {
        positionals.append(word)
        continue
      }
      if word == "--" {
        if let remainder {
          specs[remainder].values = Array(words[index...])
          break
        }
        optionsEnded = true
        continue
      }
      if word == "-h" || word == "--help" { return .help }
      var name = Substring(word)
      var inline: String?
      if let equals = word.firstIndex(of: "=") {
        name = word[..<equals]
        inline = String(word[word.index(after: equals)...])
      }
      guard name.hasPrefix("--"),
        let found = specs.firstIndex(where: { $0.kind != .positional && "--" + $0.name == name })
      else {
        throw unknownOption(String(name), specs)
      }
      let spec = specs[found]
      if spec.kind == .flag {
        guard inline == nil else { throw UsageError("\(spec.label) takes no value.") }
        specs[found].values = [""]
        continue
      }
      let value: String
      if let inline {
        value = inline
      } else {
        guard index < words.endIndex else { throw UsageError("Missing value for '\(spec.label)'.") }
        value = words[index]
        index += 1
      }
      if spec.kind == .repeated {
        specs[found].values.append(value)
      } else {
        specs[found].values = [value]
      }
    }
    var next = positionals.startIndex
    for (position, spec) in specs.enumerated() where spec.kind == .positional && !spec.isRemainder {
      guard next < positionals.endIndex else {
        if spec.isOptional { continue }
        throw UsageError("Missing expected argument '\(spec.label)'.")
      }
      specs[position].values = [positionals[next]]
      next += 1
    }
    if next < positionals.endIndex {
      let hint = remainder == nil ? "" : " The command to run goes after '--'."
      throw UsageError("Unexpected argument '\(positionals[next])'.\(hint)")
    }
    if let remainder, specs[remainder].values.isEmpty {
      throw UsageError("Missing expected argument '\(specs[remainder].label)'.")
    }
    for spec in specs where spec.kind == .required && spec.values.isEmpty {
      throw UsageError("Missing expected argument '\(spec.label)'.")
    }
    return .found(specs)
  }

  /// "Unknown option '--nme'. Did you mean '--name'?"
  static func unknownOption(_ name: String, _ specs: [ArgumentSpec]) -> UsageError {
    let names = specs.filter { $0.kind != .positional }.map { "--" + $0.name } + ["--help"]
    let suggestion = nearestName(to: name, in: names).map { " Did you mean '\($0)'?" } ?? ""
    return UsageError("Unknown option '\(name)'.\(suggestion)")
  }
}
