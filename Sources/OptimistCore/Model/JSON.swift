/// Writes one JSON object, keys in the order they are added, with no white space.
///
/// Output is stable: the same values always give the same bytes. Strings are escaped per
/// RFC 8259: quote, backslash and every control character; everything else is written as UTF-8.
public struct JSONObject {
  private var body = ""

  public init() {}

  /// Adds `"key":"value"`; a nil value adds nothing.
  public mutating func add(_ key: String, _ value: String?) {
    guard let value else { return }
    addRaw(key, JSONObject.quoted(value))
  }

  /// Adds `"key":number`; a nil value adds nothing.
  public mutating func add(_ key: String, _ value: Int64?) {
    guard let value else { return }
    addRaw(key, String(value))
  }

  /// Adds `"key":true|false`; a nil value adds nothing.
  public mutating func add(_ key: String, _ value: Bool?) {
    guard let value else { return }
    addRaw(key, value ? "true" : "false")
  }

  /// Adds `"key":` followed by already-encoded JSON.
  public mutating func addRaw(_ key: String, _ json: String) {
    if !body.isEmpty { body += "," }
    body += JSONObject.quoted(key)
    body += ":"
    body += json
  }

  /// The encoded object.
  public var text: String { "{" + body + "}" }

  /// `value` as a JSON string literal.
  public static func quoted(_ value: String) -> String {
    var out = "\""
    out.reserveCapacity(value.utf8.count + 2)
    for scalar in value.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case "\u{08}": out += "\\b"
      case "\u{0C}": out += "\\f"
      case "\u{00}"..."\u{1F}", "\u{7F}", "\u{2028}", "\u{2029}":
        out += "\\u" + hex4(scalar.value)
      default:
        out.unicodeScalars.append(scalar)
      }
    }
    out += "\""
    return out
  }

  private static func hex4(_ value: UInt32) -> String {
    let digits = Array("0123456789abcdef")
    return String((0..<4).reversed().map { digits[Int((value >> (UInt32($0) * 4)) & 0xF)] })
  }
}

/// `[a,b,…]` from already-encoded JSON values.
public func jsonArray(_ elements: [String]) -> String {
  "[" + elements.joined(separator: ",") + "]"
}
