/// A refund of (part of) a COMPLETED payment, in Square's PaymentRefund shape.
///
/// A local refund completes at once: its status is always COMPLETED. Refunds never change.
public struct Refund: Sendable, Equatable {
  public let id: String
  public let paymentID: String
  public let createdAt: Timestamp
  public let amount: Int64
  public let currency: String
  public let reason: String?

  init(
    id: String, paymentID: String, createdAt: Timestamp, amount: Int64, currency: String,
    reason: String?
  ) {
    self.id = id
    self.paymentID = paymentID
    self.createdAt = createdAt
    self.amount = amount
    self.currency = currency
    self.reason = reason
  }

  static let columns = ["id", "payment_id", "created_at", "amount", "currency", "reason"]

  var sqlValues: [SQLValue] {
    [
      .text(id), .text(paymentID), .integer(createdAt.milliseconds), .integer(amount),
      .text(currency), SQLValue(reason),
    ]
  }

  init(row: Row) throws {
    guard let id = row.text(0), let payment = row.text(1), let created = row.integer(2),
      let amount = row.integer(3), let currency = row.text(4)
    else { throw OptimistError.storage("A stored refund row is damaged.") }
    self.init(
      id: id, paymentID: payment, createdAt: Timestamp(milliseconds: created), amount: amount,
      currency: currency, reason: row.text(5))
  }

  /// The refund in Square's JSON shape (`location_id` and `order_id` omitted).
  public var json: String {
    var money = JSONObject()
    money.add("amount", amount)
    money.add("currency", currency)
    var object = JSONObject()
    object.add("id", id)
    object.add("status", "COMPLETED")
    object.addRaw("amount_money", money.text)
    object.add("payment_id", paymentID)
    object.add("reason", reason)
    object.add("created_at", createdAt.rfc3339)
    object.add("updated_at", createdAt.rfc3339)
    return object.text
  }
}
