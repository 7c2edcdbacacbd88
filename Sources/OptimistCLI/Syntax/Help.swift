/// Help text, written from the declarations and wrapped to the terminal.
///
/// Source text is never hard-wrapped: each paragraph and each option's help is one string,
/// wrapped here at word boundaries to the width (`$COLUMNS`, else the terminal's, else 80;
/// at most 100, for readable lines on wide terminals). Examples that do not fit are
/// continued with ` \` so that they still paste into a shell.
enum Help {
  static let maximumWidth = 100
  /// Where the second column (an option's help) starts.
  static let column = 26

  /// `optimist COMMAND --help`.
  static func command(_ about: About, _ specs: [ArgumentSpec], width: Int) -> String {
    var out: [String] = []
    out += wrap("OVERVIEW: " + about.abstract, width: width)
    for paragraph in about.discussion {
      out.append("")
      out += wrap(paragraph, width: width)
    }
    out += examples(about.examples, width: width)
    out.append("")
    out += usageLines(about.name, specs, width: width)
    let positionals = specs.filter { $0.kind == .positional }
    if !positionals.isEmpty {
      out += ["", "ARGUMENTS:"]
      for spec in positionals { out += row(spec.label, spec.help, width: width) }
    }
    out += ["", "OPTIONS:"]
    for spec in specs where spec.kind != .positional {
      out += row(spec.label, describe(spec), width: width)
    }
    out += row("-h, --help", "Show help information.", width: width)
    return out.joined(separator: "\n") + "\n"
  }

  /// `optimist --help`.
  static func root(_ about: About, commands: [About], width: Int) -> String {
    var out: [String] = []
    out += wrap("OVERVIEW: " + about.abstract, width: width)
    for paragraph in about.discussion {
      out.append("")
      out += wrap(paragraph, width: width)
    }
    out += examples(about.examples, width: width)
    out += ["", "USAGE: optimist <command> [<options>]", "", "OPTIONS:"]
    for (label, help) in Optimist.rootOptions { out += row(label, help, width: width) }
    out += ["", "COMMANDS:"]
    for command in commands { out += row(command.name, command.abstract, width: width) }
    out += row("help", "Show help for a command: optimist help <command>.", width: width)
    return out.joined(separator: "\n") + "\n"
  }

  /// An option's help with what help adds to it: repeatable, the choices, the default.
  static func describe(_ spec: ArgumentSpec) -> String {
    var text = spec.help
    if spec.kind == .repeated { text += " Repeatable." }
    if spec.kind == .required { text += " Required." }
    if let value = spec.defaultValue { text += " Default: \(value)." }
    return text
  }

  /// The usage line, unwrapped: `optimist get <id> [--db <path>] …`.
  static func usage(_ name: String, _ specs: [ArgumentSpec]) -> String {
    (["optimist", name] + usageParts(specs)).joined(separator: " ")
  }

  static func usageParts(_ specs: [ArgumentSpec]) -> [String] {
    var parts: [String] = []
    for spec in specs {
      switch spec.kind {
      case .positional where spec.isRemainder:
        parts += ["--", "<\(spec.valueName)>", "[<arg> ...]"]
      case .positional: parts.append(spec.isOptional ? "[\(spec.label)]" : spec.label)
      case .required: parts.append(spec.label)
      case .optional, .flag: parts.append("[\(spec.label)]")
      case .repeated: parts.append("[\(spec.label) ...]")
      }
    }
    return parts
  }

  /// USAGE, wrapped between its parts (never inside `[--name <value>]`).
  /// `label` is help's `USAGE:`, or `Usage:` in a parser error.
  static func usageLines(
    _ name: String, _ specs: [ArgumentSpec], label: String = "USAGE:", width: Int
  ) -> [String] {
    let head = "\(label) optimist \(name)"
    return wrapParts(usageParts(specs), first: head, indent: head.count + 1, width: width)
  }

  private static func examples(_ examples: [String], width: Int) -> [String] {
    guard !examples.isEmpty else { return [] }
    var out = ["", examples.count == 1 ? "Example:" : "Examples:"]
    for example in examples {
      var words = shellWords(example)
      let first = "  " + (words.isEmpty ? "" : words.removeFirst())
      // Continuation lines end in " \" so that the example still pastes into a shell.
      out += wrapParts(words, first: first, indent: 6, width: width - 2).continued()
    }
    return out
  }

  /// Two columns: the label, then its help wrapped at `column`; a long label gets a line
  /// of its own.
  static func row(_ label: String, _ help: String, width: Int) -> [String] {
    let helpWidth = max(width - column, 24)
    var lines = wrap(help, width: helpWidth)
    let pad = String(repeating: " ", count: column)
    lines = lines.map { pad + $0 }
    let start = "  " + label
    if start.count + 2 <= column, let first = lines.first {
      lines[0] =
        start + String(repeating: " ", count: column - start.count) + first.dropFirst(column)
      return lines
    }
    return [start] + lines
  }

  /// Words of `text` in lines of at most `width` characters (a longer word stands alone).
  static func wrap(_ text: String, width: Int) -> [String] {
    let words = text.split(separator: " ").map(String.init)
    guard let first = words.first else { return [""] }
    return wrapParts(Array(words.dropFirst()), first: first, indent: 0, width: width)
  }

  /// `first`, then `parts` joined by spaces, in lines of at most `width`; lines after the
  /// first start with `indent` spaces.
  static func wrapParts(_ parts: [String], first: String, indent: Int, width: Int) -> [String] {
    var lines: [String] = []
    var line = first
    let pad = String(repeating: " ", count: indent)
    for part in parts {
      if line.count + 1 + part.count <= width {
        line += " " + part
      } else {
        lines.append(line)
        line = pad + part
      }
    }
    lines.append(line)
    return lines
  }
}

/// `text` split at spaces outside quotes: the words a shell would see (quotes kept).
func shellWords(_ text: String) -> [String] {
  var words: [String] = []
  var word = ""
  var quote: Character?
  for character in text {
    if let open = quote {
      if character == open { quote = nil }
    } else if character == "'" || character == "\"" {
      quote = character
    } else if character == " " {
      if !word.isEmpty { words.append(word) }
      word = ""
      continue
    }
    word.append(character)
  }
  if !word.isEmpty { words.append(word) }
  return words
}

extension [String] {
  /// Every line but the last ends with ` \`, a shell line continuation.
  fileprivate func continued() -> [String] {
    enumerated().map { $0.offset < count - 1 ? $0.element + " \\" : $0.element }
  }
}
