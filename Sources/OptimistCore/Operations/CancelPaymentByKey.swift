/// `cancel-payment --key K`: Square's CancelPaymentByIdempotencyKey, for a script that does
/// not know whether its `create-payment --key K` went through.
public struct CanceledByKey: Answer, Equatable {
  /// The payment the key created, as it is now; nil when none was created with it.
  public let payment: Payment?

  /// `{"payment":…}`, or `{}` when the key had created no payment.
  public var json: String {
    var document = JSONObject()
    if let payment { document.addRaw("payment", payment.json) }
    return document.text
  }
}

extension StoreEngine {
  /// The payment that `key` created is canceled if it is still APPROVED; a canceled or
  /// declined one is left as it is (nothing is charged either way); a COMPLETED one is exit
  /// 7. With no payment for the key, the key is taken so that a `create-payment --key K`
  /// that arrives later charges nothing (exit 7, DELAYED_TRANSACTION_CANCELED).
  public func cancelPayment(byKey key: IdempotencyKey) throws -> CanceledByKey {
    let refusal = OptimistError.stateRefused(
      .delayedTransactionCanceled,
      detail:
        "The payment for idempotency key `\(key.text)` was canceled with cancel-payment --key "
        + "before it was created: nothing was charged.")
    // A missing database is created: the key must be taken before a slow create arrives.
    return try write(creating: true) { db in
      // Claiming the key first makes a create-payment running now finish before this reads.
      let taken = try db.claim(
        .createPayment, key, request: Idempotency.canceledBeforeCreation,
        answer: StoredAnswer(refusal: refusal))
      if taken { return CanceledByKey(payment: nil) }
      let row = try db.keyRow(.createPayment, key)
      if row.request == Idempotency.canceledBeforeCreation { return CanceledByKey(payment: nil) }
      var payment = try db.payment(id: row.objectID, versionToken: nil)
      switch payment.status {
      case .approved:
        let expected = payment.versionToken
        payment.status = .canceled
        payment.touch(Timestamp.now())
        try db.conditionalUpdate(payment, expectedToken: expected)
      case .canceled, .failed:
        break
      case .completed:
        try payment.requireApproved(to: "canceled")
      }
      return CanceledByKey(payment: payment)
    }
  }
}
