/// The payment lifecycle, with Square's semantics:
///
///     create-payment ─┬─ COMPLETED ── refund-payment (any number, up to the total)
///                     ├─ APPROVED (--autocomplete false) ─┬─ update-payment (amount, tip)
///                     │                                   ├─ complete-payment → COMPLETED
///                     │                                   └─ cancel-payment   → CANCELED
///                     └─ FAILED (declined)
///
/// Every change gives the payment a new `version_token` and `updated_at`; a stale token is
/// VERSION_MISMATCH (exit 3), a change the state does not allow is exit 7. The row is read
/// locked (`object(id:forUpdate:)`) and written with `conditionalUpdate(_:expectedToken:)`,
/// so racing processes never lose a change nor refund more than was paid.

/// A validated `update-payment` request.
public struct PaymentUpdateRequest: Sendable, Equatable {
  public let id: String
  public let key: String
  public let versionToken: String?
  public let amount: Int64?
  public let tip: Int64?
  /// The currency the caller's money is in (the server's `amount_money.currency`): when
  /// given, it must be the payment's.
  public let currency: String?

  public init(
    id: String, key: String, versionToken: String?, amount: String?, tip: String?,
    currency: String? = nil
  ) throws(OptimistError) {
    self.id = id
    self.currency = try currency.map { (code) throws(OptimistError) in try Currency.validate(code) }
    self.key = try validateIdempotencyKey(key)
    self.versionToken = versionToken
    self.amount = try amount.map { (raw) throws(OptimistError) in
      try PaymentUpdateRequest.money(raw, field: "amount_money.amount", positive: true)
    }
    self.tip = try tip.map { (raw) throws(OptimistError) in
      try PaymentUpdateRequest.money(raw, field: "tip_money.amount", positive: false)
    }
    guard self.amount != nil || self.tip != nil else {
      throw .missingRequiredParameter(
        field: nil, detail: "Nothing to update: give --amount N, --tip N or both.")
    }
  }

  /// A whole number of the currency's smallest unit: positive, or (a tip) at least 0.
  static func money(_ raw: String, field: String, positive: Bool) throws(OptimistError) -> Int64 {
    guard let value = Values.wholeNumber(raw), positive ? value > 0 : value >= 0 else {
      throw .invalidValue(
        field: field,
        detail:
          "`\(field)` must be a \(positive ? "positive" : "non-negative") whole number of the currency's smallest unit, not `\(raw)`."
      )
    }
    return value
  }

  var fingerprint: String {
    var object = JSONObject()
    object.add("payment_id", id)
    object.add("version_token", versionToken)
    object.add("amount", amount)
    object.add("tip", tip)
    object.add("currency", currency)
    return object.text
  }
}

/// A validated `refund-payment` request.
public struct RefundRequest: Sendable, Equatable {
  public let key: String
  public let paymentID: String
  public let amount: Int64
  public let currency: String
  public let reason: String?
  public let paymentVersionToken: String?

  public init(
    key: String, paymentID: String, amount: String, currency: String, reason: String? = nil,
    paymentVersionToken: String? = nil
  ) throws(OptimistError) {
    self.key = try validateIdempotencyKey(key)
    self.paymentID = paymentID
    self.amount = try PaymentUpdateRequest.money(amount, field: "amount_money.amount", positive: true)
    self.currency = try Currency.validate(currency)
    self.reason = try Values.text(reason, field: "reason", maxLength: 192)
    self.paymentVersionToken = paymentVersionToken
  }

  var fingerprint: String {
    var object = JSONObject()
    object.add("payment_id", paymentID)
    object.add("amount", amount)
    object.add("currency", currency)
    object.add("reason", reason)
    object.add("payment_version_token", paymentVersionToken)
    return object.text
  }
}

extension StoreEngine {
  /// Changes an APPROVED payment's amount and/or tip; `total_money` follows.
  public func updatePayment(_ request: PaymentUpdateRequest) throws -> Output {
    try write(creating: false) { db in
      try db.idempotent(
        command: "update-payment", key: request.key, request: request.fingerprint, check: {}
      ) {
        var payment = try db.payment(id: request.id, versionToken: request.versionToken)
        try payment.requireApproved(to: "updated")
        if let currency = request.currency, currency != payment.currency {
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
        return (payment.id, .success(payment.json))
      }
    }
  }

  /// APPROVED → COMPLETED.
  public func completePayment(id: String, versionToken: String?, key: String?) throws -> Output {
    try changeStatus(
      command: "complete-payment", id: id, versionToken: versionToken, key: key, to: .completed)
  }

  /// APPROVED → CANCELED.
  public func cancelPayment(id: String, key: String?) throws -> Output {
    try changeStatus(command: "cancel-payment", id: id, versionToken: nil, key: key, to: .canceled)
  }

  private func changeStatus(
    command: String, id: String, versionToken: String?, key: String?, to status: Payment.Status
  ) throws -> Output {
    let key = try key.map { (key) throws(OptimistError) in try validateIdempotencyKey(key) }
    var fingerprint = JSONObject()
    fingerprint.add("payment_id", id)
    fingerprint.add("version_token", versionToken)
    return try write(creating: false) { db in
      try db.idempotent(command: command, key: key, request: fingerprint.text, check: {}) {
        var payment = try db.payment(id: id, versionToken: versionToken)
        try payment.requireApproved(to: status == .completed ? "completed" : "canceled")
        let expected = payment.versionToken
        payment.status = status
        payment.touch(Timestamp.now())
        try db.conditionalUpdate(payment, expectedToken: expected)
        return (payment.id, .success(payment.json))
      }
    }
  }

  /// Square's CancelPaymentByIdempotencyKey, for a script that does not know whether its
  /// `create-payment --key K` went through: the payment that key created is canceled if it is
  /// still APPROVED (`{"payment":…}`); a canceled or declined one is left as it is (nothing
  /// is charged either way); a COMPLETED one is exit 7. With no payment for the key, the key
  /// is taken so that a `create-payment --key K` that arrives later charges nothing (exit 7,
  /// DELAYED_TRANSACTION_CANCELED), and this prints `{}`.
  public func cancelPayment(byKey rawKey: String) throws -> Output {
    let key = try validateIdempotencyKey(rawKey)
    let refusal = OptimistError.stateRefused(
      .delayedTransactionCanceled,
      detail:
        "The payment for idempotency key `\(key)` was canceled with cancel-payment --key before it was created: nothing was charged."
    )
    // A missing database is created: the key must be taken before a slow create arrives.
    return try write(creating: true) { db in
      // Claiming the key first makes a create-payment running now finish before this reads.
      let claimed = try db.run(
        "INSERT INTO idempotency_keys (command, key, request, object_id, stdout, stderr, "
          + "exit_code, created_at) VALUES ('create-payment', ?, ?, '', '', ?, ?, ?) "
          + "ON CONFLICT (command, key) DO NOTHING",
        [
          .text(key), .text(Idempotency.canceledBeforeCreation), .text(refusal.document + "\n"),
          .integer(Int64(refusal.exitStatus.code)), .integer(Timestamp.now().milliseconds),
        ])
      if claimed == 1 { return .success("{}") }
      guard
        let row = try db.first(
          "SELECT object_id, request FROM idempotency_keys WHERE command = 'create-payment' "
            + "AND key = ?", [.text(key)])
      else { throw OptimistError.unavailable("Idempotency key `\(key)` was pruned during this command; retry it.") }
      if row.text(1) == Idempotency.canceledBeforeCreation { return .success("{}") }
      var payment = try db.payment(id: row.text(0) ?? "", versionToken: nil)
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
      var document = JSONObject()
      document.addRaw("payment", payment.json)
      return .success(document.text)
    }
  }

  /// Refunds part or all of a COMPLETED payment: prints the PaymentRefund. The refunds of a
  /// payment never add up to more than its total, however many processes race.
  public func refundPayment(_ request: RefundRequest) throws -> Output {
    try write(creating: false) { db in
      try db.idempotent(
        command: "refund-payment", key: request.key, request: request.fingerprint, check: {}
      ) {
        var payment = try db.payment(id: request.paymentID, versionToken: request.paymentVersionToken)
        switch payment.status {
        case .completed:
          break
        case .approved:
          throw OptimistError.stateRefused(
            .refundNeedsCompletion,
            detail:
              "Payment `\(payment.id)` is APPROVED, not COMPLETED: cancel it instead (cancel-payment), or complete it first.")
        case .canceled, .failed:
          throw OptimistError.stateRefused(
            .paymentNotRefundable,
            detail: "Payment `\(payment.id)` is \(payment.status.rawValue): nothing was charged to refund.")
        }
        guard request.currency == payment.currency else {
          throw OptimistError.invalidValue(
            field: "amount_money.currency",
            detail: "Payment `\(payment.id)` is in \(payment.currency); a refund of it must be too, not \(request.currency).")
        }
        let left = payment.total - payment.refunded
        guard request.amount <= left else {
          throw OptimistError.stateRefused(
            .refundAmountInvalid,
            detail:
              "Payment `\(payment.id)` has \(left) of its \(payment.total) left to refund, less than \(request.amount).")
        }
        let now = Timestamp.now()
        let refund = Refund(
          id: ObjectID.make(), paymentID: payment.id, createdAt: now, amount: request.amount,
          currency: request.currency, reason: request.reason)
        try db.insert(refund)
        let expected = payment.versionToken
        payment.refunded += request.amount
        payment.refundIDs.append(refund.id)
        payment.touch(now)
        try db.conditionalUpdate(payment, expectedToken: expected)
        return (refund.id, .success(refund.json))
      }
    }
  }
}

extension Database {
  /// The payment with this id, locked until the transaction ends; with `versionToken`, only
  /// if that is still its token (else VERSION_MISMATCH).
  func payment(id: String, versionToken: String?) throws -> Payment {
    guard case .payment(let payment)? = try object(id: id, type: .payment, forUpdate: true) else {
      throw OptimistError.notFound(id: id, field: "payment_id")
    }
    if let versionToken, versionToken != payment.versionToken {
      throw OptimistError.staleVersionToken(id: id, given: versionToken)
    }
    return payment
  }
}

extension Payment {
  /// Refuses a change unless the payment is APPROVED, with Square's code for its state.
  func requireApproved(to change: String) throws(OptimistError) {
    switch status {
    case .approved:
      return
    case .completed:
      throw .stateRefused(
        .delayedTransactionCaptured,
        detail: "Payment `\(id)` is COMPLETED and cannot be \(change); refund it instead (refund-payment).")
    case .canceled:
      throw .stateRefused(
        .delayedTransactionCanceled, detail: "Payment `\(id)` is CANCELED and cannot be \(change).")
    case .failed:
      throw .stateRefused(
        .delayedTransactionFailed,
        detail: "Payment `\(id)` FAILED (declined) and cannot be \(change); nothing was charged.")
    }
  }
}
