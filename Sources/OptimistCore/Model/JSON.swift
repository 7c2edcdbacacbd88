/// Writes one JSON object, keys in the order they are added, with no white space.
///
/// Output is stable: the same values always give the same bytes. Strings are escaped per
/// RFC 8259: quote, backslash and every control character; everything else is written as UTF-8.
public struct JSONObject {
  private var body = ""

  /// An empty object; `capacity` bytes are reserved up front, so that adding the keys of a
  /// typical object does not grow (and copy) the text again and again.
  public init(capacity: Int = 256) {
    body.reserveCapacity(capacity)
  }

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

  /// Adds every key of `other`, in its order.
  public mutating func append(_ other: JSONObject) {
    guard !other.body.isEmpty else { return }
    if !body.isEmpty { body += "," }
    body += other.body
  }

  /// The encoded object.
  public var text: String { "{" + body + "}" }

  /// `value` as a JSON string literal.
  ///
  /// Works on the UTF-8 bytes: runs of bytes that need no escape are copied as they are (in
  /// UTF-8 every byte of a multi-byte character is 0x80 or above, so no escape splits one).
  public static func quoted(_ value: String) -> String {
    var out = "\""
    var value = value
    value.withUTF8 { bytes in
      var start = 0
      var index = 0
      while index < bytes.count {
        let escape = JSONObject.escape(bytes, at: index)
        if let escape {
          if start < index { out += String(decoding: bytes[start..<index], as: UTF8.self) }
          out += escape.text
          index += escape.length
          start = index
        } else {
          index += 1
        }
      }
      if start < bytes.count { out += String(decoding: bytes[start...], as: UTF8.self) }
    }
    out += "\""
    return out
  }

  /// The escape for the character at `index`, and how many bytes it replaces; nil when the
  /// byte stands for itself. Escaped: quote, backslash, every control character, DEL, and
  /// U+2028 and U+2029 (E2 80 A8/A9), which some JavaScript parsers take for line ends.
  private static func escape(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> (
    text: String, length: Int
  )? {
    let byte = bytes[index]
    switch byte {
    case UInt8(ascii: "\""): return ("\\\"", 1)
    case UInt8(ascii: "\\"): return ("\\\\", 1)
    case 0x0A: return ("\\n", 1)
    case 0x0D: return ("\\r", 1)
    case 0x09: return ("\\t", 1)
    case 0x08: return ("\\b", 1)
    case 0x0C: return ("\\f", 1)
    case 0x00...0x1F, 0x7F: return ("\\u" + hex4(UInt32(byte)), 1)
    case 0xE2:
      guard index + 2 < bytes.count, bytes[index + 1] == 0x80,
        bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9
      else { return nil }
      return (bytes[index + 2] == 0xA8 ? "\\u2028" : "\\u2029", 3)
    default: return nil
    }
  }

  private static func hex4(_ value: UInt32) -> String {
    let digits: StaticString = "0123456789abcdef"
    return String(unsafeUninitializedCapacity: 4) { buffer in
      for position in 0..<4 {
        buffer[position] = digits.utf8Start[Int((value >> (UInt32(3 - position) * 4)) & 0xF)]
      }
      return 4
    }
  }
}

/// `[a,b,…]` from already-encoded JSON values.
public func jsonArray(_ elements: [String]) -> String {
  "[" + elements.joinedFast(",") + "]"
}

extension [String] {
  /// The elements with `separator` between them, like `joined(separator:)`.
  ///
  /// In the static binary the standard library's `joined(separator:)` runs unspecialized, and
  /// resolving its associated types at run time costs a call a protocol-conformance lookup that
  /// walks every conformance record (about 76,000 instructions, BENCHMARKS.md).
  func joinedFast(_ separator: String) -> String {
    var out = ""
    var capacity = 0
    for element in self { capacity += element.utf8.count + separator.utf8.count }
    out.reserveCapacity(capacity)
    for element in self {
      if !out.isEmpty { out += separator }
      out += element
    }
    return out
  }
}
