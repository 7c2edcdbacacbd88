import Foundation
import Testing

@testable import OptimistCore

@Suite struct JSONTests {
  /// Parses a JSON string literal with Foundation.
  private func decoded(_ literal: String) throws -> String? {
    try TestJSON.value(literal) as? String
  }

  @Test(arguments: [
    ("say \"hi\"", #""say \"hi\"""#),
    (#"C:\path\"#, #""C:\\path\\""#),
    ("a\nb", #""a\nb""#),
    ("a\tb", #""a\tb""#),
    ("a\rb", #""a\rb""#),
    ("", #""""#),
    ("/", #""/""#),
  ])
  func escapesQuoteBackslashAndLineControls(input: String, expected: String) throws {
    #expect(JSONObject.quoted(input) == expected)
    #expect(try decoded(JSONObject.quoted(input)) == input)
  }

  /// Every control character other than the short escapes becomes `\u00XX` (any hex case).
  @Test(arguments: (0x00...0x1F).filter { ![0x08, 0x09, 0x0A, 0x0C, 0x0D].contains($0) })
  func otherControlCharactersUseUnicodeEscapes(value: Int) throws {
    let input = String(UnicodeScalar(UInt8(value)))
    let quoted = JSONObject.quoted(input)
    let hex = String(value, radix: 16)
    let padded = String(repeating: "0", count: 4 - hex.count) + hex
    #expect(quoted.lowercased() == "\"\\u\(padded)\"")
    #expect(try decoded(quoted) == input)
  }

  /// Backspace and form feed may use RFC 8259's short forms or `\u00XX`.
  @Test(arguments: [(0x08, "b"), (0x0C, "f")])
  func backspaceAndFormFeedAreEscaped(value: Int, short: String) throws {
    let input = String(UnicodeScalar(UInt8(value)))
    let quoted = JSONObject.quoted(input).lowercased()
    #expect(quoted == "\"\\\(short)\"" || quoted == "\"\\u000\(short == "b" ? "8" : "c")\"")
    #expect(try decoded(JSONObject.quoted(input)) == input)
  }

  @Test(arguments: ["é", "naïve café", "日本語", "👩‍💻", "🇫🇷", "Ω≈ç√", "e\u{301}", "zero\u{FEFF}width"])
  func nonASCIIIsWrittenRaw(input: String) throws {
    let quoted = JSONObject.quoted(input)
    #expect(Array(quoted.utf8) == Array("\"\(input)\"".utf8))
    #expect(try decoded(quoted) == input)
  }

  /// Table of awkward strings: each parses back with Foundation to exactly the input.
  @Test(arguments: [
    "", " ", "\"", "\\", "\\\"", "\"\\\"", "\u{0}", "\u{0}\u{1}\u{1F}", "\u{7F}",
    "\u{2028}\u{2029}",
    "line1\r\nline2", "tab\tand\u{0B}vtab", "}{][,:", "{\"injected\":true}", "</script>",
    "null", "true", "1e3", "-0", "emoji 😀 and \u{0} nul", "mixed \u{1} é \" \\ 👍",
    String(repeating: "\\\"", count: 100), String(repeating: "é", count: 4096),
  ])
  func roundTripsThroughFoundation(input: String) throws {
    #expect(try decoded(JSONObject.quoted(input)) == input)
    var object = JSONObject()
    object.add(input, input)
    let parsed = try TestJSON.object(object.text)
    #expect(parsed.count == 1)
    #expect(parsed[input] as? String == input)
  }

  /// Every scalar up to U+2FFF (surrogates excluded), in one string, survives the trip.
  @Test func everyScalarOfTheFirstPlanesRoundTrips() throws {
    let scalars = (0...0x2FFF).compactMap(UnicodeScalar.init)
    for chunk in stride(from: 0, to: scalars.count, by: 512) {
      var input = ""
      input.unicodeScalars.append(contentsOf: scalars[chunk..<min(chunk + 512, scalars.count)])
      #expect(try decoded(JSONObject.quoted(input)) == input, "chunk at \(chunk)")
    }
  }

  @Test func randomStringsRoundTrip() throws {
    var generator = SeededGenerator(seed: 2026)
    let pool: [UnicodeScalar] =
      (0...0x7F).compactMap(UnicodeScalar.init) + [
        "é", "ß", "中", "😀", "\u{2028}", "\u{FFFD}", "\u{10FFFF}",
      ]
    for _ in 0..<500 {
      var input = ""
      for _ in 0..<Int.random(in: 0...40, using: &generator) {
        input.unicodeScalars.append(pool.randomElement(using: &generator)!)
      }
      #expect(try decoded(JSONObject.quoted(input)) == input)
    }
  }

  @Test func keysKeepTheOrderTheyWereAddedInAndNilAddsNothing() {
    var object = JSONObject()
    object.add("zeta", "last letter")
    object.add("alpha", Int64(-42))
    object.add("skipped", nil as String?)
    object.add("flag", false)
    object.add("none", nil as Int64?)
    object.addRaw("list", jsonArray(["1", "\"two\""]))
    object.add("yes", true)
    #expect(
      object.text == #"{"zeta":"last letter","alpha":-42,"flag":false,"list":[1,"two"],"yes":true}"#
    )
  }

  /// A nested object is written exactly as built (a replayed answer is compared byte for
  /// byte) and reads back as the same values.
  @Test func aNestedObjectIsWrittenAsBuiltAndReadsBack() throws {
    var nested = JSONObject()
    nested.add("b", "é\n")
    var object = JSONObject()
    object.add("a", Int64.max)
    object.addRaw("n", nested.text)
    #expect(object.text == #"{"a":9223372036854775807,"n":{"b":"é\n"}}"#)
    let parsed = try TestJSON.object(object.text)
    #expect(TestJSON.int(parsed["a"]) == Int64.max)
    #expect((parsed["n"] as? [String: Any])?["b"] as? String == "é\n")
  }

  @Test func emptyObjectAndArray() {
    #expect(JSONObject().text == "{}")
    #expect(jsonArray([]) == "[]")
  }

  @Test(arguments: [Int64.min, -1, 0, 1, 1_700_000_000_000, Int64.max])
  func integersAreExact(value: Int64) throws {
    var object = JSONObject()
    object.add("n", value)
    #expect(object.text == "{\"n\":\(value)}")
    #expect(TestJSON.int(try TestJSON.object(object.text)["n"]) == value)
  }

  @Test func keysAreEscapedToo() throws {
    var object = JSONObject()
    object.add("a\"b\n", "v")
    #expect(object.text == #"{"a\"b\n":"v"}"#)
    #expect(try TestJSON.object(object.text)["a\"b\n"] as? String == "v")
  }
}
