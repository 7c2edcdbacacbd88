import Testing

@testable import OptimistCore

/// Square's retry schedule and what a notification_url may be.
@Suite struct WebhookTests {
  @Test func retriesFollowSquaresScheduleFor72Hours() {
    let schedule = RetrySchedule(scale: 1)
    let first = Timestamp(milliseconds: 1_000_000)
    let minutes = (1...9).map { attempts in
      schedule.next(after: Int64(attempts), firstAttemptAt: first).map {
        ($0.milliseconds - first.milliseconds) / 60_000
      }
    }
    // After 1, 2, 4, 8, 16 and 32 minutes (counted between attempts), then hourly.
    #expect(minutes == [1, 3, 7, 15, 31, 63, 123, 183, 243])
    let last = (1...200).last { schedule.next(after: Int64($0), firstAttemptAt: first) != nil }
    let end = schedule.next(after: Int64(last ?? 0), firstAttemptAt: first)
    #expect(end.map { $0.milliseconds - first.milliseconds } ?? 0 <= 72 * 3_600_000)
    #expect(end.map { $0.milliseconds - first.milliseconds } ?? 0 > 71 * 3_600_000)
    #expect(schedule.next(after: Int64(last ?? 0) + 1, firstAttemptAt: first) == nil)
    // Scaled for tests: a minute is 60 ms.
    #expect(
      RetrySchedule(scale: 0.001).next(after: 1, firstAttemptAt: first)?.milliseconds
        == first.milliseconds + 60)
  }

  @Test func aNotificationURLIsHTTPOrHTTPSWithAHost() throws {
    let url = try WebhookURL("http://127.0.0.1:8080/hooks/square?x=1")
    #expect(url.host == "127.0.0.1" && url.port == 8080 && url.target == "/hooks/square?x=1")
    #expect(try WebhookURL("https://example.com").port == 443)
    #expect(try WebhookURL("http://[::1]:9/").host == "::1")
    #expect(try WebhookURL("http://localhost").target == "/")
    for bad in [
      "ftp://example.com/", "example.com", "http://", "http://:80/", "http://a:0/", "http://a:x/",
      "http://user@a/", "http://a/b c", "http://[::1/",
    ] {
      #expect(throws: OptimistError.self, "\(bad)") { try WebhookURL(bad) }
    }
  }
}
