import Foundation
import Testing

@testable import OptimistCore

/// The payment lifecycle in-process: request validation, the JSON a changed payment prints,
/// and the state rules (the CLI contract runs the same rules with processes on both engines).
@Suite struct PaymentLifecycleCoreTests {
  let database = TestDatabase()

  static let badUpdates: [(amount: String?, tip: String?, code: String)] = [
    (nil, nil, "MISSING_REQUIRED_PARAMETER"), ("0", nil, "INVALID_VALUE"),
    ("-5", nil, "INVALID_VALUE"), ("1.5", nil, "INVALID_VALUE"), (nil, "-1", "INVALID_VALUE"),
    (nil, "x", "INVALID_VALUE"), ("99999999999999999999", nil, "INVALID_VALUE"),
  ]

  @Test(arguments: badUpdates)
  func updateRequestsAreValidatedBeforeTheStore(amount: String?, tip: String?, code: String) {
    let error = #expect(throws: OptimistError.self) {
      try EdgeRequest.updatePayment("P", key: "k", amount: amount, tip: tip)
    }
    #expect(error?.code == code)
    #expect(error?.exitStatus == .invalidRequest)
  }

  @Test func aTipOfZeroIsAnUpdate() throws {
    let request = try EdgeRequest.updatePayment("P", key: "k", amount: nil, tip: "0")
    #expect(request.tip == 0)
  }

  static let badRefunds: [(amount: String, currency: String, reason: String?, code: String)] = [
    ("0", "USD", nil, "INVALID_VALUE"), ("ten", "USD", nil, "INVALID_VALUE"),
    ("1", "usd", nil, "INVALID_VALUE"), ("1", "XYZ", nil, "UNSUPPORTED_CURRENCY"),
    ("1", "USD", String(repeating: "r", count: 193), "VALUE_TOO_LONG"),
  ]

  @Test(arguments: badRefunds)
  func refundRequestsAreValidatedBeforeTheStore(
    amount: String, currency: String, reason: String?, code: String
  ) {
    let error = #expect(throws: OptimistError.self) {
      try EdgeRequest.refund(
        key: "k", paymentID: "P", amount: amount, currency: currency, reason: reason)
    }
    #expect(error?.code == code)
  }

  /// tip_money, refunded_money and refund_ids appear once there are any; total = amount + tip.
  @Test func aChangedPaymentPrintsWhatChanged() throws {
    let request = try EdgeRequest.payment(
      key: "p", amount: "450", currency: "EUR", source: "cnon:card-nonce-ok", autocomplete: "false")
    let created = try TestJSON.success(database.store.createPayment(request).printed)
    #expect(
      created["tip_money"] == nil && created["refunded_money"] == nil
        && created["refund_ids"] == nil)
    let id = try #require(created["id"] as? String)
    let tipped = try TestJSON.success(
      database.store.updatePayment(EdgeRequest.updatePayment(id, key: "u", amount: nil, tip: "50"))
        .printed)
    #expect((tipped["total_money"] as? [String: Any])?["amount"] as? Int == 500)
    #expect((tipped["approved_money"] as? [String: Any])?["amount"] as? Int == 500)
    _ = try database.store.changeStatus(PaymentStatusRequest(.complete, id: id, key: nil))
    let refund = try TestJSON.success(
      database.store.refundPayment(
        EdgeRequest.refund(key: "r", paymentID: id, amount: "500", currency: "EUR")
      ).printed)
    let after = try database.get(id)
    #expect((after["refunded_money"] as? [String: Any])?["amount"] as? Int == 500)
    #expect(after["refund_ids"] as? [String] == [refund["id"] as? String].compactMap { $0 })
    #expect(after["status"] as? String == "COMPLETED")
    // Nothing is left to refund.
    let error = #expect(throws: OptimistError.self) {
      try database.store.refundPayment(
        EdgeRequest.refund(key: "r2", paymentID: id, amount: "1", currency: "EUR"))
    }
    #expect(error == .stateRefused(.refundAmountInvalid, detail: error?.detail ?? ""))
    // create, update, refund; complete had none, r2 was refused
    #expect(try database.counts().keys == 3)
  }

  /// A cancel by key with no payment yet takes the key; the create that follows is refused
  /// with the stored answer and charges nothing; the consistency rules still hold.
  @Test func aCancelByKeyBlocksTheLateCreate() throws {
    let canceled = try database.store.cancelPayment(byKey: IdempotencyKey("late"))
    #expect(StoredAnswer(canceled).stdout == "{}\n")
    let late = try database.store.createPayment(
      EdgeRequest.payment(key: "late", amount: "1", currency: "USD", source: "s")
    ).printed
    #expect(late.status == .stateRefused)
    #expect(late.stdout.isEmpty)
    #expect(try TestJSON.error(late.stderr)["code"] as? String == "DELAYED_TRANSACTION_CANCELED")
    #expect(try database.counts().payments == 0)
    #expect(try database.scalar("SELECT count(*) FROM idempotency_keys") == 1)
  }
}
