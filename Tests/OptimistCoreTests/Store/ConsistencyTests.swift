import Foundation
import Testing

@testable import OptimistCore
@testable import OptimistSQLite

/// The rules `doctor` checks on PostgreSQL, run here on a SQLite store (the SQL is the same).
@Suite struct ConsistencyTests {
  let database = TestDatabase()

  /// A store with a customer, two items and a payment; a connection of its own to damage it.
  private func seeded() throws -> Connection {
    try database.createCustomer([("given_name", "Ada")])
    try database.createItem([("name", "Tea")])
    try database.createItem([("name", "Coffee")])
    try database.createPayment(key: "k1", amount: "450")
    return try Connection(path: database.path, create: false)
  }

  /// The problems the store's own read transaction finds.
  private func problems() throws -> [String] {
    try database.store.read { tx in try tx.consistencyProblems() }
  }

  @Test func aStoreOptimistWroteHasNoProblems() throws {
    _ = try seeded()
    #expect(try problems() == [])
  }

  /// A key that cancel-payment --key took before any payment names no payment, rightly.
  @Test func aKeyTakenByCancelPaymentIsNoProblem() throws {
    _ = try seeded()
    _ = try database.store.cancelPayment(byKey: IdempotencyKey("k2"))
    #expect(try database.counts().keys == 2)
    #expect(try problems() == [])
  }

  @Test(arguments: [
    ("DELETE FROM payments", "1 create-payment keys that name no payment"),
    (
      "INSERT INTO idempotency_keys SELECT 'create-payment', 'k2', request, object_id, stdout, stderr, exit_code, created_at FROM idempotency_keys",
      "1 payments with more than one key"
    ),
    ("UPDATE idempotency_keys SET exit_code = -1", "1 keys without a finished answer"),
    (
      "UPDATE payments SET refunded = 1",
      "1 payments whose refunds do not add up to refunded_money or exceed the total"
    ),
    (
      "INSERT INTO refunds (id, payment_id, created_at, amount, currency) "
        + "VALUES ('REFUND', 'NO-PAYMENT', 0, 1, 'USD')",
      "1 refunds of no payment"
    ),
    ("UPDATE customers SET version = -1", "1 customers with a negative version"),
    (
      "UPDATE items SET version = (SELECT last_version + 1 FROM catalog_clock) WHERE seq = 1",
      "1 items with a version outside the catalog clock"
    ),
    (
      "UPDATE items SET version = (SELECT min(version) FROM items)",
      "1 item versions handed out twice"
    ),
    ("DELETE FROM catalog_clock", "1 catalog clock rows other than one"),
  ])
  func eachBrokenRuleIsNamed(_ damage: String, _ problem: String) throws {
    let connection = try seeded()
    try connection.execute(damage)
    #expect(try problems().contains(problem))
  }
}
