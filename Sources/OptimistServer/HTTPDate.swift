import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The `Date` header's value (RFC 9110 §5.6.7): `Sun, 06 Nov 1994 08:49:37 GMT`, made once a
/// second.
enum HTTPDate {
  private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
  private static let months = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
  ]
  private static let lock = NSLock()
  nonisolated(unsafe) private static var cached: (second: time_t, text: String) = (0, "")

  static func now() -> String {
    let second = time(nil)
    lock.lock()
    defer { lock.unlock() }
    if cached.second != second { cached = (second, format(second)) }
    return cached.text
  }

  static func format(_ second: time_t) -> String {
    var seconds = second
    var parts = tm()
    gmtime_r(&seconds, &parts)
    func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
    return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) "
      + "\(parts.tm_year + 1900) \(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
  }
}
