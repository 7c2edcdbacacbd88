import Testing

@testable import OptimistCore
@testable import OptimistSQLite

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

  /// The webhook tables come with the first subscription: before it a store has none, and
  /// every read of webhook state answers as for a store without subscriptions.
  @Test func aStoreWithoutSubscriptionsHasNoWebhookTablesAndAnswersAsEmpty() throws {
    let database = TestDatabase()
    let customer = try database.createCustomer([("given_name", "Ada")])
    let id = try #require(customer["id"] as? String)
    try database.update(id, set: ["note=one"])
    #expect(try webhookTables(database) == [])
    let store = database.store
    #expect(
      try store.webhookSubscriptions(includeDisabled: true, limit: 100, newestFirst: false).isEmpty)
    #expect(try store.scheduleWebhookDeliveries(now: .now()) == 0)
    #expect(try store.dueWebhookDeliveries(now: .now(), limit: 10).isEmpty)
    #expect(try store.nextWebhookAttempt() == nil)
    let missing = "wbhk_missing"
    #expect(try notFound { _ = try store.webhookSubscription(id: missing) })
    #expect(try notFound { _ = try store.updateWebhookSubscription(id: missing, try request()) })
    #expect(try notFound { try store.deleteWebhookSubscription(id: missing) })
    #expect(try notFound { _ = try store.rotateWebhookSignatureKey(id: missing) })
    #expect(try store.pruneEvents(olderThan: 0).count == 2)
    // None of this made them.
    #expect(try webhookTables(database) == [])

    let created = try #require(try store.createWebhookSubscription(request(creating: true)).value)
    #expect(
      try webhookTables(database) == [
        "webhook_deliveries", "webhook_deliveries_due", "webhook_feed", "webhook_subscriptions",
      ])
    #expect(try database.scalar("SELECT count(*) FROM webhook_feed") == 1)
    #expect(
      try store.webhookSubscriptions(includeDisabled: false, limit: 100, newestFirst: false).map(
        \.id) == [created.id])
    try database.update(id, set: ["note=two"])
    #expect(try store.scheduleWebhookDeliveries(now: .now()) == 1)
    #expect(
      try store.dueWebhookDeliveries(now: .now(), limit: 10).map(\.subscriptionID) == [created.id])
    // A second subscription finds the tables made and leaves them (and the feed's position) be.
    _ = try store.createWebhookSubscription(request(creating: true))
    #expect(try database.scalar("SELECT count(*) FROM webhook_feed") == 1)
    #expect(try database.scalar("SELECT count(*) FROM webhook_subscriptions") == 2)
  }

  /// A store a development build made has the tables from migration 6 (which made them for
  /// every store then): it keeps them, and its subscriptions work as before.
  @Test func aStoreWhoseTablesMigration6MadeKeepsThem() throws {
    let database = TestDatabase()
    let customer = try database.createCustomer([("given_name", "Ada")])
    let id = try #require(customer["id"] as? String)
    let connection = try Connection(path: database.path, create: false)
    try connection.execute(Self.developmentMigration6)
    try connection.execute("UPDATE webhook_feed SET position = 1")
    let store = database.store
    #expect(
      try store.webhookSubscriptions(includeDisabled: true, limit: 10, newestFirst: false).isEmpty)
    let created = try #require(try store.createWebhookSubscription(request(creating: true)).value)
    #expect(try database.scalar("SELECT count(*) FROM webhook_feed") == 1)
    #expect(try database.scalar("SELECT position FROM webhook_feed") == 1)
    try database.update(id, set: ["note=one"])
    #expect(try store.scheduleWebhookDeliveries(now: .now()) == 1)
    #expect(
      try store.dueWebhookDeliveries(now: .now(), limit: 10).map(\.subscriptionID) == [created.id])
  }

  /// Schema/006_webhooks.sql as development builds ran it.
  static let developmentMigration6 = """
    CREATE TABLE webhook_subscriptions (
      seq              INTEGER PRIMARY KEY AUTOINCREMENT,
      id               TEXT    NOT NULL UNIQUE,
      name             TEXT,
      enabled          INTEGER NOT NULL,
      event_types      TEXT    NOT NULL,
      notification_url TEXT    NOT NULL,
      api_version      TEXT    NOT NULL,
      signature_key    TEXT    NOT NULL,
      created_at       INTEGER NOT NULL,
      updated_at       INTEGER NOT NULL,
      after_seq        INTEGER NOT NULL
    );
    CREATE TABLE webhook_feed (
      position INTEGER NOT NULL
    );
    INSERT INTO webhook_feed (position) VALUES (0);
    CREATE TABLE webhook_deliveries (
      subscription_id  TEXT    NOT NULL,
      event_seq        INTEGER NOT NULL,
      state            TEXT    NOT NULL,
      attempts         INTEGER NOT NULL,
      first_attempt_at INTEGER,
      next_attempt_at  INTEGER NOT NULL,
      PRIMARY KEY (subscription_id, event_seq)
    ) WITHOUT ROWID;
    CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at);
    """

  private func request(creating: Bool = false) throws -> WebhookSubscriptionRequest {
    try WebhookSubscriptionRequest(
      key: nil, name: "CI", enabled: nil, eventTypes: ["customer.updated"],
      notificationURL: WebhookURL("http://127.0.0.1:9/hook"), apiVersion: nil, creating: creating)
  }

  /// The names of the store's webhook tables and indexes, sorted.
  private func webhookTables(_ database: TestDatabase) throws -> [String] {
    try Connection(path: database.path, create: false).rows(
      "SELECT name FROM sqlite_master WHERE name LIKE 'webhook%' ORDER BY name"
    ).compactMap { $0.text(0) }
  }

  private func notFound(_ body: () throws -> Void) throws -> Bool {
    do {
      try body()
      return false
    } catch let error as OptimistError {
      return error.code == "NOT_FOUND"
    }
  }
}
