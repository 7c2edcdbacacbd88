#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `--color auto|always|never`.
enum ColorChoice: Sendable {
  case auto, always, never

  static let names = ["auto", "always", "never"]

  /// The choice with this name. A switch, not a `String` raw value: the synthesized
  /// `init(rawValue:)` builds an array of the names at run time, a generic instantiation
  /// every command would pay for.
  init?(_ name: String) {
    switch name {
    case "auto": self = .auto
    case "always": self = .always
    case "never": self = .never
    default: return nil
    }
  }
}

/// How stdout's JSON is laid out: compact and stable for scripts, indented (and coloured)
/// for a person at a terminal.
///
/// - Piped or redirected: the compact one-line JSON, byte for byte (unless
///   `--color always`).
/// - On a terminal: indented like `jq`, and coloured unless `NO_COLOR` is set (and not empty)
///   or `--color never`.
/// - `--color always`: indented and coloured wherever stdout goes.
struct JSONStyle: Equatable, Sendable {
  var indented: Bool
  var colored: Bool

  static let compact = JSONStyle(indented: false, colored: false)

  static func resolve(_ choice: ColorChoice) -> JSONStyle {
    if choice == .always { return JSONStyle(indented: true, colored: true) }
    guard isatty(STDOUT_FILENO) == 1 else { return .compact }
    let noColor = getenv("NO_COLOR").map { $0.pointee != 0 } ?? false
    return JSONStyle(indented: true, colored: choice == .auto && !noColor)
  }
}

/// The terminal's width for help text: `$COLUMNS`, else the terminal's, else 80; at most
/// `Help.maximumWidth`, at least 40.
enum Terminal {
  /// The width for text written to standard output.
  static var width: Int { width(of: STDOUT_FILENO) }

  /// The width for text written to `descriptor` (standard error's own terminal for a usage
  /// error, which may be another than standard output's, or none when stdout is piped).
  static func width(of descriptor: Int32) -> Int {
    var columns = 80
    if let text = getenv("COLUMNS").map({ String(cString: $0) }), let number = Int(text), number > 0
    {
      columns = number
    } else {
      var size = winsize()
      if ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 {
        columns = Int(size.ws_col)
      }
    }
    return min(max(columns, 40), Help.maximumWidth)
  }
}
