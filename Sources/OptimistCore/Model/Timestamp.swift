#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A moment in UTC, kept as milliseconds since the Unix epoch.
public struct Timestamp: Equatable, Comparable, Sendable {
  public let milliseconds: Int64

  public init(milliseconds: Int64) { self.milliseconds = milliseconds }

  /// The current time of the real-time clock.
  public static func now() -> Timestamp {
    var spec = timespec()
    clock_gettime(CLOCK_REALTIME, &spec)
    return Timestamp(milliseconds: Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000)
  }

  public static func < (a: Timestamp, b: Timestamp) -> Bool { a.milliseconds < b.milliseconds }

  /// RFC 3339 in UTC with milliseconds, e.g. `2026-11-23T07:01:02.345Z`.
  public var rfc3339: String {
    let seconds = milliseconds.floorDivided(by: 1000)
    let millis = Int(milliseconds - seconds * 1000)
    let (year, month, day) = Timestamp.civilDate(daysSinceEpoch: seconds.floorDivided(by: 86_400))
    let secondOfDay = Int(seconds - seconds.floorDivided(by: 86_400) * 86_400)
    guard (0...9999).contains(year) else {
      return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T"
        + pad(secondOfDay / 3600, 2) + ":" + pad(secondOfDay / 60 % 60, 2) + ":"
        + pad(secondOfDay % 60, 2) + "." + pad(millis, 3) + "Z"
    }
    // Written digit by digit into one buffer of 24 ASCII bytes.
    return String(unsafeUninitializedCapacity: 24) { buffer in
      var position = 0
      func put(_ value: Int, _ width: Int, _ after: Unicode.Scalar) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        while divisor > 0 {
          buffer[position] = UInt8(ascii: "0") + UInt8(value / divisor % 10)
          position += 1
          divisor /= 10
        }
        buffer[position] = UInt8(ascii: after)
        position += 1
      }
      put(year, 4, "-")
      put(month, 2, "-")
      put(day, 2, "T")
      put(secondOfDay / 3600, 2, ":")
      put(secondOfDay / 60 % 60, 2, ":")
      put(secondOfDay % 60, 2, ".")
      put(millis, 3, "Z")
      return position
    }
  }

  /// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian calendar).
  static func civilDate(daysSinceEpoch: Int64) -> (year: Int, month: Int, day: Int) {
    let z = daysSinceEpoch + 719_468
    let era = z.floorDivided(by: 146_097)
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let monthIndex = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
    let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
    let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    return (Int(year), Int(month), Int(day))
  }
}

private func pad(_ value: Int, _ width: Int) -> String {
  let digits = String(value)
  return digits.count >= width
    ? digits : String(repeating: "0", count: width - digits.count) + digits
}

extension Int64 {
  fileprivate func floorDivided(by divisor: Int64) -> Int64 {
    let quotient = self / divisor
    return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
  }
}
