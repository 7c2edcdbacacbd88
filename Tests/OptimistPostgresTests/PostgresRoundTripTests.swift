import Foundation
import Testing

@testable import OptimistCore
@testable import OptimistPostgres

/// How often a command waits for the server (after connecting): a write that reads nothing
/// before it writes sends its key's claim and its checks with its writes and COMMIT, and so
/// waits once (`WriteTransaction.isSpeculative`); a key that turns out to be taken is read
/// again, and replays or refuses exactly as without speculating (on the test server; without
/// one the test fails).
@Suite struct PostgresRoundTripTests {
  /// A fresh store in a schema of its own; each call of `store()` is a new connection
  /// (with `known`: one that speculates on, and learns, the objects it holds).
  private struct Schema {
    let url: String
    func store(_ known: KnownStates? = nil) -> PostgresStore {
      PostgresStore(url: url, timeout: 5, known: known)
    }
  }

  private func schema(_ body: (Schema) throws -> Void) throws {
    let admin = try PostgresNotificationTests.connect()
    let name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    try admin.execute("CREATE SCHEMA \(name)")
    defer { try? admin.execute("DROP SCHEMA \(name) CASCADE") }
    let base = try #require(ProcessInfo.processInfo.environment["OPTIMIST_TEST_PG"])
    let schema = Schema(
      url: base + (base.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(name)")
    try schema.store().write { _ in }
    try body(schema)
  }

  /// Runs `command` on a new connection; returns its answer and its round trips.
  private func counted<T>(
    _ schema: Schema, _ known: KnownStates? = nil, _ command: (PostgresStore) throws -> T
  ) throws -> (T, Int) {
    let store = schema.store(known)
    let answer = try command(store)
    return (answer, store.roundTrips)
  }

  private func payment(_ key: String, customer: String? = nil, amount: Int64 = 450) throws
    -> PaymentRequest
  {
    try PaymentRequest(
      key: IdempotencyKey(key), amount: Money(amount: amount, currency: Currency("USD")),
      sourceID: "cnon:card-nonce-ok", customerID: customer)
  }

  @Test func aCreateWaitsOnceAndAKeyTakenReplaysOrRefuses() throws {
    try schema { schema in
      let customer = try CreateRequest(
        type: .customer, values: FieldValues(.customer, given: [("given_name", "Ann")]),
        key: IdempotencyKey("c1"))
      let (created, createTrips) = try counted(schema) { try $0.create(customer) }
      #expect(createTrips == 1)
      let customerID = try #require(created.value?.id)
      // A read: its COMMIT waits for the next statement (none here: the connection closes).
      let (got, getTrips) = try counted(schema) { try $0.get(id: customerID) }
      #expect(getTrips == 1)
      #expect(StoredAnswer(got).stdout.contains(customerID))

      let request = try payment("p1", customer: customerID)
      let (first, paymentTrips) = try counted(schema) { try $0.createPayment(request) }
      #expect(paymentTrips == 1)
      // The same key and request: the first answer, byte for byte, and no second payment.
      let (again, replayTrips) = try counted(schema) { try $0.createPayment(request) }
      #expect(again.printed == first.printed)
      // The speculative run, then the claim with the key's row and its ROLLBACK, then COMMIT.
      #expect(replayTrips == 3)
      if case .replayed = again {} else { Issue.record("the second call was not a replay") }
      // The same key for another request: refused, nothing written.
      let reused = #expect(throws: OptimistError.self) {
        try schema.store().createPayment(try payment("p1", customer: customerID, amount: 451))
      }
      #expect(reused?.code == "IDEMPOTENCY_KEY_REUSED")
      // A customer that does not exist: NOT_FOUND, and the key stays unused.
      let missing = #expect(throws: OptimistError.self) {
        try schema.store().createPayment(try payment("p2", customer: "NOSUCHCUSTOMER"))
      }
      #expect(missing?.code == "NOT_FOUND")
      let (later, laterTrips) = try counted(schema) {
        try $0.createPayment(try payment("p2", customer: customerID))
      }
      if case .new = later {} else { Issue.record("the key was used up by a refused request") }
      #expect(laterTrips == 1)
      let payments = try schema.store().read { tx in
        try tx.first("SELECT count(*) FROM payments")?.integer(0)
      }
      #expect(payments == 2)
    }
  }

  /// A write that must read the row it replaces (its history and event hold that row's JSON,
  /// rendered here) waits twice when its state is not known: the locked read with the claim,
  /// then the writes with COMMIT.
  @Test func anUpdateOfAnUnknownObjectWaitsTwice() throws {
    try schema { schema in
      let created = try schema.store().create(
        try CreateRequest(
          type: .customer, values: FieldValues(.customer, given: [("given_name", "Ann")]),
          key: nil))
      let id = try #require(created.value?.id)
      let update = try UpdateRequest(
        id: id, version: 0,
        changes: [FieldChange(Field("note", .text(maxLength: 500)), .text("x"))],
        key: IdempotencyKey("u1"))
      let (_, trips) = try counted(schema) { try $0.update(update) }
      #expect(trips == 2)
    }
  }

  private func note(_ text: String) -> FieldChange {
    FieldChange(Field("note", .text(maxLength: 500)), .text(text))
  }

  /// A change of an object this user last saw as it is stored (KnownStates) sends the check
  /// that it still is with its writes and COMMIT: one round trip, for every command that
  /// changes a stored object; it answers as the two-round-trip write does.
  @Test func aChangeOfAKnownObjectWaitsOnce() throws {
    try schema { schema in
      let known = KnownStates()
      let (created, _) = try counted(schema, known) {
        try $0.create(
          try CreateRequest(
            type: .customer, values: FieldValues(.customer, given: [("given_name", "Ann")]),
            key: nil))
      }
      let id = try #require(created.value?.id)
      // Learned from the create: version 0, as written.
      let (first, firstTrips) = try counted(schema, known) {
        try $0.update(try UpdateRequest(id: id, version: 0, changes: [note("a")], key: nil))
      }
      #expect(firstTrips == 1)
      #expect(first.value?.version == 1)
      // With a key, and then replayed: the replay reads the key (its state was learned).
      let keyed = try UpdateRequest(
        id: id, version: 1, changes: [note("b")], key: IdempotencyKey("u1"))
      let (second, secondTrips) = try counted(schema, known) { try $0.update(keyed) }
      #expect(secondTrips == 1)
      let (replayed, _) = try counted(schema, known) { try $0.update(keyed) }
      #expect(replayed.printed == second.printed)
      // The history was written from the known rows, exactly as from a read.
      let history = try schema.store().read { tx in
        try tx.rows("SELECT object FROM history ORDER BY version").map { $0.text(0) ?? "" }
      }
      #expect(history == [try #require(created.value?.json), try #require(first.value?.json)])
      #expect(StoredAnswer(try schema.store().get(id: id)).stdout == second.printed.stdout)

      // Changed by someone who did not tell this user: the check fails on the server, the
      // write runs again reading the row, and a stale version is refused as ever.
      _ = try schema.store().update(
        try UpdateRequest(id: id, version: 2, changes: [note("elsewhere")], key: nil))
      let stale = #expect(throws: OptimistError.self) {
        try schema.store(known).update(
          try UpdateRequest(id: id, version: 2, changes: [note("c")], key: nil))
      }
      #expect(stale?.code == "VERSION_MISMATCH")
      // That run read the row: known again, and the next write waits once.
      let (_, againTrips) = try counted(schema, known) {
        try $0.update(try UpdateRequest(id: id, version: 3, changes: [note("d")], key: nil))
      }
      #expect(againTrips == 1)
      // A deletion of a known object, then NOT_FOUND, as without speculation.
      let (_, deleteTrips) = try counted(schema, known) {
        try $0.delete(DeleteRequest(id: id, version: 4))
      }
      #expect(deleteTrips == 1)
      let gone = #expect(throws: OptimistError.self) {
        try schema.store(known).update(
          try UpdateRequest(id: id, version: 5, changes: [note("e")], key: nil))
      }
      #expect(gone?.code == "NOT_FOUND")
    }
  }

  /// The payment life cycle on a payment this user last saw as stored: each change one round
  /// trip, and a refund never takes more than the payment has left, known or not.
  @Test func thePaymentLifeCycleOfAKnownPaymentWaitsOnceAStepAndRefundsNoMore() throws {
    try schema { schema in
      let known = KnownStates()
      func key(_ text: String) throws -> IdempotencyKey { try IdempotencyKey(text) }
      let usd = try Currency("USD")
      let (created, createTrips) = try counted(schema, known) {
        try $0.createPayment(
          try PaymentRequest(
            key: key("p"), amount: Money(amount: 1000, currency: usd),
            sourceID: "cnon:card-nonce-ok", autocomplete: false))
      }
      #expect(createTrips == 1)
      let approved = try #require(created.value?.payment)
      let (updated, updateTrips) = try counted(schema, known) {
        try $0.updatePayment(
          try PaymentUpdateRequest(
            id: approved.id, key: key("u"), versionToken: approved.versionToken, amount: 1200,
            tip: nil))
      }
      #expect(updateTrips == 1)
      let changed = try #require(updated.value)
      #expect(changed.amount == 1200)
      let (completed, completeTrips) = try counted(schema, known) {
        try $0.changeStatus(
          PaymentStatusRequest(
            .complete, id: approved.id, versionToken: changed.versionToken, key: key("c")))
      }
      #expect(completeTrips == 1)
      #expect(completed.value?.status == .completed)
      let (_, refundTrips) = try counted(schema, known) {
        try $0.refundPayment(
          try RefundRequest(
            key: key("r1"), paymentID: approved.id, amount: Money(amount: 700, currency: usd)))
      }
      #expect(refundTrips == 1)
      // Another refund, by someone who did not tell this user: what is known is stale, the
      // check fails on the server, and the run again reads the payment and refuses a refund
      // beyond what is left.
      _ = try schema.store().refundPayment(
        try RefundRequest(
          key: key("r2"), paymentID: approved.id, amount: Money(amount: 400, currency: usd)))
      let tooMuch = #expect(throws: OptimistError.self) {
        try schema.store(known).refundPayment(
          try RefundRequest(
            key: key("r3"), paymentID: approved.id, amount: Money(amount: 200, currency: usd)))
      }
      #expect(tooMuch?.code == "REFUND_AMOUNT_INVALID")
      let refunded = try schema.store().read { tx in
        try tx.first("SELECT refunded, amount FROM payments")
      }
      #expect(refunded?.integer(0) == 1100)
      #expect(refunded?.integer(1) == 1200)
      // A cancel of another known payment, approved: one round trip.
      let (other, _) = try counted(schema, known) {
        try $0.createPayment(
          try PaymentRequest(
            key: key("p2"), amount: Money(amount: 300, currency: usd),
            sourceID: "cnon:card-nonce-ok", autocomplete: false))
      }
      let (canceled, cancelTrips) = try counted(schema, known) {
        try $0.changeStatus(
          PaymentStatusRequest(
            .cancel, id: try #require(other.value?.payment.id), key: key("x")))
      }
      #expect(cancelTrips == 1)
      #expect(canceled.value?.status == .canceled)
    }
  }

  /// A refusal made from a known state that is no longer stored never reaches the user: the
  /// check goes with the ROLLBACK, fails, and the write runs again reading the row; and a
  /// keyed retry replays its first answer, whatever is known.
  @Test func aRefusalFromAStaleKnownStateIsNeverTheAnswer() throws {
    try schema { schema in
      let known = KnownStates()
      func key(_ text: String) throws -> IdempotencyKey { try IdempotencyKey(text) }
      let usd = try Currency("USD")
      let created = try schema.store(known).createPayment(
        try PaymentRequest(
          key: key("p"), amount: Money(amount: 1000, currency: usd),
          sourceID: "cnon:card-nonce-ok", autocomplete: false))
      let first = try #require(created.value?.payment)
      // Changed elsewhere: this user knows the first token only.
      let elsewhere = try #require(
        try schema.store().updatePayment(
          try PaymentUpdateRequest(
            id: first.id, key: key("e"), versionToken: first.versionToken, amount: 1100, tip: nil)
        ).value)
      // The current token, which this user got from elsewhere: not VERSION_MISMATCH.
      let request = try PaymentUpdateRequest(
        id: first.id, key: key("u"), versionToken: elsewhere.versionToken, amount: 1200,
        tip: nil)
      let updated = try schema.store(known).updatePayment(request)
      #expect(updated.value?.amount == 1200)
      // The same request and key again: its first answer, although the token it names is
      // now stale (and known so).
      let again = try schema.store(known).updatePayment(request)
      #expect(again.printed == updated.printed)
      if case .replayed = again {} else { Issue.record("the retry was not a replay") }
      // Completed elsewhere: this user knows it APPROVED, and refunds it all the same.
      _ = try schema.store().changeStatus(
        PaymentStatusRequest(.complete, id: first.id, key: key("c")))
      let refund = try schema.store(known).refundPayment(
        try RefundRequest(
          key: key("r"), paymentID: first.id, amount: Money(amount: 500, currency: usd)))
      #expect(refund.value?.amount == 500)
      // And a refusal from a known state that holds is the answer, in one round trip.
      let store = schema.store(known)
      let completed = #expect(throws: OptimistError.self) {
        try store.changeStatus(PaymentStatusRequest(.cancel, id: first.id, key: key("x")))
      }
      #expect(completed?.exitStatus == .stateRefused)
      #expect(store.roundTrips == 1)
    }
  }

  /// An item known as stored: `update` (which looks among customers first: that no customer
  /// has the item's id is checked on the server too) waits only for the catalog clock's
  /// version, then for COMMIT; its history is the known row's. A deleted object is forgotten.
  @Test func anUpdateOfAKnownItemWaitsForTheCatalogClockAndCommitOnly() throws {
    try schema { schema in
      let known = KnownStates()
      let created = try schema.store(known).create(
        try CreateRequest(
          type: .item, values: FieldValues(.item, given: [("name", "Tea")]), key: nil))
      let item = try #require(created.value)
      let description = try #require(Field.named("description"))
      let (updated, trips) = try counted(schema, known) {
        try $0.update(
          try UpdateRequest(
            id: item.id, version: item.version,
            changes: [FieldChange(description, .text("Green"))], key: nil))
      }
      #expect(trips == 2)
      let history = try schema.store().read { tx in
        try tx.rows("SELECT object FROM history").map { $0.text(0) ?? "" }
      }
      #expect(history == [item.json])
      let version = try #require(updated.value?.version)
      let (_, deleteTrips) = try counted(schema, known) {
        try $0.delete(DeleteRequest(id: item.id, version: version))
      }
      #expect(deleteTrips == 1)
      #expect(known.entry(id: item.id) == nil)
    }
  }
}
