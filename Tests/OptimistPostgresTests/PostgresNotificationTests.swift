import Foundation
import OptimistCore
import Testing

@testable import OptimistPostgres

/// `awaitNotification` against the test server (`make test` runs this target under
/// Tests/Scripts/pg-server.sh; without a server the test fails, it is not skipped).
@Suite struct PostgresNotificationTests {
  struct NoServer: Error {}

  static func connect() throws -> PostgresConnection {
    guard let url = ProcessInfo.processInfo.environment["OPTIMIST_TEST_PG"], !url.isEmpty else {
      throw NoServer()
    }
    return try PostgresConnection(url: url, connectTimeout: 10)
  }

  @Test func onlyTheAwaitedPayloadEndsTheWait() throws {
    let listener = try Self.connect()
    let notifier = try Self.connect()
    let channel = "optimist_test_\(UUID().uuidString.prefix(8).lowercased())"
    try listener.execute("LISTEN \(channel)")

    // Nothing sent: the deadline ends the wait.
    #expect(
      try !listener.awaitNotification(channel: channel, payload: "A", until: Deadline(after: 0.1)))
    try notifier.execute("NOTIFY \(channel), 'B'")
    try notifier.execute("NOTIFY \(channel), 'A'")
    // A generous deadline: the notification ends the wait long before it.
    #expect(
      try listener.awaitNotification(channel: channel, payload: "A", until: Deadline(after: 300)))
    // B was read and dropped on the way; nothing else is pending.
    #expect(
      try !listener.awaitNotification(channel: channel, payload: "B", until: Deadline(after: 0.1)))
  }

  /// Notifications that arrive while the listener runs a transaction are not lost.
  @Test func aNotificationReadDuringAQueryStillCounts() throws {
    let listener = try Self.connect()
    let notifier = try Self.connect()
    let channel = "optimist_test_\(UUID().uuidString.prefix(8).lowercased())"
    try listener.execute("LISTEN \(channel)")
    try notifier.execute("NOTIFY \(channel), 'A'")
    // The server delivers it with this query's answer; libpq keeps it.
    _ = try listener.rows("SELECT pg_sleep(0.2)")
    #expect(
      try listener.awaitNotification(channel: channel, payload: "A", until: Deadline(after: 0)))
  }
}
