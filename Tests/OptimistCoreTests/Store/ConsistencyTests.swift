import Foundation
import Testing

@testable import OptimistCore
@testable import OptimistSQLite

/// The rules `doctor` checks on PostgreSQL, run here on a SQLite store (the SQL is the same).
@Suite struct ConsistencyTests {
  let database = TestDatabase()

  private func seeded() throws -> Connection {
    try database.createCustomer([("given_name", "Ada")])
    try database.createItem([("name", "Tea")])
    try database.createItem([("name", "Coffee")])
    _ = try database.store.createPayment(
      PaymentRequest(key: "k1", amount: "450", currency: "USD", sourceID: "cnon:card-nonce-ok"))
    return try Connection(path: database.path, create: false)
  }

  @Test func aStoreOptimistWroteHasNoProblems() throws {
    #expect(try seeded().consistencyProblems() == [])
  }

  @Test(arguments: [
    ("DELETE FROM payments", "1 create-payment keys that name no payment"),
    (
      "INSERT INTO idempotency_keys SELECT 'create-payment', 'k2', request, object_id, stdout, stderr, exit_code, created_at FROM idempotency_keys",
      "1 payments with more than one key"
    ),
    ("UPDATE idempotency_keys SET exit_code = -1", "1 keys without a finished answer"),
    ("UPDATE customers SET version = -1", "1 customers with a negative version"),
    ("UPDATE items SET version = (SELECT last_version + 1 FROM catalog_clock) WHERE seq = 1", "1 items with a version outside the catalog clock"),
    ("UPDATE items SET version = (SELECT min(version) FROM items)", "1 item versions handed out twice"),
    ("DELETE FROM catalog_clock", "1 catalog clock rows other than one"),
  ])
  func eachBrokenRuleIsNamed(_ damage: String, _ problem: String) throws {
    let connection = try seeded()
    try connection.execute(damage)
    #expect(try connection.consistencyProblems().contains(problem))
  }
}
