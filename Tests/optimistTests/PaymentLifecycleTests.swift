import Foundation
import Testing

/// update-payment, complete-payment, cancel-payment (by id and by key) and refund-payment,
/// with real processes, on every engine: Square's codes, exit 7 for what the state does not
/// allow, version tokens, idempotency keys, and races that never refund more than was paid.
@Suite struct PaymentLifecycleTests {
  let sandbox: Sandbox

  init() throws {
    sandbox = try Sandbox()
  }

  /// A new payment (`--autocomplete false` leaves it APPROVED) and its JSON.
  func pay(_ amount: Int = 100, approved: Bool = false, source: String = "cnon:card-nonce-ok")
    -> [String: Any]
  {
    var arguments = [
      "create-payment", "--key", UUID().uuidString, "--amount", String(amount), "--currency", "USD",
      "--source-id", source,
    ]
    if approved { arguments += ["--autocomplete", "false"] }
    let result = sandbox.run(arguments)
    if source == "cnon:card-nonce-declined" {
      #expect(result.exitCode == 6, "\(result)")
      return result.json ?? [:]
    }
    return result.expectSuccess()
  }

  func money(_ object: [String: Any], _ field: String) -> Int? {
    (object[field] as? [String: Any])?["amount"] as? Int
  }

  @Test func updatePaymentChangesAmountAndTipOfAnApprovedPayment() throws {
    let payment = pay(450, approved: true)
    let id = try #require(payment["id"] as? String)
    let token = try #require(payment["version_token"] as? String)
    let updated = sandbox.run(
      "update-payment", id, "--key", "u1", "--version-token", token, "--amount", "500", "--tip",
      "75"
    ).expectSuccess()
    #expect(money(updated, "amount_money") == 500)
    #expect(money(updated, "tip_money") == 75)
    #expect(money(updated, "total_money") == 575)
    #expect(updated["status"] as? String == "APPROVED")
    #expect(updated["version_token"] as? String != token)
    #expect(updated["created_at"] as? String == payment["created_at"] as? String)
    #expect(sandbox.get(id)["version_token"] as? String == updated["version_token"] as? String)

    // The old token is stale now, and changes nothing.
    let before = sandbox.run("get", id).stdout
    sandbox.run("update-payment", id, "--key", "u2", "--version-token", token, "--tip", "1")
      .expectError(3, "VERSION_MISMATCH", field: "version_token")
    #expect(sandbox.run("get", id).stdout == before)
  }

  @Test func updatePaymentKeyRules() throws {
    let id = try #require(pay(approved: true)["id"] as? String)
    let first = sandbox.run("update-payment", id, "--key", "k", "--tip", "10")
    first.expectSuccess()
    // A retry after a lost answer replays it, byte for byte.
    let again = sandbox.run("update-payment", id, "--key", "k", "--tip", "10")
    #expect(again.stdout == first.stdout && again.exitCode == 0)
    sandbox.run("update-payment", id, "--key", "k", "--tip", "11")
      .expectError(5, "IDEMPOTENCY_KEY_REUSED")
    // The key is required, and an empty request is refused without using a key up.
    sandbox.run("update-payment", id, "--tip", "10").expectUsageError()
    sandbox.run("update-payment", id, "--key", "fresh").expectError(2, "MISSING_REQUIRED_PARAMETER")
    sandbox.run("update-payment", id, "--key", "fresh", "--tip", "-1").expectError(
      2, "INVALID_VALUE")
    sandbox.run("update-payment", id, "--key", "fresh", "--tip", "12").expectSuccess()
  }

  @Test func completeThenNothingButRefunds() throws {
    let payment = pay(approved: true)
    let id = try #require(payment["id"] as? String)
    let completed = sandbox.run("complete-payment", id).expectSuccess()
    #expect(completed["status"] as? String == "COMPLETED")
    #expect(completed["version_token"] as? String != payment["version_token"] as? String)
    sandbox.run("complete-payment", id).expectError(7, "DELAYED_TRANSACTION_CAPTURED")
    sandbox.run("cancel-payment", id).expectError(7, "DELAYED_TRANSACTION_CAPTURED")
    sandbox.run("update-payment", id, "--key", "late", "--tip", "5")
      .expectError(7, "DELAYED_TRANSACTION_CAPTURED")
  }

  @Test func cancelThenNothing() throws {
    let id = try #require(pay(approved: true)["id"] as? String)
    #expect(sandbox.run("cancel-payment", id).expectSuccess()["status"] as? String == "CANCELED")
    sandbox.run("complete-payment", id).expectError(7, "DELAYED_TRANSACTION_CANCELED")
    sandbox.run("cancel-payment", id).expectError(7, "DELAYED_TRANSACTION_CANCELED")
    sandbox.run(
      "refund-payment", "--key", "r", "--payment-id", id, "--amount", "1", "--currency", "USD"
    ).expectError(7, "PAYMENT_NOT_REFUNDABLE")
  }

  @Test func aDeclinedPaymentCannotChange() throws {
    let id = try #require(pay(source: "cnon:card-nonce-declined")["id"] as? String)
    sandbox.run("complete-payment", id).expectError(7, "DELAYED_TRANSACTION_FAILED")
    sandbox.run("cancel-payment", id).expectError(7, "DELAYED_TRANSACTION_FAILED")
    sandbox.run(
      "refund-payment", "--key", "r", "--payment-id", id, "--amount", "1", "--currency", "USD"
    ).expectError(7, "PAYMENT_NOT_REFUNDABLE")
  }

  @Test func aStaleTokenComesBeforeTheState() throws {
    let payment = pay(approved: true)
    let id = try #require(payment["id"] as? String)
    let token = try #require(payment["version_token"] as? String)
    sandbox.run("complete-payment", id, "--version-token", token).expectSuccess()
    sandbox.run("complete-payment", id, "--version-token", token)
      .expectError(3, "VERSION_MISMATCH", field: "version_token")
  }

  @Test func retriedCompleteWithItsKeyReplays() throws {
    let id = try #require(pay(approved: true)["id"] as? String)
    let first = sandbox.run("complete-payment", id, "--key", "c")
    first.expectSuccess()
    let again = sandbox.run("complete-payment", id, "--key", "c")
    #expect(again.exitCode == 0 && again.stdout == first.stdout, "\(again)")
    let cancel = sandbox.run("cancel-payment", id, "--key", "c")
    cancel.expectError(7, "DELAYED_TRANSACTION_CAPTURED")  // keys are scoped per command
  }

  @Test func refundsAddUpToTheTotalAndNoMore() throws {
    let payment = pay(100)
    let id = try #require(payment["id"] as? String)
    func refund(_ key: String, _ amount: Int, currency: String = "USD") -> CLIResult {
      sandbox.run(
        "refund-payment", "--key", key, "--payment-id", id, "--amount", String(amount),
        "--currency", currency, "--reason", "test")
    }
    let first = refund("r1", 60)
    let refunded = first.expectSuccess()
    #expect(refunded["status"] as? String == "COMPLETED")
    #expect(refunded["payment_id"] as? String == id)
    #expect(money(refunded, "amount_money") == 60)
    #expect(refunded["reason"] as? String == "test")
    refund("r2", 41).expectError(7, "REFUND_AMOUNT_INVALID", field: "amount_money.amount")
    refund("r2", 40, currency: "EUR").expectError(
      2, "INVALID_VALUE", field: "amount_money.currency")
    let second = refund("r2", 40).expectSuccess()
    refund("r3", 1).expectError(7, "REFUND_AMOUNT_INVALID")
    #expect(refund("r1", 60).stdout == first.stdout)  // replayed, not refunded again
    refund("r1", 61).expectError(5, "IDEMPOTENCY_KEY_REUSED")

    let after = sandbox.get(id)
    #expect(money(after, "refunded_money") == 100)
    #expect(
      after["refund_ids"] as? [String]
        == [refunded["id"] as? String, second["id"] as? String].compactMap { $0 })
    #expect(after["version_token"] as? String != payment["version_token"] as? String)
    // Refunds are objects of their own: get and list show them.
    #expect(sandbox.get(try #require(second["id"] as? String))["amount_money"] != nil)
    let listed =
      sandbox.run("list", "--type", "REFUND").expectSuccess()["objects"] as? [[String: Any]]
    #expect(listed?.count == 2)
  }

  @Test func anApprovedPaymentNeedsCompletionBeforeARefund() throws {
    let id = try #require(pay(approved: true)["id"] as? String)
    sandbox.run(
      "refund-payment", "--key", "r", "--payment-id", id, "--amount", "1", "--currency", "USD"
    ).expectError(7, "REFUND_ERROR_PAYMENT_NEEDS_COMPLETION")
    sandbox.run(
      "refund-payment", "--key", "r", "--payment-id", "NOPE", "--amount", "1", "--currency", "USD"
    ).expectError(4, "NOT_FOUND")
  }

  @Test func aStalePaymentTokenRefundsNothing() throws {
    let payment = pay(100)
    let id = try #require(payment["id"] as? String)
    let token = try #require(payment["version_token"] as? String)
    let args = ["refund-payment", "--payment-id", id, "--amount", "10", "--currency", "USD"]
    sandbox.run(args + ["--key", "a", "--payment-version-token", token]).expectSuccess()
    sandbox.run(args + ["--key", "b", "--payment-version-token", token])
      .expectError(3, "VERSION_MISMATCH")
    #expect(money(sandbox.get(id), "refunded_money") == 10)
  }

  /// A script that lost the answer to create-payment cancels by its key.
  @Test func cancelByKeyCancelsWhatTheKeyCreated() throws {
    let create = [
      "create-payment", "--key", "lost", "--amount", "450", "--currency", "USD", "--source-id",
      "cnon:card-nonce-ok", "--autocomplete", "false",
    ]
    let created = sandbox.run(create).expectSuccess()
    let canceled = sandbox.run("cancel-payment", "--key", "lost").expectSuccess()
    let payment = try #require(canceled["payment"] as? [String: Any])
    #expect(payment["id"] as? String == created["id"] as? String)
    #expect(payment["status"] as? String == "CANCELED")
    // Again: nothing left to do, the same answer.
    #expect(sandbox.run("cancel-payment", "--key", "lost").expectSuccess()["payment"] != nil)
    // A completed payment is not canceled by key.
    let completedKey = UUID().uuidString
    sandbox.run(
      "create-payment", "--key", completedKey, "--amount", "1", "--currency", "USD", "--source-id",
      "x"
    ).expectSuccess()
    sandbox.run("cancel-payment", "--key", completedKey).expectError(
      7, "DELAYED_TRANSACTION_CAPTURED")
  }

  /// No payment has the key yet: the cancel takes it, and the slow create that comes later
  /// charges nothing.
  @Test func cancelByKeyBeforeTheCreateArrives() throws {
    #expect(sandbox.run("cancel-payment", "--key", "slow").expectSuccess().isEmpty)
    let late = sandbox.run(
      "create-payment", "--key", "slow", "--amount", "450", "--currency", "USD", "--source-id",
      "cnon:card-nonce-ok")
    late.expectError(7, "DELAYED_TRANSACTION_CANCELED")
    #expect(
      sandbox.run(
        "create-payment", "--key", "slow", "--amount", "1", "--currency", "EUR",
        "--source-id", "other"
      ).stderr == late.stderr)
    #expect(
      (sandbox.run("list", "--type", "PAYMENT").expectSuccess()["objects"] as? [Any])?.isEmpty
        == true)
    let doctor = sandbox.run("doctor").expectSuccess()
    #expect(doctor[sandbox.engine.checkName] as? String == "ok")
  }

  @Test func cancelNeedsAnIdOrAKey() {
    sandbox.run("cancel-payment").expectUsageError()
  }

  /// 16 processes refund 10 each of a 100 payment at once, each with its own key.
  @Test func concurrentRefundsNeverExceedThePayment() throws {
    let payment = pay(100)
    let id = try #require(payment["id"] as? String)
    let results = Locked<[CLIResult]>([])
    runTogether(16) { index in
      let result = OptimistProcess.run(
        [
          "refund-payment", "--key", "race-\(index)", "--payment-id", id, "--amount", "10",
          "--currency", "USD",
        ], environment: sandbox.environment)
      results.withLock { $0.append(result) }
    }
    let all = results.withLock { $0 }
    let succeeded = all.filter { $0.exitCode == 0 }
    for result in all where result.exitCode != 0 {
      result.expectError(7, "REFUND_AMOUNT_INVALID")
    }
    #expect(succeeded.count == 10)
    let after = sandbox.get(id)
    #expect(money(after, "refunded_money") == succeeded.count * 10)
    let ids = Set(succeeded.compactMap { $0.json?["id"] as? String })
    #expect(Set((after["refund_ids"] as? [String]) ?? []) == ids)
  }

  /// 8 processes complete and 8 cancel one APPROVED payment at once: one kind wins.
  @Test func completeAndCancelRaceOneWinner() throws {
    let payment = pay(approved: true)
    let id = try #require(payment["id"] as? String)
    let token = try #require(payment["version_token"] as? String)
    let results = Locked<[(Int, CLIResult)]>([])
    runTogether(16) { index in
      // Half of each kind pass the token they read.
      var arguments = [index % 2 == 0 ? "complete-payment" : "cancel-payment", id]
      if index % 4 < 2 && index % 2 == 0 { arguments += ["--version-token", token] }
      let result = OptimistProcess.run(arguments, environment: sandbox.environment)
      results.withLock { $0.append((index, result)) }
    }
    let all = results.withLock { $0 }
    let winners = all.filter { $0.1.exitCode == 0 }
    #expect(winners.count == 1, "\(all.map { $0.1 })")
    let final = sandbox.get(id)
    let status = final["status"] as? String
    #expect(status == (winners.first.map { $0.0 % 2 == 0 ? "COMPLETED" : "CANCELED" }))
    for (_, result) in all where result.exitCode != 0 {
      #expect([3, 7].contains(result.exitCode), "\(result)")
      if result.exitCode == 3 { #expect(result.errorCode == "VERSION_MISMATCH") }
      if result.exitCode == 7 {
        #expect(
          result.errorCode
            == (status == "COMPLETED"
              ? "DELAYED_TRANSACTION_CAPTURED" : "DELAYED_TRANSACTION_CANCELED"))
      }
    }
  }

  /// Creates and cancels by the same key race: whoever comes first, nothing stays charged.
  @Test func createAndCancelByKeyRaceChargeNothing() throws {
    let results = Locked<[CLIResult]>([])
    runTogether(12) { index in
      let arguments =
        index % 2 == 0
        ? [
          "create-payment", "--key", "raced", "--amount", "700", "--currency", "USD", "--source-id",
          "cnon:card-nonce-ok", "--autocomplete", "false",
        ] : ["cancel-payment", "--key", "raced"]
      let result = OptimistProcess.run(arguments, environment: sandbox.environment)
      results.withLock { $0.append(result) }
    }
    for result in results.withLock({ $0 }) {
      if result.arguments[0] == "create-payment" && result.exitCode != 0 {
        result.expectError(7, "DELAYED_TRANSACTION_CANCELED")
      } else {
        result.expectSuccess()
      }
    }
    let payments =
      sandbox.run("list", "--type", "PAYMENT").expectSuccess()["objects"] as? [[String: Any]] ?? []
    #expect(payments.count <= 1)
    // A payment made before the first cancel was canceled by it; none is left APPROVED.
    #expect(payments.allSatisfy { $0["status"] as? String == "CANCELED" }, "\(payments)")
    #expect(sandbox.run("doctor").expectSuccess()[sandbox.engine.checkName] as? String == "ok")
  }

  /// Updates with the token each one read: every success came from a different read, so
  /// none overwrote a change it had not seen.
  @Test func updatesWithTheTokenReadLoseNothing() throws {
    let id = try #require(pay(approved: true)["id"] as? String)
    let results = Locked<[(read: String, result: CLIResult)]>([])
    runTogether(8) { index in
      for round in 0..<3 {
        let read = OptimistProcess.run(["get", id], environment: sandbox.environment)
        guard let token = read.json?["version_token"] as? String else { continue }
        let result = OptimistProcess.run(
          [
            "update-payment", id, "--key", "t\(index)-\(round)", "--version-token", token, "--tip",
            String(index * 10 + round),
          ], environment: sandbox.environment)
        results.withLock { $0.append((token, result)) }
      }
    }
    let all = results.withLock { $0 }
    let succeeded = all.filter { $0.result.exitCode == 0 }
    for entry in all where entry.result.exitCode != 0 {
      entry.result.expectError(3, "VERSION_MISMATCH")
    }
    #expect(!succeeded.isEmpty)
    #expect(Set(succeeded.map(\.read)).count == succeeded.count)
    // The stored payment is the last success's answer.
    let final = sandbox.run("get", id)
    #expect(succeeded.contains { $0.result.stdout == final.stdout })
  }

  /// A retried update after a lost answer replays the success instead of VERSION_MISMATCH,
  /// even once the object has moved on; delete likewise.
  @Test func retriedUpdateAndDeleteWithAKeyReplay() throws {
    let id = sandbox.create("create-customer", "--given-name", "Ada")
    let update = ["update", id, "--version", "0", "--set", "note=first", "--key", "u"]
    let first = sandbox.run(update)
    first.expectSuccess()
    sandbox.run("update", id, "--set", "note=second").expectSuccess()
    let again = sandbox.run(update)
    #expect(again.exitCode == 0 && again.stdout == first.stdout, "\(again)")
    sandbox.run("update", id, "--version", "0", "--set", "note=other", "--key", "u")
      .expectError(5, "IDEMPOTENCY_KEY_REUSED")
    // Without the key the same retry is a stale version.
    sandbox.run("update", id, "--version", "0", "--set", "note=first").expectError(
      3, "VERSION_MISMATCH")

    let delete = ["delete", id, "--version", "2", "--key", "d"]
    let deleted = sandbox.run(delete)
    deleted.expectSuccess()
    let replayed = sandbox.run(delete)
    #expect(replayed.exitCode == 0 && replayed.stdout == deleted.stdout, "\(replayed)")
    sandbox.run("delete", id).expectError(4, "NOT_FOUND")
  }
}
