/// A payment in Square's Payments API shape.
///
/// A payment is APPROVED (taken with `--autocomplete false`), COMPLETED, CANCELED or FAILED
/// (declined). Only an APPROVED one changes amount or tip, and only it can be completed or
/// canceled; only a COMPLETED one is refunded. Every change gives it a new `version_token`,
/// its optimistic-concurrency check (PaymentLifecycle.swift).
public struct Payment: Sendable, Equatable {
  public enum Status: String, Sendable {
    case approved = "APPROVED"
    case completed = "COMPLETED"
    case canceled = "CANCELED"
    case failed = "FAILED"
  }

  /// Square's sandbox test source that is always declined.
  public static let declinedSource = "cnon:card-nonce-declined"

  public let id: String
  public let createdAt: Timestamp
  public internal(set) var updatedAt: Timestamp
  public internal(set) var amount: Int64
  public internal(set) var tip: Int64
  /// What the payment's refunds add up to; never more than `total`.
  public internal(set) var refunded: Int64
  public let currency: String
  public internal(set) var status: Status
  public let sourceID: String
  public let customerID: String?
  public let referenceID: String?
  public let note: String?
  /// The ids of the payment's refunds, oldest first.
  public internal(set) var refundIDs: [String]
  public internal(set) var versionToken: String

  /// amount + tip: what the payment takes.
  public var total: Int64 { amount &+ tip }

  /// A payment with every value given; `versionToken` is new.
  init(
    id: String, createdAt: Timestamp, amount: Int64, currency: String, status: Status,
    sourceID: String, customerID: String?, referenceID: String?, note: String?
  ) {
    self.id = id
    self.createdAt = createdAt
    updatedAt = createdAt
    self.amount = amount
    tip = 0
    refunded = 0
    self.currency = currency
    self.status = status
    self.sourceID = sourceID
    self.customerID = customerID
    self.referenceID = referenceID
    self.note = note
    refundIDs = []
    versionToken = ObjectID.make()
  }

  /// Marks a change: a new `updated_at` and a new `version_token`.
  mutating func touch(_ now: Timestamp) {
    updatedAt = now
    versionToken = ObjectID.make()
  }

  static let columns = [
    "id", "created_at", "updated_at", "amount", "tip", "refunded", "currency", "status",
    "source_id", "customer_id", "reference_id", "note", "refund_ids", "version_token",
  ]

  var sqlValues: [SQLValue] {
    [
      .text(id), .integer(createdAt.milliseconds), .integer(updatedAt.milliseconds),
      .integer(amount), .integer(tip), .integer(refunded), .text(currency),
      .text(status.rawValue), .text(sourceID), SQLValue(customerID), SQLValue(referenceID),
      SQLValue(note), .text(refundIDs.joinedFast(",")), .text(versionToken),
    ]
  }

  init(row: Row) throws {
    guard let id = row.text(0), let created = row.integer(1), let updated = row.integer(2),
      let amount = row.integer(3), let tip = row.integer(4), let refunded = row.integer(5),
      let currency = row.text(6), let status = row.text(7).flatMap(Status.init(rawValue:)),
      let source = row.text(8), let refundIDs = row.text(12), let token = row.text(13)
    else { throw OptimistError.storage("A stored payment row is damaged.") }
    self.id = id
    self.createdAt = Timestamp(milliseconds: created)
    self.updatedAt = Timestamp(milliseconds: updated)
    self.amount = amount
    self.tip = tip
    self.refunded = refunded
    self.currency = currency
    self.status = status
    self.sourceID = source
    self.customerID = row.text(9)
    self.referenceID = row.text(10)
    self.note = row.text(11)
    self.refundIDs = refundIDs.isEmpty ? [] : refundIDs.split(separator: ",").map(String.init)
    self.versionToken = token
  }

  /// `{"amount":N,"currency":"…"}`.
  func money(_ amount: Int64) -> String {
    var money = JSONObject()
    money.add("amount", amount)
    money.add("currency", currency)
    return money.text
  }

  /// The payment in Square's JSON shape; `tip_money`, `refunded_money` and `refund_ids` only
  /// when there are any.
  public var json: String {
    var object = JSONObject()
    object.add("id", id)
    object.add("created_at", createdAt.rfc3339)
    object.add("updated_at", updatedAt.rfc3339)
    object.addRaw("amount_money", money(amount))
    if tip > 0 { object.addRaw("tip_money", money(tip)) }
    object.addRaw("total_money", money(total))
    object.addRaw("approved_money", money(status == .failed ? 0 : total))
    if refunded > 0 { object.addRaw("refunded_money", money(refunded)) }
    object.add("status", status.rawValue)
    object.add("source_type", "CARD")
    object.add("customer_id", customerID)
    object.add("reference_id", referenceID)
    object.add("note", note)
    if !refundIDs.isEmpty {
      object.addRaw("refund_ids", jsonArray(refundIDs.map(JSONObject.quoted)))
    }
    object.add("version_token", versionToken)
    return object.text
  }
}
