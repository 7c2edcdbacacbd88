/// A parsed JSON document (RFC 8259), for what optimist reads: `edit`'s transformed object,
/// `batch`'s operations, the server's request bodies.
///
/// Strict, so that a mistake is reported rather than guessed at: one value with only white
/// space around it, no trailing commas, no comments, UTF-8 only, no lone surrogates, no
/// duplicate keys in an object, at most `JSONValue.maximumDepth` levels of nesting (deeper
/// input is refused, never a stack overflow). Numbers keep their text: `1.0` and `1` differ,
/// and an integer is read exactly or refused.
public indirect enum JSONValue: Equatable, Sendable {
  case null
  case bool(Bool)
  /// The number as written, validated against JSON's grammar.
  case number(String)
  case string(String)
  case array([JSONValue])
  /// Members in the order written; keys are unique.
  case object([Member])

  public struct Member: Equatable, Sendable {
    public var key: String
    public var value: JSONValue

    public init(_ key: String, _ value: JSONValue) {
      self.key = key
      self.value = value
    }
  }

  /// Arrays and objects nest at most this deep.
  public static let maximumDepth = 64

  /// Parses `text` as one JSON document; malformed input is INVALID_VALUE naming the byte
  /// offset and what was expected there.
  public static func parse(_ text: String) throws(OptimistError) -> JSONValue {
    var copy = text
    let result = copy.withUTF8 { bytes in Result { () throws(OptimistError) in try parse(bytes) } }
    return try result.get()
  }

  /// Parses UTF-8 bytes as one JSON document (invalid UTF-8 is refused).
  public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(OptimistError) -> JSONValue {
    var parser = JSONParser(bytes: bytes)
    parser.skipWhiteSpace()
    let value = try parser.value(depth: 0)
    parser.skipWhiteSpace()
    guard parser.index == bytes.count else {
      throw parser.error("expected the end of the document")
    }
    return value
  }

  /// The member `key` of an object; nil for a missing key or a value that is not an object.
  public subscript(key: String) -> JSONValue? {
    guard case .object(let members) = self else { return nil }
    return members.first(where: { $0.key == key })?.value
  }

  /// The members of an object, or nil.
  public var members: [Member]? {
    if case .object(let members) = self { return members }
    return nil
  }

  /// The elements of an array, or nil.
  public var elements: [JSONValue]? {
    if case .array(let elements) = self { return elements }
    return nil
  }

  /// The text of a string, or nil.
  public var string: String? {
    if case .string(let text) = self { return text }
    return nil
  }

  /// The value of `true` or `false`, or nil.
  public var bool: Bool? {
    if case .bool(let value) = self { return value }
    return nil
  }

  /// A number written as an integer (no fraction, no exponent) that fits in 64 bits, or nil.
  public var int64: Int64? {
    guard case .number(let text) = self else { return nil }
    return Int64(text)
  }

  /// The JSON type's name, for messages: "a string", "an object", …
  public var typeName: String {
    switch self {
    case .null: return "null"
    case .bool: return "a boolean"
    case .number: return "a number"
    case .string: return "a string"
    case .array: return "an array"
    case .object: return "an object"
    }
  }

  /// The value written back as compact JSON (strings escaped as `JSONObject` does).
  public var text: String {
    switch self {
    case .null: return "null"
    case .bool(let value): return value ? "true" : "false"
    case .number(let text): return text
    case .string(let text): return JSONObject.quoted(text)
    case .array(let elements): return jsonArray(elements.map(\.text))
    case .object(let members):
      var object = JSONObject()
      for member in members { object.addRaw(member.key, member.value.text) }
      return object.text
    }
  }
}

extension JSONValue {
  /// The value as compact JSON with every object's keys sorted (by their UTF-8 bytes): the
  /// same document written with other white space or key order gives the same text (a
  /// batch's fingerprint for its idempotency key).
  public var canonicalText: String {
    switch self {
    case .array(let elements): return jsonArray(elements.map(\.canonicalText))
    case .object(let members):
      var object = JSONObject()
      for member in members.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
        object.addRaw(member.key, member.value.canonicalText)
      }
      return object.text
    case .null, .bool, .number, .string: return text
    }
  }
}

/// A recursive-descent parser over UTF-8 bytes.
private struct JSONParser {
  let bytes: UnsafeBufferPointer<UInt8>
  var index = 0

  init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

  func error(_ expected: String) -> OptimistError {
    let found: String
    if index >= bytes.count {
      found = "the end of the input"
    } else {
      let byte = bytes[index]
      found =
        byte >= 0x20 && byte < 0x7F
        ? "`\(Character(UnicodeScalar(byte)))`" : "byte 0x\(String(byte, radix: 16))"
    }
    return .invalidValue(
      field: nil, detail: "Malformed JSON at byte \(index): \(expected), found \(found).")
  }

  mutating func skipWhiteSpace() {
    while index < bytes.count {
      switch bytes[index] {
      case 0x20, 0x09, 0x0A, 0x0D: index += 1
      default: return
      }
    }
  }

  mutating func value(depth: Int) throws(OptimistError) -> JSONValue {
    guard index < bytes.count else { throw error("expected a value") }
    switch bytes[index] {
    case UInt8(ascii: "{"): return try object(depth: depth + 1)
    case UInt8(ascii: "["): return try array(depth: depth + 1)
    case UInt8(ascii: "\""): return .string(try string())
    case UInt8(ascii: "t"):
      try literal("true")
      return .bool(true)
    case UInt8(ascii: "f"):
      try literal("false")
      return .bool(false)
    case UInt8(ascii: "n"):
      try literal("null")
      return .null
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
    default: throw error("expected a value")
    }
  }

  mutating func literal(_ word: StaticString) throws(OptimistError) {
    let length = word.utf8CodeUnitCount
    guard index + length <= bytes.count,
      (0..<length).allSatisfy({ bytes[index + $0] == word.utf8Start[$0] })
    else { throw error("expected `\(word)`") }
    index += length
  }

  mutating func object(depth: Int) throws(OptimistError) -> JSONValue {
    guard depth <= JSONValue.maximumDepth else {
      throw error("nesting deeper than \(JSONValue.maximumDepth) levels is not accepted")
    }
    index += 1
    var members: [JSONValue.Member] = []
    skipWhiteSpace()
    if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
      index += 1
      return .object(members)
    }
    while true {
      skipWhiteSpace()
      guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
        throw error("expected a key in quotes")
      }
      let keyStart = index
      let key = try string()
      if members.contains(where: { $0.key.utf8.elementsEqual(key.utf8) }) {
        index = keyStart
        throw error("expected each key once, but \(JSONObject.quoted(key)) is repeated")
      }
      skipWhiteSpace()
      guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
        throw error("expected `:`")
      }
      index += 1
      skipWhiteSpace()
      members.append(JSONValue.Member(key, try value(depth: depth)))
      skipWhiteSpace()
      guard index < bytes.count else { throw error("expected `,` or `}`") }
      if bytes[index] == UInt8(ascii: ",") {
        index += 1
        continue
      }
      guard bytes[index] == UInt8(ascii: "}") else { throw error("expected `,` or `}`") }
      index += 1
      return .object(members)
    }
  }

  mutating func array(depth: Int) throws(OptimistError) -> JSONValue {
    guard depth <= JSONValue.maximumDepth else {
      throw error("nesting deeper than \(JSONValue.maximumDepth) levels is not accepted")
    }
    index += 1
    var elements: [JSONValue] = []
    skipWhiteSpace()
    if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
      index += 1
      return .array(elements)
    }
    while true {
      skipWhiteSpace()
      elements.append(try value(depth: depth))
      skipWhiteSpace()
      guard index < bytes.count else { throw error("expected `,` or `]`") }
      if bytes[index] == UInt8(ascii: ",") {
        index += 1
        continue
      }
      guard bytes[index] == UInt8(ascii: "]") else { throw error("expected `,` or `]`") }
      index += 1
      return .array(elements)
    }
  }

  /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, returned as written.
  mutating func number() throws(OptimistError) -> String {
    let start = index
    if bytes[index] == UInt8(ascii: "-") { index += 1 }
    func isDigit(_ at: Int) -> Bool {
      at < bytes.count && bytes[at] >= UInt8(ascii: "0") && bytes[at] <= UInt8(ascii: "9")
    }
    guard isDigit(index) else { throw error("expected a digit") }
    if bytes[index] == UInt8(ascii: "0") {
      index += 1
      if isDigit(index) { throw error("expected no leading zero") }
    } else {
      while isDigit(index) { index += 1 }
    }
    if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
      index += 1
      guard isDigit(index) else { throw error("expected a digit after `.`") }
      while isDigit(index) { index += 1 }
    }
    if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
      index += 1
      if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")
      {
        index += 1
      }
      guard isDigit(index) else { throw error("expected a digit in the exponent") }
      while isDigit(index) { index += 1 }
    }
    return String(decoding: bytes[start..<index], as: UTF8.self)
  }

  /// A string literal, its escapes decoded; the bytes between escapes must be valid UTF-8
  /// with no control characters.
  mutating func string() throws(OptimistError) -> String {
    index += 1
    var scalars = String.UnicodeScalarView()
    while true {
      guard index < bytes.count else { throw error("expected `\"` to end the string") }
      let byte = bytes[index]
      switch byte {
      case UInt8(ascii: "\""):
        index += 1
        return String(scalars)
      case UInt8(ascii: "\\"):
        index += 1
        scalars.append(try escape())
      case 0x00...0x1F:
        throw error("expected no control character in a string (escape it)")
      case 0x00...0x7F:
        scalars.append(UnicodeScalar(byte))
        index += 1
      default:
        scalars.append(try multiByteScalar())
      }
    }
  }

  /// One UTF-8 sequence of 2 to 4 bytes, checked (no overlong forms, no surrogates).
  mutating func multiByteScalar() throws(OptimistError) -> UnicodeScalar {
    let lead = bytes[index]
    let length: Int
    let minimum: UInt32
    var value: UInt32
    switch lead {
    case 0xC2...0xDF: (length, minimum, value) = (2, 0x80, UInt32(lead & 0x1F))
    case 0xE0...0xEF: (length, minimum, value) = (3, 0x800, UInt32(lead & 0x0F))
    case 0xF0...0xF4: (length, minimum, value) = (4, 0x10000, UInt32(lead & 0x07))
    default: throw error("expected valid UTF-8")
    }
    guard index + length <= bytes.count else { throw error("expected valid UTF-8") }
    for offset in 1..<length {
      let continuation = bytes[index + offset]
      guard continuation & 0xC0 == 0x80 else { throw error("expected valid UTF-8") }
      value = value << 6 | UInt32(continuation & 0x3F)
    }
    guard value >= minimum, let scalar = UnicodeScalar(value) else {
      throw error("expected valid UTF-8")
    }
    index += length
    return scalar
  }

  /// The character after a backslash; `\uXXXX` pairs surrogates and refuses lone ones.
  mutating func escape() throws(OptimistError) -> UnicodeScalar {
    guard index < bytes.count else { throw error("expected an escape") }
    let byte = bytes[index]
    index += 1
    switch byte {
    case UInt8(ascii: "\""): return "\""
    case UInt8(ascii: "\\"): return "\\"
    case UInt8(ascii: "/"): return "/"
    case UInt8(ascii: "b"): return "\u{08}"
    case UInt8(ascii: "f"): return "\u{0C}"
    case UInt8(ascii: "n"): return "\n"
    case UInt8(ascii: "r"): return "\r"
    case UInt8(ascii: "t"): return "\t"
    case UInt8(ascii: "u"):
      let first = try hex4()
      if (0xD800...0xDBFF).contains(first) {
        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
          bytes[index + 1] == UInt8(ascii: "u")
        else { throw error("expected a low surrogate `\\uDC00`–`\\uDFFF` after a high one") }
        index += 2
        let second = try hex4()
        guard (0xDC00...0xDFFF).contains(second) else {
          index -= 4
          throw error("expected a low surrogate `\\uDC00`–`\\uDFFF` after a high one")
        }
        return UnicodeScalar(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))!
      }
      guard let scalar = UnicodeScalar(first) else {
        index -= 4
        throw error("expected no lone low surrogate")
      }
      return scalar
    default:
      index -= 1
      throw error("expected one of the escapes \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX")
    }
  }

  mutating func hex4() throws(OptimistError) -> UInt32 {
    var value: UInt32 = 0
    for _ in 0..<4 {
      guard index < bytes.count else { throw error("expected 4 hex digits after \\u") }
      let byte = bytes[index]
      let digit: UInt8
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
      case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
      case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
      default: throw error("expected 4 hex digits after \\u")
      }
      value = value << 4 | UInt32(digit)
      index += 1
    }
    return value
  }
}
