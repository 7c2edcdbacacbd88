import Foundation
import Testing

@testable import OptimistCore

@Suite struct JSONValueTests {
  @Test func parsesEveryKindOfValue() throws {
    let value = try JSONValue.parse(
      #" {"a": [1, -2.5e+3, 0, true, false, null], "b": {"c": "d"}, "e": ""} "#)
    #expect(
      value
        == .object([
          .init(
            "a",
            .array([
              .number("1"), .number("-2.5e+3"), .number("0"), .bool(true), .bool(false), .null,
            ])),
          .init("b", .object([.init("c", .string("d"))])),
          .init("e", .string("")),
        ]))
    #expect(value["b"]?["c"]?.string == "d")
    #expect(value["a"]?.elements?.first?.int64 == 1)
    #expect(value["missing"] == nil)
  }

  @Test(arguments: [
    (#""\"\\\/\b\f\n\r\t""#, "\"\\/\u{08}\u{0C}\n\r\t"),
    (#""\u00e9\u20AC""#, "é€"),
    (#""\ud83d\ude00""#, "😀"),
    ("\"é😀\"", "é😀"),
  ])
  func decodesStringEscapesAndUTF8(literal: String, expected: String) throws {
    #expect(try JSONValue.parse(literal) == .string(expected))
  }

  /// Each of these is malformed; the error is INVALID_VALUE (exit 2) and names the byte.
  @Test(arguments: [
    "", "   ", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "01", "1.", "1e", "-", "+1",
    ".5", "tru", "nul", "[1 2]", "{} {}", "\"abc", "\"a\nb\"", #""\x""#, #""\ud800""#,
    #""\udc00""#, #""\ud800\u0041""#, "{\"a\":1,\"a\":2}", "// comment\n1", "NaN", "'a'",
  ])
  func refusesMalformedInput(text: String) {
    #expect {
      try JSONValue.parse(text)
    } throws: { error in
      guard case .invalidValue(nil, let detail) = error as? OptimistError else { return false }
      return detail.hasPrefix("Malformed JSON at byte ")
    }
  }

  @Test func refusesInvalidUTF8() {
    for bytes: [UInt8] in [
      [0x22, 0xFF, 0x22], [0x22, 0xC0, 0xAF, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22],
      [0x22, 0xE2, 0x82],
    ] {
      #expect(throws: OptimistError.self) {
        try bytes.withUnsafeBufferPointer { try JSONValue.parse($0) }
      }
    }
  }

  @Test func nestingHasALimitInsteadOfAStackOverflow() throws {
    let deepest =
      String(repeating: "[", count: JSONValue.maximumDepth)
      + String(repeating: "]", count: JSONValue.maximumDepth)
    #expect(throws: Never.self) { try JSONValue.parse(deepest) }
    let tooDeep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
    #expect(throws: OptimistError.self) { try JSONValue.parse(tooDeep) }
  }

  @Test func namesTheOffendingByte() {
    #expect(
      throws: OptimistError.invalidValue(
        field: nil, detail: "Malformed JSON at byte 5: expected `,` or `]`, found `2`.")
    ) {
      try JSONValue.parse("[1,2 2]")
    }
  }

  @Test func int64IsExactOrNil() throws {
    #expect(try JSONValue.parse("9223372036854775807").int64 == Int64.max)
    #expect(try JSONValue.parse("9223372036854775808").int64 == nil)
    #expect(try JSONValue.parse("1.0").int64 == nil)
    #expect(try JSONValue.parse("1e2").int64 == nil)
    #expect(try JSONValue.parse("\"1\"").int64 == nil)
  }

  /// Writing back and parsing again gives the same value, and Foundation reads the text too.
  @Test(arguments: [
    #"{"a":[1,2,{"b":null}],"c":"x\"y\u0001","d":true,"é":-0.5}"#, "[]", "{}", "\"\"", "7",
  ])
  func roundTrips(text: String) throws {
    let value = try JSONValue.parse(text)
    #expect(try JSONValue.parse(value.text) == value)
    #expect(throws: Never.self) {
      try JSONSerialization.jsonObject(with: Data(value.text.utf8), options: [.fragmentsAllowed])
    }
  }

  @Test func canonicalTextSortsKeysAtEveryLevelAndDropsWhiteSpace() throws {
    let value = try JSONValue.parse(#" { "b" : [ {"z":1, "a":null} ], "a" : "x" } "#)
    #expect(value.canonicalText == #"{"a":"x","b":[{"a":null,"z":1}]}"#)
  }
}
