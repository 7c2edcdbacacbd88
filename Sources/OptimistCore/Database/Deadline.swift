#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A moment on the monotonic clock (which the wall clock's steps do not move), or never.
public struct Deadline: Sendable {
  /// Nanoseconds on the monotonic clock; nil for never.
  private let end: UInt64?

  /// `seconds` from now; nil for never.
  public init(after seconds: Double?) {
    end = seconds.map { Deadline.now() + UInt64(max(0, min($0, 1e9)) * 1e9) }
  }

  /// Nanoseconds left, 0 once passed; nil for never.
  public var remaining: UInt64? {
    guard let end else { return nil }
    let now = Deadline.now()
    return end > now ? end - now : 0
  }

  public var hasPassed: Bool { remaining == 0 }

  /// The monotonic clock in nanoseconds. See clock_gettime(2).
  static func now() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
  }
}
