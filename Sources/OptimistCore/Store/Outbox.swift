/// The event feed (Schema/005_events.sql): an outbox written in each write's own transaction.
///
/// The writers that change objects (`insert`, `conditionalUpdate`, `conditionalDelete` in
/// Objects.swift and ConditionalUpdate.swift) record the event of their change in the
/// transaction's `Outbox`; the engine has `WriteTransaction.perform` append them all just
/// before it commits. So a command that throws (refused, rolled back) appends nothing, a
/// replayed key runs no writer and appends nothing, and every committed change has its events.
///
/// On PostgreSQL the append first takes the feed's transaction-level advisory lock
/// (`SQLDialect.serializeInserts("events")`): as the last lock a write takes, it is held only
/// from the append to COMMIT and cannot deadlock with the row locks taken before it, and it
/// makes the order of `seq` the order of commits (a writer gets its numbers only after the
/// previous holder's commit is visible). On SQLite the write lock already does.
public enum EventFeed {
  /// The `merchant_id` of every event: the one local seller a store stands for.
  public static let merchantID = "OPTIMISTLOCAL"

  /// Every event type optimist writes, as Square names them. Refunds complete at once and
  /// never change, so `refund.updated` is never written; it is listed because Square lists it
  /// and a subscription may name it.
  public static let types = [
    "catalog.version.updated", "customer.created", "customer.deleted", "customer.updated",
    "payment.created", "payment.updated", "refund.created", "refund.updated",
  ]

  /// What `StoreEngine.watch` is given to wake on a new event: PostgreSQL's trigger on
  /// `events` notifies this payload (not an id: ids have no `*`).
  public static let watchID = "*events"

  /// The Square API version whose event shapes optimist writes (a subscription's default).
  public static let apiVersion = "2025-10-16"

  /// A test event of `type` (Square's TestWebhookSubscription): the envelope of a change,
  /// with an empty object.
  public static func testEvent(type: String) -> String {
    let dataType =
      type.hasPrefix("catalog.") ? "catalog_version" : String(type.prefix { $0 != "." })
    return PendingEvent(type: type, dataType: dataType, id: "", deleted: false, object: "{}")
      .envelope(id: EventID.make(), createdAt: Timestamp.now().rfc3339)
  }
}

/// The events a write transaction appends when it commits, in the order of its changes.
package final class Outbox {
  fileprivate var pending: [PendingEvent] = []

  package init() {}
}

/// One change, as the writer that made it saw it: enough to write Square's envelope.
struct PendingEvent {
  /// `customer.updated`, …
  let type: String
  /// `data.type`: customer, payment, refund, catalog_version.
  let dataType: String
  /// `data.id`: the object's id ("" for catalog_version, as Square sends it).
  let id: String
  /// `data.deleted` (Square's customer.deleted).
  let deleted: Bool
  /// The object after the write (for a deletion, its last version), as `get` prints it.
  let object: String
}

extension WriteTransaction {
  /// Runs `body` in a write transaction made on `database` (after the engine's BEGIN), then
  /// appends the events its changes recorded; the engine commits after this returns.
  /// `speculative`: see `isSpeculative`; `known`: the objects it may speculate on and keeps.
  package static func perform<T>(
    on database: any Database, speculative: Bool = false, known: KnownStates? = nil,
    _ body: (WriteTransaction) throws -> T
  ) throws -> T {
    let transaction = WriteTransaction(database, speculative: speculative, known: known)
    let result = try body(transaction)
    try transaction.appendEvents()
    return result
  }

  /// Records that `object` was created, updated or (with `deletedAt`) deleted.
  func recordChange(_ object: VersionedObject, _ change: String, deletedAt: Timestamp? = nil) {
    if object.type == .item {
      var version = JSONObject(capacity: 48)
      // An item's version is the catalog clock's time (nextCatalogVersion); a deletion
      // takes no new catalog version and says when it happened.
      version.add(
        "updated_at", (deletedAt ?? Timestamp(milliseconds: object.version)).rfc3339)
      outbox.pending.append(
        PendingEvent(
          type: "catalog.version.updated", dataType: "catalog_version", id: "", deleted: false,
          object: version.text))
    } else {
      outbox.pending.append(
        PendingEvent(
          type: "customer." + change, dataType: "customer", id: object.id,
          deleted: deletedAt != nil, object: object.json))
    }
  }

  /// Records that `payment` was created or updated (`json`: its JSON, when already rendered).
  func recordChange(_ payment: Payment, _ change: String, json: String? = nil) {
    outbox.pending.append(
      PendingEvent(
        type: "payment." + change, dataType: "payment", id: payment.id, deleted: false,
        object: json ?? payment.json))
  }

  /// Records that `refund` was created.
  func recordChange(_ refund: Refund) {
    outbox.pending.append(
      PendingEvent(
        type: "refund.created", dataType: "refund", id: refund.id, deleted: false,
        object: refund.json))
  }

  /// Appends the recorded events in one INSERT (after the feed's lock, where the engine
  /// needs one). Nothing recorded, nothing run.
  private func appendEvents() throws {
    guard !outbox.pending.isEmpty else { return }
    let now = Timestamp.now()
    let createdAt = now.rfc3339
    var insert = SQL.StringInterpolation(
      literalCapacity: 64 + 16 * outbox.pending.count,
      interpolationCount: 3 * outbox.pending.count)
    insert.appendLiteral("INSERT INTO events (type, created_at, body) VALUES ")
    // By index: enumerated() would have the runtime build the metadata of an
    // (offset, PendingEvent) tuple in every process that writes (BENCHMARKS.md).
    for index in outbox.pending.indices {
      let event = outbox.pending[index]
      insert.appendLiteral(index == 0 ? "(" : ", (")
      insert.appendInterpolation(event.type)
      insert.appendLiteral(", ")
      insert.appendInterpolation(now.milliseconds)
      insert.appendLiteral(", ")
      insert.appendInterpolation(event.envelope(id: EventID.make(), createdAt: createdAt))
      insert.appendLiteral(")")
    }
    let count = outbox.pending.count
    outbox.pending.removeAll()
    // Neither result is read: both go with the COMMIT where the engine can (PostgreSQL's
    // pipeline), so the feed's lock is held for the INSERT and the COMMIT alone.
    if let serialize = dialect.serializeInserts("events") {
      try runLater(SQL("\(raw: serialize)"), changes: nil, otherwise: .storage("events"))
    }
    try runLater(
      SQL(stringInterpolation: insert), changes: count,
      otherwise: .storage("the event feed took another number of events than \(count)"))
  }
}

extension PendingEvent {
  /// Square's envelope: `{"merchant_id","type","event_id","created_at","data":{"type","id",
  /// "object":{"<data.type>":{…}}}}`, with `"deleted":true` in data for a deletion.
  ///
  /// Written out in one string: every part but the id and the object is optimist's own text
  /// that needs no escaping (types, a UUID, a timestamp), and the object is JSON already.
  func envelope(id eventID: String, createdAt: String) -> String {
    var text = ""
    text.reserveCapacity(object.utf8.count + 224)
    text += #"{"merchant_id":""#
    text += EventFeed.merchantID
    text += #"","type":""#
    text += type
    text += #"","event_id":""#
    text += eventID
    text += #"","created_at":""#
    text += createdAt
    text += #"","data":{"type":""#
    text += dataType
    text += #"","id":"#
    text += JSONObject.quoted(id)
    if deleted { text += #","deleted":true"# }
    text += #","object":{""#
    text += dataType
    text += #"":"#
    text += object
    text += "}}}"
    return text
  }
}

/// Event ids like Square's: random (version 4) UUIDs, lower case.
enum EventID {
  static func make() -> String {
    var generator = SystemRandomNumberGenerator()
    let high = (generator.next() as UInt64) & 0xFFFF_FFFF_FFFF_0FFF | 0x4000
    let low = (generator.next() as UInt64) & 0x3FFF_FFFF_FFFF_FFFF | 0x8000_0000_0000_0000
    let digits = Array("0123456789abcdef".utf8)
    var bytes: [UInt8] = []
    bytes.reserveCapacity(36)
    for (index, word) in [high, low].enumerated() {
      for nibble in 0..<16 {
        let position = index * 16 + nibble
        if position == 8 || position == 12 || position == 16 || position == 20 {
          bytes.append(UInt8(ascii: "-"))
        }
        bytes.append(digits[Int((word >> UInt64(60 - 4 * nibble)) & 0xF)])
      }
    }
    return String(decoding: bytes, as: UTF8.self)
  }
}
