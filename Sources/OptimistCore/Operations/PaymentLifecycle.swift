/// The payment lifecycle, with Square's semantics:
///
///     create-payment ─┬─ COMPLETED ── refund-payment (any number, up to the total)
///                     ├─ APPROVED (--autocomplete false) ─┬─ update-payment (amount, tip)
///                     │                                   ├─ complete-payment → COMPLETED
///                     │                                   └─ cancel-payment   → CANCELED
///                     └─ FAILED (declined)
///
/// Every change gives the payment a new `version_token` and `updated_at`; a stale token is
/// VERSION_MISMATCH (exit 3), a change the state does not allow is exit 7. The row is read in
/// the write transaction, so locked (`payment(id:versionToken:)`), and written with
/// `conditionalUpdate(_:expectedToken:)`, so racing processes never lose a change nor refund
/// more than was paid.

extension WriteTransaction {
  /// The payment with this id, locked until the transaction ends; with `versionToken`, only
  /// if that is still its token (else VERSION_MISMATCH).
  func payment(id: String, versionToken: String?) throws -> Payment {
    guard case .payment(let payment)? = try object(id: id, type: .payment) else {
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
        detail:
          "Payment `\(id)` is COMPLETED and cannot be \(change); refund it instead (refund-payment)."
      )
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
