import Foundation
import Testing

@testable import OptimistCore

@Suite struct TimestampTests {
  /// Values whose text is known independently of any formatter.
  @Test(arguments: [
    (Int64(0), "1970-01-01T00:00:00.000Z"),
    (951_782_400_000, "2000-02-29T00:00:00.000Z"),
    (951_868_800_000, "2000-03-01T00:00:00.000Z"),
    (1_000_000_000_000, "2001-09-09T01:46:40.000Z"),
    (1_234_567_890_123, "2009-02-13T23:31:30.123Z"),
    (2_147_483_647_000, "2038-01-19T03:14:07.000Z"),
    (4_107_542_400_000, "2100-03-01T00:00:00.000Z"),
    (253_402_300_799_999, "9999-12-31T23:59:59.999Z"),
    (1, "1970-01-01T00:00:00.001Z"),
    (999, "1970-01-01T00:00:00.999Z"),
    (-1, "1969-12-31T23:59:59.999Z"),
    (-999, "1969-12-31T23:59:59.001Z"),
    (-1000, "1969-12-31T23:59:59.000Z"),
    (-1001, "1969-12-31T23:59:58.999Z"),
    (-86_400_000, "1969-12-31T00:00:00.000Z"),
    (-2_147_483_648_000, "1901-12-13T20:45:52.000Z"),
    (-62_135_596_800_000, "0001-01-01T00:00:00.000Z"),
  ])
  func knownValues(milliseconds: Int64, expected: String) {
    #expect(Timestamp(milliseconds: milliseconds).rfc3339 == expected)
  }

  /// Foundation's ISO 8601 formatter as the oracle over a wide spread of instants.
  @Test func matchesFoundationAcrossCenturies() {
    let formatter = ISO8601DateFormatter()
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    // 1700-01-01 .. 9999-12-31, avoiding calendars' Julian switch-over before 1582.
    let lower: Int64 = -8_520_336_000_000
    let upper: Int64 = 253_402_300_799_999
    var generator = SeededGenerator(seed: 3339)
    var samples: [Int64] = (0..<3000).map { _ in Int64.random(in: lower...upper, using: &generator)
    }
    samples += (-3000...3000).map { Int64($0) * 86_399_999 }
    for milliseconds in samples {
      let seconds = milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000
      let millis = milliseconds - seconds * 1000
      // Whole seconds through the formatter (exact in a Double); milliseconds by arithmetic.
      let whole = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
      let expected = whole.replacingOccurrences(
        of: ".000Z", with: String(format: ".%03dZ", Int(millis)))
      #expect(Timestamp(milliseconds: milliseconds).rfc3339 == expected, "\(milliseconds)")
    }
  }

  @Test func textHasTheRFC3339Shape() {
    var generator = SeededGenerator(seed: 1)
    for _ in 0..<500 {
      let text = Timestamp(milliseconds: Int64.random(in: 0...4_102_444_800_000, using: &generator))
        .rfc3339
      let characters = Array(text)
      #expect(characters.count == 24, "\(text)")
      for (index, separator) in [
        (4, "-"), (7, "-"), (10, "T"), (13, ":"), (16, ":"), (19, "."), (23, "Z"),
      ] {
        #expect(String(characters[index]) == separator, "\(text)")
      }
    }
  }

  @Test func orderFollowsMilliseconds() {
    #expect(Timestamp(milliseconds: -1) < Timestamp(milliseconds: 0))
    #expect(Timestamp(milliseconds: 1) < Timestamp(milliseconds: 2))
    #expect(!(Timestamp(milliseconds: 2) < Timestamp(milliseconds: 2)))
  }

  @Test func nowIsTheSystemTime() {
    let before = Int64(Date().timeIntervalSince1970 * 1000)
    let now = Timestamp.now().milliseconds
    let after = Int64(Date().timeIntervalSince1970 * 1000)
    #expect(now >= before - 1)
    #expect(now <= after + 1)
  }
}
