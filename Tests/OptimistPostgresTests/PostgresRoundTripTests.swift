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
  /// A fresh store in a schema of its own; each call of `store()` is a new connection.
  private struct Schema {
    let url: String
    func store() -> PostgresStore { PostgresStore(url: url, timeout: 5) }
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
  private func counted<T>(_ schema: Schema, _ command: (PostgresStore) throws -> T) throws -> (
    T, Int
  ) {
    let store = schema.store()
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
  /// rendered here) waits twice: the locked read with the claim, then the writes with COMMIT.
  @Test func anUpdateWaitsTwice() throws {
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
}
