/// Square's webhook subscriptions and the state of their deliveries, which `optimist serve`
/// keeps in the store so that a restart loses nothing.
///
/// Their tables (`SQLDialect.webhookTables`) are made with the first subscription, in its
/// transaction, not by a migration: SQLite parses every table of a file in every process that
/// opens it, and no CLI command but `prune-events` reads them (Schema/006_webhooks.sql,
/// BENCHMARKS.md). Every reader asks `hasWebhookTables` first: a store without them has no
/// subscription, no delivery and nothing to schedule.

/// A `notification_url`: http or https, with a host. Loopback is allowed: this is a test tool.
public struct WebhookURL: Sendable, Equatable, Encodable {
  public let text: String
  public let isHTTPS: Bool
  public let host: String
  public let port: Int
  /// The path and query, `/` at least.
  public let target: String

  public init(_ text: String) throws(OptimistError) {
    func refuse(_ why: String) -> OptimistError {
      .invalidValue(field: "notification_url", detail: "`\(text)` \(why)")
    }
    let rest: Substring
    if text.hasPrefix("http://") {
      isHTTPS = false
      rest = text.dropFirst(7)
    } else if text.hasPrefix("https://") {
      isHTTPS = true
      rest = text.dropFirst(8)
    } else {
      throw refuse("is not an http:// or https:// URL.")
    }
    guard text.utf8.count <= 2048 else { throw refuse("is longer than 2048 bytes.") }
    let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
    let path = rest.dropFirst(authority.count).prefix { $0 != "#" }
    guard !authority.contains("@") else { throw refuse("has user information; leave it out.") }
    var hostPart = Substring(authority)
    var portPart: Substring?
    if authority.hasPrefix("[") {
      guard let close = authority.firstIndex(of: "]") else { throw refuse("has a broken host.") }
      hostPart = authority[authority.index(after: authority.startIndex)..<close]
      let after = authority[authority.index(after: close)...]
      if after.hasPrefix(":") {
        portPart = after.dropFirst()
      } else if !after.isEmpty {
        throw refuse("has a broken host.")
      }
    } else if let colon = authority.lastIndex(of: ":") {
      hostPart = authority[..<colon]
      portPart = authority[authority.index(after: colon)...]
    }
    guard !hostPart.isEmpty, hostPart.allSatisfy({ $0.isASCII && $0 != " " }) else {
      throw refuse("has no host.")
    }
    host = String(hostPart)
    if let portPart {
      guard let number = Int(portPart), (1...65535).contains(number) else {
        throw refuse("has a port that is not 1-65535.")
      }
      port = number
    } else {
      port = isHTTPS ? 443 : 80
    }
    guard path.allSatisfy({ $0.isASCII && $0 != " " && $0 != "\r" && $0 != "\n" }) else {
      throw refuse("has characters a URL may not hold unescaped.")
    }
    target = path.isEmpty ? "/" : String(path)
    self.text = text
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(text)
  }
}

/// A webhook subscription as Square shows it.
public struct WebhookSubscription: Answer, Equatable {
  public let id: String
  public let name: String?
  public let enabled: Bool
  public let eventTypes: [String]
  public let notificationURL: String
  public let apiVersion: String
  public let signatureKey: String
  public let createdAt: Timestamp
  public let updatedAt: Timestamp
  /// Whether `json` shows the signature key: only create and rotate answer with it.
  public var showsKey = false

  public var json: String {
    var object = JSONObject()
    object.add("id", id)
    object.add("name", name)
    object.add("enabled", enabled)
    object.addRaw("event_types", jsonArray(eventTypes.map(JSONObject.quoted)))
    object.add("notification_url", notificationURL)
    object.add("api_version", apiVersion)
    if showsKey { object.add("signature_key", signatureKey) }
    object.add("created_at", createdAt.rfc3339)
    object.add("updated_at", updatedAt.rfc3339)
    return object.text
  }

  static let columns =
    "id, name, enabled, event_types, notification_url, api_version, signature_key, created_at, "
    + "updated_at"

  init(row: Row) throws {
    guard let id = row.text(0), let enabled = row.integer(2), let types = row.text(3),
      let url = row.text(4), let version = row.text(5), let key = row.text(6),
      let created = row.integer(7), let updated = row.integer(8)
    else { throw OptimistError.storage("A stored webhook subscription is damaged.") }
    self.id = id
    name = row.text(1)
    self.enabled = enabled != 0
    eventTypes = types.split(separator: ",").map(String.init)
    notificationURL = url
    apiVersion = version
    signatureKey = key
    createdAt = Timestamp(milliseconds: created)
    updatedAt = Timestamp(milliseconds: updated)
  }
}

/// What a subscription is created or updated with; nil leaves a field as it is (update) or
/// takes its default (create: enabled, the latest API version).
public struct WebhookSubscriptionRequest: IdempotentRequest, Equatable {
  public let key: IdempotencyKey?
  public let name: String?
  public let enabled: Bool?
  public let eventTypes: [String]?
  public let notificationURL: WebhookURL?
  public let apiVersion: String?

  public init(
    key: IdempotencyKey?, name: String?, enabled: Bool?, eventTypes: [String]?,
    notificationURL: WebhookURL?, apiVersion: String?, creating: Bool
  ) throws(OptimistError) {
    if creating {
      guard notificationURL != nil else {
        throw .missingRequiredParameter(
          field: "subscription.notification_url",
          detail: "`subscription.notification_url` is required.")
      }
      guard eventTypes != nil else {
        throw .missingRequiredParameter(
          field: "subscription.event_types", detail: "`subscription.event_types` is required.")
      }
    }
    if let eventTypes {
      guard !eventTypes.isEmpty else {
        throw .invalidValue(
          field: "subscription.event_types", detail: "A subscription needs at least one event type."
        )
      }
      for type in eventTypes where !EventFeed.types.contains(type) {
        throw .invalidValue(
          field: "subscription.event_types",
          detail: "`\(type)` is not an event type: \(EventFeed.types.joinedFast(", ")).")
      }
    }
    if let name, name.unicodeScalars.count > 64 {
      throw .valueTooLong(field: "subscription.name", maximum: 64)
    }
    self.key = key
    self.name = name
    self.enabled = enabled
    self.eventTypes = eventTypes
    self.notificationURL = notificationURL
    self.apiVersion = apiVersion
  }
}

/// A delivery due now: the event's body, where it goes, and how many attempts came before.
public struct WebhookDelivery: Sendable {
  public let subscriptionID: String
  public let eventPosition: Int64
  public let attempts: Int64
  public let firstAttemptAt: Timestamp?
  public let url: String
  public let signatureKey: String
  public let body: String
}

/// Square's retry schedule: after the first attempt, 1, 2, 4, 8, 16 and 32 minutes, then
/// every hour, for 72 hours; `scale` shrinks it for tests (0.001: a minute is 60 ms).
public struct RetrySchedule: Sendable {
  public let scale: Double

  public init(scale: Double) { self.scale = scale }

  /// When attempt `attempts + 1` is due, given when the first was made; nil when the
  /// schedule is over.
  public func next(after attempts: Int64, firstAttemptAt first: Timestamp) -> Timestamp? {
    let minute = 60_000.0
    let offset: Double
    if attempts <= 6 {
      offset = Double((1 << attempts) - 1) * minute
    } else {
      offset = 63 * minute + Double(attempts - 6) * 60 * minute
    }
    guard offset <= 72 * 60 * minute else { return nil }
    return Timestamp(milliseconds: first.milliseconds + Int64(offset * scale))
  }
}

extension StoreEngine {
  public func createWebhookSubscription(_ request: WebhookSubscriptionRequest) throws -> Keyed<
    WebhookSubscription
  > {
    try Keyed(
      try write { db in
        try db.idempotent(.createWebhookSubscription, request) {
          try db.createWebhookTables()
          let id = "wbhk_" + ObjectID.make().lowercased()
          let now = Timestamp.now().milliseconds
          let position = try db.first("SELECT max(seq) FROM events")?.integer(0) ?? 0
          try db.run(
            """
            INSERT INTO webhook_subscriptions (id, name, enabled, event_types, notification_url, \
            api_version, signature_key, created_at, updated_at, after_seq) VALUES (\(id), \
            \(request.name), \(Int64(request.enabled ?? true ? 1 : 0)), \
            \((request.eventTypes ?? []).joinedFast(",")), \(request.notificationURL?.text ?? ""), \
            \(request.apiVersion ?? EventFeed.apiVersion), \(ObjectID.make()), \(now), \(now), \
            \(position))
            """)
          var subscription = try db.webhookSubscription(id: id)
          subscription.showsKey = true
          return (id, subscription)
        }
      })
  }

  public func webhookSubscriptions(includeDisabled: Bool, limit: Int, newestFirst: Bool) throws
    -> [WebhookSubscription]
  {
    try read { db in
      guard try db.hasWebhookTables() else { return [] }
      return try db.rows(
        """
        SELECT \(raw: WebhookSubscription.columns) FROM webhook_subscriptions \
        \(raw: includeDisabled ? "" : "WHERE enabled = 1 ")ORDER BY seq \
        \(raw: newestFirst ? "DESC" : "ASC") LIMIT \(limit)
        """
      ).map { try WebhookSubscription(row: $0) }
    }
  }

  public func webhookSubscription(id: String) throws -> WebhookSubscription {
    try read { db in try db.webhookSubscription(id: id) }
  }

  public func updateWebhookSubscription(id: String, _ request: WebhookSubscriptionRequest) throws
    -> WebhookSubscription
  {
    try write(creating: false) { db in
      let current = try db.webhookSubscription(id: id, locked: true)
      try db.run(
        """
        UPDATE webhook_subscriptions SET name = \(request.name ?? current.name), \
        enabled = \(Int64((request.enabled ?? current.enabled) ? 1 : 0)), \
        event_types = \((request.eventTypes ?? current.eventTypes).joinedFast(",")), \
        notification_url = \(request.notificationURL?.text ?? current.notificationURL), \
        api_version = \(request.apiVersion ?? current.apiVersion), \
        updated_at = \(Timestamp.now().milliseconds) WHERE id = \(id)
        """)
      return try db.webhookSubscription(id: id)
    }
  }

  /// Deletes the subscription and its deliveries still to be made.
  public func deleteWebhookSubscription(id: String) throws {
    try write(creating: false) { db in
      _ = try db.webhookSubscription(id: id, locked: true)
      try db.run("DELETE FROM webhook_deliveries WHERE subscription_id = \(id)")
      try db.run("DELETE FROM webhook_subscriptions WHERE id = \(id)")
    }
  }

  /// Gives the subscription a new signature key; deliveries from now on are signed with it.
  public func rotateWebhookSignatureKey(id: String) throws -> String {
    try write(creating: false) { db in
      _ = try db.webhookSubscription(id: id, locked: true)
      let key = ObjectID.make()
      try db.run(
        "UPDATE webhook_subscriptions SET signature_key = \(key), "
          + "updated_at = \(Timestamp.now().milliseconds) WHERE id = \(id)")
      return key
    }
  }

  /// Creates the deliveries of events the server has not scheduled yet, one per event and
  /// enabled subscription that wants its type and was created before it; returns how many.
  /// The feed's position is locked while it moves, so two servers never schedule twice.
  public func scheduleWebhookDeliveries(now: Timestamp) throws -> Int {
    // Looked at first without the write lock, so that a server with nothing to schedule (no
    // subscription, or no new event), which looks every second, keeps out of writers' way.
    let behind = try read { db in
      try db.hasWebhookTables()
        && db.first(
          "SELECT 1 FROM events WHERE seq > (SELECT position FROM webhook_feed) LIMIT 1") != nil
    }
    guard behind else { return 0 }
    return try write(creating: false) { db in
      guard try db.hasWebhookTables() else { return 0 }
      guard
        let position = try db.first(
          "SELECT position FROM webhook_feed\(raw: db.lockClause)")?.integer(0)
      else { throw OptimistError.storage("The webhook feed position is missing.") }
      let events = try db.rows(
        "SELECT seq, type FROM events WHERE seq > \(position) ORDER BY seq LIMIT 1000")
      guard let last = events.last?.integer(0) else { return 0 }
      let subscriptions = try db.rows(
        "SELECT id, event_types, after_seq FROM webhook_subscriptions WHERE enabled = 1")
      var scheduled = 0
      for event in events {
        let seq = event.integer(0) ?? 0
        let type = event.text(1) ?? ""
        for subscription in subscriptions where (subscription.integer(2) ?? 0) < seq {
          let wanted = (subscription.text(1) ?? "").split(separator: ",")
          guard wanted.contains(where: { $0 == type }) else { continue }
          scheduled += try db.run(
            """
            INSERT INTO webhook_deliveries (subscription_id, event_seq, state, attempts, \
            next_attempt_at) VALUES (\(subscription.text(0) ?? ""), \(seq), 'PENDING', 0, \
            \(now.milliseconds)) ON CONFLICT (subscription_id, event_seq) DO NOTHING
            """)
        }
      }
      try db.run("UPDATE webhook_feed SET position = \(last)")
      return scheduled
    }
  }

  /// Up to `limit` deliveries due at `now`, the longest due first.
  public func dueWebhookDeliveries(now: Timestamp, limit: Int) throws -> [WebhookDelivery] {
    try read { db in
      guard try db.hasWebhookTables() else { return [] }
      return try db.rows(
        """
        SELECT d.subscription_id, d.event_seq, d.attempts, d.first_attempt_at, \
        s.notification_url, s.signature_key, e.body FROM webhook_deliveries d \
        JOIN webhook_subscriptions s ON s.id = d.subscription_id \
        JOIN events e ON e.seq = d.event_seq \
        WHERE d.state = 'PENDING' AND d.next_attempt_at <= \(now.milliseconds) AND s.enabled = 1 \
        ORDER BY d.next_attempt_at, d.event_seq LIMIT \(limit)
        """
      ).map { row in
        WebhookDelivery(
          subscriptionID: row.text(0) ?? "", eventPosition: row.integer(1) ?? 0,
          attempts: row.integer(2) ?? 0,
          firstAttemptAt: row.integer(3).map { Timestamp(milliseconds: $0) },
          url: row.text(4) ?? "", signatureKey: row.text(5) ?? "", body: row.text(6) ?? "")
      }
    }
  }

  /// When the next pending delivery is due, if any is.
  public func nextWebhookAttempt() throws -> Timestamp? {
    try read { db in
      guard try db.hasWebhookTables() else { return nil }
      return try db.first(
        "SELECT min(next_attempt_at) FROM webhook_deliveries WHERE state = 'PENDING'"
      )?.integer(0).map { Timestamp(milliseconds: $0) }
    }
  }

  /// Records an attempt made at `at`: DELIVERED, or the next attempt's time, or FAILED when
  /// the schedule is over.
  public func recordWebhookAttempt(
    _ delivery: WebhookDelivery, delivered: Bool, at: Timestamp, schedule: RetrySchedule
  ) throws {
    let attempts = delivery.attempts + 1
    let first = delivery.firstAttemptAt ?? at
    let next = delivered ? nil : schedule.next(after: attempts, firstAttemptAt: first)
    let state = delivered ? "DELIVERED" : next == nil ? "FAILED" : "PENDING"
    try write(creating: false) { db in
      _ = try db.run(
        """
        UPDATE webhook_deliveries SET state = \(state), attempts = \(attempts), \
        first_attempt_at = \(first.milliseconds), \
        next_attempt_at = \((next ?? at).milliseconds) \
        WHERE subscription_id = \(delivery.subscriptionID) AND event_seq = \(delivery.eventPosition) \
        AND state = 'PENDING'
        """)
    }
  }
}

extension Transaction {
  /// Whether the store has the webhook tables, made with its first subscription; without
  /// them it has no subscription and no delivery.
  func hasWebhookTables() throws -> Bool {
    try first(dialect.tableExists("webhook_subscriptions")) != nil
  }

  func webhookSubscription(id: String, locked: Bool = false) throws -> WebhookSubscription {
    guard try hasWebhookTables(),
      let row = try first(
        SQL(
          endingInPlaceholder: "SELECT \(WebhookSubscription.columns) FROM webhook_subscriptions "
            + "WHERE id = ?", .text(id)
        ).appending(raw: locked ? lockClause : ""))
    else { throw OptimistError.notFound(id: id, field: "subscription_id") }
    return try WebhookSubscription(row: row)
  }
}

extension WriteTransaction {
  /// Creates the webhook tables unless they exist, under the lock that orders inserts into
  /// `webhook_subscriptions` (PostgreSQL: a transaction-level advisory lock, so two servers
  /// creating the first subscription at once take turns, and the second finds the first's
  /// tables once it commits; SQLite: the write lock already held).
  func createWebhookTables() throws {
    if let serialize = dialect.serializeInserts("webhook_subscriptions") {
      try execute(serialize)
    }
    guard try !hasWebhookTables() else { return }
    try execute(dialect.webhookTables)
  }
}
