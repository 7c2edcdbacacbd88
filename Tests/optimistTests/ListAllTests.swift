import Foundation
import Testing

/// `list --all` follows the cursors itself: one document with every object, in order.
@Suite struct ListAllTests {
  let sandbox: Sandbox

  init() throws {
    sandbox = try Sandbox()
  }

  /// Adds `count` customers with SQL, faster than a process each: more than one page of
  /// `list --all` (1,000 objects per transaction).
  func addCustomers(_ count: Int) {
    let result: CLIResult?
    switch sandbox.engine {
    case .sqlite:
      let sql = """
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(count))
        INSERT INTO customers (id, version, created_at, updated_at, given_name)
        SELECT printf('BULK%022d', i), 0, 1700000000000 + i, 1700000000000 + i, 'bulk ' || i FROM n;
        """
      result = OptimistProcess.run(
        [sandbox.db, sql], environment: [:], executable: "/usr/bin/sqlite3")
    case .postgresql:
      // psql with the sandbox's URL: its `options` put the store's schema on the search path.
      result = try? TestServer.sql(
        """
        INSERT INTO customers (id, version, created_at, updated_at, given_name)
        SELECT 'BULK' || lpad(i::text, 22, '0'), 0, 1700000000000 + i, 1700000000000 + i, 'bulk ' || i
        FROM generate_series(1, \(count)) AS i
        """, url: sandbox.db)
    }
    #expect(result?.exitCode == 0, "\(result.map { "\($0)" } ?? "no psql")")
  }

  func ids(_ document: [String: Any]) -> [String] {
    ((document["objects"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
  }

  /// Every page of `list` with the cursor, joined.
  func paged(_ extra: [String]) -> [String] {
    var all: [String] = []
    var cursor: String?
    repeat {
      let page = sandbox.run(
        ["list", "--limit", "1000"] + extra + (cursor.map { ["--cursor", $0] } ?? [])
      )
      .expectSuccess()
      all += ids(page)
      cursor = page["cursor"] as? String
    } while cursor != nil
    return all
  }

  @Test func everyObjectOnceInOneDocument() {
    let shop = Shop(sandbox)
    addCustomers(2_345)
    let result = sandbox.run("list", "--all")
    let document = result.expectSuccess()
    #expect(document.keys.sorted() == ["objects"])
    let all = ids(document)
    #expect(all.count == 2_348)
    #expect(Set(all).count == all.count)
    #expect(all == paged([]))
    #expect(all.first == shop.customer)
    #expect(all.suffix(2) == [shop.item, shop.payment])
  }

  @Test func typeAndCursorNarrowIt() {
    let shop = Shop(sandbox)
    addCustomers(1_500)
    let customers = ids(sandbox.run("list", "--all", "--type", "CUSTOMER").expectSuccess())
    #expect(customers == paged(["--type", "CUSTOMER"]))
    #expect(customers.count == 1_501)
    let page = sandbox.run("list", "--type", "CUSTOMER", "--limit", "10").expectSuccess()
    let cursor = page["cursor"] as? String ?? ""
    let rest = ids(
      sandbox.run("list", "--all", "--type", "CUSTOMER", "--cursor", cursor).expectSuccess())
    #expect(ids(page) + rest == customers)
    #expect(ids(sandbox.run("list", "--all", "--type", "ITEM").expectSuccess()) == [shop.item])
  }

  @Test func anEmptyOrMissingStoreIsAnEmptyDocument() {
    let result = sandbox.run("list", "--all")
    #expect(result.stdout == Data("{\"objects\":[]}\n".utf8), "\(result)")
    #expect(!sandbox.exists(sandbox.db))
  }

  @Test func aRefusalPrintsNothingOnStdout() {
    _ = Shop(sandbox)
    sandbox.run("list", "--all", "--type", "ITEMS").expectError(2, "INVALID_VALUE", field: "type")
    sandbox.run("list", "--all", "--cursor", "ALL-ITEM-99").expectError(
      2, "INVALID_VALUE", field: "cursor")
    sandbox.run("list", "--all", "--limit", "5").expectUsageError()
  }
}
