/// `events`, `events --follow`, `prune-events`, and the server's SearchEvents: reading the
/// feed the writers append to (Store/Outbox.swift).
public struct EventsRequest: Sendable, Equatable {
  /// Only events of these types; empty: every type.
  public let types: [String]
  /// Newest first (Square's default for SearchEvents) instead of oldest first.
  public let newestFirst: Bool
  /// At most this many events.
  public let limit: Int
  /// Where the page starts: after this position (oldest first) or before it (newest first;
  /// nil: from the newest).
  let position: Int64?

  /// Square's limit for SearchEvents.
  public static let squareMaximumLimit = 100

  /// `cursor` is one optimist printed for the same order (`EventPage.cursor`).
  public init(types: [String], cursor: String?, limit: Int, newestFirst: Bool = false)
    throws(OptimistError)
  {
    for type in types where !EventFeed.types.contains(type) {
      let hint = nearestName(to: type, in: EventFeed.types).map { " Did you mean `\($0)`?" } ?? ""
      throw .invalidValue(
        field: "event_types",
        detail: "`\(type)` is not an event type optimist writes.\(hint) "
          + "Types: \(EventFeed.types.joinedFast(", ")).")
    }
    self.types = types
    self.newestFirst = newestFirst
    self.limit = limit
    if let cursor {
      guard let position = EventCursor.position(cursor, newestFirst: newestFirst) else {
        throw .invalidValue(
          field: "cursor", detail: "`\(cursor)` is not a cursor of the event feed.")
      }
      self.position = position
    } else {
      position = newestFirst ? nil : 0
    }
  }
}

/// A position in the feed as text: `events-N` (after event N, oldest first) or
/// `events-before-N` (newest first).
enum EventCursor {
  static func text(_ position: Int64, newestFirst: Bool) -> String {
    (newestFirst ? "events-before-" : "events-") + String(position)
  }

  static func position(_ text: String, newestFirst: Bool) -> Int64? {
    let prefix = newestFirst ? "events-before-" : "events-"
    guard text.hasPrefix(prefix) else { return nil }
    let digits = String(text.dropFirst(prefix.count))
    guard let position = Values.wholeNumber(digits), position >= 0, String(position) == digits
    else { return nil }
    return position
  }
}

/// One event of the feed: its position and its JSON, exactly as it was written.
public struct FeedEvent: Sendable, Equatable {
  public let position: Int64
  public let json: String

  /// The cursor that resumes after this event (oldest first).
  public var cursor: String { EventCursor.text(position, newestFirst: false) }

  /// `--follow`'s line: `{"cursor":"…","event":{…}}`.
  public var line: String {
    var line = JSONObject(capacity: json.utf8.count + 48)
    line.add("cursor", cursor)
    line.addRaw("event", json)
    return line.text
  }
}

/// A page of the feed.
public struct EventPage: Answer, Equatable {
  public let events: [FeedEvent]
  /// Where the next page starts. Oldest first it is always there: after the last event read
  /// (or every event of other types skipped), so a later call with it sees only newer events.
  /// Newest first it is there only while older events remain.
  public let cursor: String?
  /// Whether more events remained when the page was read (SearchEvents' cursor).
  public let hasMore: Bool

  public var json: String {
    var document = JSONObject()
    document.addRaw("events", jsonArray(events.map(\.json)))
    document.add("cursor", cursor)
    return document.text
  }
}

extension StoreEngine {
  /// A page of the feed.
  public func events(_ request: EventsRequest) throws -> EventPage {
    try read { db in try db.events(request) }
  }

  /// Calls `emit` with every event after the request's cursor, oldest first, as each
  /// commits, until `deadline` (nil: for ever). Between looks it waits as `wait` does
  /// (`watch`), holding no lock and using next to no CPU.
  public func followEvents(
    _ request: EventsRequest, until deadline: Deadline, emit: (FeedEvent) throws -> Void
  ) throws {
    var after = request.position ?? 0
    let _: Bool? = try watch(id: EventFeed.watchID, until: deadline) {
      while true {
        let page = try read { db in
          try db.events(
            try EventsRequest(
              types: request.types, cursor: EventCursor.text(after, newestFirst: false),
              limit: ListRequest.maximumLimit))
        }
        for event in page.events { try emit(event) }
        after = page.cursor.flatMap { EventCursor.position($0, newestFirst: false) } ?? after
        if !page.hasMore { return nil }
      }
    }
  }

  /// Deletes the events written more than `age` milliseconds ago.
  public func pruneEvents(olderThan age: Int64) throws -> Pruned {
    try write(creating: false) { db in
      let cutoff = Timestamp.now().milliseconds - age
      let count = try db.run("DELETE FROM events WHERE created_at <= \(cutoff)")
      // A delivery of a pruned event can no longer be made (a store without the webhook
      // tables has none).
      if try db.hasWebhookTables() {
        try db.run(
          "DELETE FROM webhook_deliveries WHERE NOT EXISTS "
            + "(SELECT 1 FROM events e WHERE e.seq = webhook_deliveries.event_seq)")
      }
      return Pruned(kind: .events, count: count)
    }
  }
}

extension ReadTransaction {
  func events(_ request: EventsRequest) throws -> EventPage {
    if let position = request.position, position > 0 {
      // The engine keeps the highest position ever handed out: a cursor past it was never
      // printed by optimist.
      let highest = try first(dialect.highestPosition("events"))?.integer(0) ?? 0
      guard position <= highest else {
        throw OptimistError.invalidValue(
          field: "cursor",
          detail:
            "`\(EventCursor.text(position, newestFirst: request.newestFirst))` is not a cursor of the event feed."
        )
      }
    }
    var query: SQL = "SELECT seq, body FROM events WHERE "
    if request.newestFirst {
      query.append("seq < \(request.position ?? Int64.max)")
    } else {
      query.append("seq > \(request.position ?? 0)")
    }
    if !request.types.isEmpty {
      query.append(" AND type IN (\(list: request.types.map { SQLValue.text($0) }))")
    }
    query.append(
      " ORDER BY seq \(raw: request.newestFirst ? "DESC" : "ASC") LIMIT \(request.limit + 1)")
    let rows = try rows(query)
    let events = rows.prefix(request.limit).map {
      FeedEvent(position: $0.integer(0) ?? 0, json: $0.text(1) ?? "")
    }
    let hasMore = rows.count > request.limit
    if request.newestFirst {
      return EventPage(
        events: events,
        cursor: hasMore
          ? events.last.map { EventCursor.text($0.position, newestFirst: true) } : nil,
        hasMore: hasMore)
    }
    var position = events.last?.position ?? request.position ?? 0
    if !hasMore && !request.types.isEmpty {
      // Every event of other types up to the newest was skipped: the next page starts after
      // them. Positions are handed out in commit order (Store/Outbox.swift), so none below
      // the highest visible one can still commit.
      position = max(position, try first("SELECT max(seq) FROM events")?.integer(0) ?? 0)
    }
    return EventPage(
      events: events, cursor: EventCursor.text(position, newestFirst: false), hasMore: hasMore)
  }
}
