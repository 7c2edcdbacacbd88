/// `update-payment`: an APPROVED payment's amount and/or tip; `total_money` follows.
public struct PaymentUpdateRequest: IdempotentRequest, Equatable {
  public let id: String
  public let key: IdempotencyKey?
  public let versionToken: String?
  /// The new amount, positive.
  public let amount: Int64?
  /// The new tip, at least 0.
  public let tip: Int64?
  /// The currency the caller's money is in (the server's `amount_money.currency`): when
  /// given, it must be the payment's.
  public let currency: Currency?

  public init(
    id: String, key: IdempotencyKey, versionToken: String?, amount: Int64?, tip: Int64?,
    currency: Currency? = nil
  ) throws(OptimistError) {
    self.id = id
    self.key = key
    self.versionToken = versionToken
    self.amount = try amount.map { (amount) throws(OptimistError) in
      try Money.amount(amount, field: "amount_money.amount", positive: true)
    }
    self.tip = try tip.map { (tip) throws(OptimistError) in
      try Money.amount(tip, field: "tip_money.amount", positive: false)
    }
    self.currency = currency
    guard amount != nil || tip != nil else {
      throw .missingRequiredParameter(
        field: nil, detail: "Nothing to update: give --amount N, --tip N or both.")
    }
  }
}

extension StoreEngine {
  /// Changes an APPROVED payment's amount and/or tip.
  public func updatePayment(_ request: PaymentUpdateRequest) throws -> Keyed<Payment> {
    try Keyed(
      try write(creating: false) { db in
        try db.idempotent(.updatePayment, request, ahead: db.read(id: request.id, type: .payment)) {
          var payment = try db.payment(id: request.id, versionToken: request.versionToken)
          try payment.requireApproved(to: "updated")
          if let currency = request.currency?.code, currency != payment.currency {
            throw OptimistError.invalidValue(
              field: "amount_money.currency",
              detail: "Payment `\(payment.id)` is in \(payment.currency), not \(currency).")
          }
          let expected = payment.versionToken
          if let amount = request.amount { payment.amount = amount }
          if let tip = request.tip { payment.tip = tip }
          guard payment.amount <= Int64.max - payment.tip else {
            throw OptimistError.invalidValue(
              field: "tip_money.amount", detail: "amount + tip must be at most \(Int64.max).")
          }
          payment.touch(Timestamp.now())
          try db.conditionalUpdate(payment, expectedToken: expected)
          return (payment.id, payment)
        }
      })
  }
}
