/// `complete-payment` (APPROVED → COMPLETED) and `cancel-payment` (APPROVED → CANCELED).
public struct PaymentStatusRequest: IdempotentRequest, Equatable {
  /// What becomes of the payment.
  public enum Change: String, Sendable, Encodable {
    case complete, cancel
  }

  public let change: Change
  public let id: String
  /// The payment's version_token as the caller read it; nil: the current one.
  public let versionToken: String?
  public let key: IdempotencyKey?

  public init(_ change: Change, id: String, versionToken: String? = nil, key: IdempotencyKey?) {
    self.change = change
    self.id = id
    self.versionToken = versionToken
    self.key = key
  }
}

extension StoreEngine {
  /// Completes or cancels an APPROVED payment.
  public func changeStatus(_ request: PaymentStatusRequest) throws -> Keyed<Payment> {
    let (scope, status, verb): (KeyScope, Payment.Status, String) =
      request.change == .complete
      ? (.completePayment, .completed, "completed") : (.cancelPayment, .canceled, "canceled")
    return try Keyed(
      try write(creating: false) { db in
        try db.idempotent(scope, request, ahead: db.read(id: request.id, type: .payment)) {
          var payment = try db.payment(id: request.id, versionToken: request.versionToken)
          try payment.requireApproved(to: verb)
          let expected = payment.versionToken
          payment.status = status
          payment.touch(Timestamp.now())
          try db.conditionalUpdate(payment, expectedToken: expected)
          return (payment.id, payment)
        }
      })
  }
}
