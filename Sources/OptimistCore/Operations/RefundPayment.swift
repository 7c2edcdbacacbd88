/// `refund-payment`: part or all of a COMPLETED payment. The refunds of a payment never add
/// up to more than its total, however many processes race.
public struct RefundRequest: IdempotentRequest, Equatable {
  public let key: IdempotencyKey?
  public let paymentID: String
  public let amount: Money
  public let reason: String?
  public let paymentVersionToken: String?

  public init(
    key: IdempotencyKey, paymentID: String, amount: Money, reason: String? = nil,
    paymentVersionToken: String? = nil
  ) throws(OptimistError) {
    self.key = key
    self.paymentID = paymentID
    self.amount = Money(
      amount: try Money.amount(amount.amount, field: "amount_money.amount", positive: true),
      currency: amount.currency)
    self.reason = try Values.text(reason, field: "reason", maxLength: 192)
    self.paymentVersionToken = paymentVersionToken
  }
}

extension StoreEngine {
  /// Refunds the payment; answers with the PaymentRefund.
  public func refundPayment(_ request: RefundRequest) throws -> Keyed<Refund> {
    try Keyed(
      try write(creating: false) { db in
        try db.idempotent(
          .refundPayment, request, ahead: db.read(id: request.paymentID, type: .payment)
        ) {
          var payment = try db.payment(
            id: request.paymentID, versionToken: request.paymentVersionToken)
          switch payment.status {
          case .completed:
            break
          case .approved:
            throw OptimistError.stateRefused(
              .refundNeedsCompletion,
              detail:
                "Payment `\(payment.id)` is APPROVED, not COMPLETED: cancel it instead "
                + "(cancel-payment), or complete it first.")
          case .canceled, .failed:
            throw OptimistError.stateRefused(
              .paymentNotRefundable,
              detail:
                "Payment `\(payment.id)` is \(payment.status.rawValue): nothing was charged to "
                + "refund.")
          }
          let currency = request.amount.currency.code
          guard currency == payment.currency else {
            throw OptimistError.invalidValue(
              field: "amount_money.currency",
              detail:
                "Payment `\(payment.id)` is in \(payment.currency); a refund of it must be too, "
                + "not \(currency).")
          }
          let left = payment.total - payment.refunded
          guard request.amount.amount <= left else {
            throw OptimistError.stateRefused(
              .refundAmountInvalid,
              detail:
                "Payment `\(payment.id)` has \(left) of its \(payment.total) left to refund, less "
                + "than \(request.amount.amount).")
          }
          let now = Timestamp.now()
          let refund = Refund(
            id: ObjectID.make(), paymentID: payment.id, createdAt: now,
            amount: request.amount.amount, currency: currency, reason: request.reason)
          try db.insert(refund)
          let expected = payment.versionToken
          payment.refunded += request.amount.amount
          payment.refundIDs.append(refund.id)
          payment.touch(now)
          try db.conditionalUpdate(payment, expectedToken: expected)
          return (refund.id, refund)
        }
      })
  }
}
