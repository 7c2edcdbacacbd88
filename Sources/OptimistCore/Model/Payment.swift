/// A payment in Square's Payments API shape. Payments never change once written.
public struct Payment: Sendable, Equatable {
  public enum Status: String, Sendable {
    case approved = "APPROVED"
    case completed = "COMPLETED"
    case failed = "FAILED"
  }

  /// Square's sandbox test source that is always declined.
  public static let declinedSource = "cnon:card-nonce-declined"

  public let id: String
  public let createdAt: Timestamp
  public let amount: Int64
  public let currency: String
  public let status: Status
  public let sourceID: String
  public let customerID: String?
  public let referenceID: String?
  public let note: String?
  public let versionToken: String

  /// A new payment for a validated request, declined or approved by its source.
  init(request: PaymentRequest, now: Timestamp) {
    id = ObjectID.make()
    createdAt = now
    amount = request.amount
    currency = request.currency
    status =
      request.sourceID == Payment.declinedSource
      ? .failed : (request.autocomplete ?? true) ? .completed : .approved
    sourceID = request.sourceID
    customerID = request.customerID
    referenceID = request.referenceID
    note = request.note
    versionToken = ObjectID.make()
  }

  static let columns = [
    "id", "created_at", "amount", "currency", "status", "source_id", "customer_id",
    "reference_id", "note", "version_token",
  ]

  var sqlValues: [SQLValue] {
    [
      .text(id), .integer(createdAt.milliseconds), .integer(amount), .text(currency),
      .text(status.rawValue), .text(sourceID), SQLValue(customerID), SQLValue(referenceID),
      SQLValue(note), .text(versionToken),
    ]
  }

  init(row: Row) throws {
    guard let id = row.text(0), let created = row.integer(1), let amount = row.integer(2),
      let currency = row.text(3), let status = row.text(4).flatMap(Status.init(rawValue:)),
      let source = row.text(5), let token = row.text(9)
    else { throw OptimistError.storage("A stored payment row is damaged.") }
    self.id = id
    self.createdAt = Timestamp(milliseconds: created)
    self.amount = amount
    self.currency = currency
    self.status = status
    self.sourceID = source
    self.customerID = row.text(6)
    self.referenceID = row.text(7)
    self.note = row.text(8)
    self.versionToken = token
  }

  /// The payment in Square's JSON shape.
  public var json: String {
    var money = JSONObject()
    money.add("amount", amount)
    money.add("currency", currency)
    var approved = JSONObject()
    approved.add("amount", status == .failed ? 0 : amount)
    approved.add("currency", currency)
    var object = JSONObject()
    object.add("id", id)
    object.add("created_at", createdAt.rfc3339)
    object.add("updated_at", createdAt.rfc3339)
    object.addRaw("amount_money", money.text)
    object.addRaw("total_money", money.text)
    object.addRaw("approved_money", approved.text)
    object.add("status", status.rawValue)
    object.add("source_type", "CARD")
    object.add("customer_id", customerID)
    object.add("reference_id", referenceID)
    object.add("note", note)
    object.add("version_token", versionToken)
    return object.text
  }
}
