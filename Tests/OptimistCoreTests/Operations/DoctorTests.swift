import Foundation
import Testing

@testable import OptimistCore
@testable import OptimistSQLite

@Suite struct DoctorTests {
  let database = TestDatabase()

  @Test func reportsPathVersionsCountsAndIntegrity() throws {
    try database.createCustomer([("given_name", "A")])
    try database.createCustomer([("given_name", "B")], key: "k")
    try database.createItem([("name", "Tea")])
    try database.createPayment(key: "p")
    let doctor = try TestJSON.success(StoredAnswer(database.store.doctor(testBuild)))
    #expect(doctor["path"] as? String == database.path)
    #expect(doctor["sqlite_version"] as? String == Connection.libraryVersion)
    #expect(TestJSON.int(doctor["schema_version"]) == Int64(SQLiteStore.latest))
    #expect(doctor["integrity_check"] as? String == "ok")
    #expect(doctor["journal_mode"] is String)
    let objects = try #require(doctor["objects"] as? [String: Any])
    #expect(TestJSON.int(objects["customers"]) == 2)
    #expect(TestJSON.int(objects["items"]) == 1)
    #expect(TestJSON.int(objects["payments"]) == 1)
    #expect(TestJSON.int(doctor["idempotency_keys"]) == 2)
    #expect(TestJSON.int(doctor["history_versions"]) == 0)
    #expect(doctor["history_check"] as? String == "ok")
    // doctor only reads.
    let before = fileBytes(database.path)
    _ = try database.store.doctor(testBuild)
    #expect(fileBytes(database.path) == before)
  }

  /// A damaged file exits 1, whether the damage stops the reads or only the check sees it.
  @Test func damagedDatabaseExitsOne() throws {
    for index in 0..<300 {
      try database.createCustomer([("given_name", "Customer \(index)"), ("note", text(200))])
    }
    let bytes = try #require(fileBytes(database.path))
    let pageSize = 4096
    try #require(bytes.count > pageSize * 8)
    var damaged = bytes
    // Scribble over the cell content (kept at the end of each page) of a few data pages.
    for page in [12, 14, 16] {
      let start = page * pageSize + pageSize - 1500
      damaged.replaceSubrange(start..<start + 1400, with: Data(repeating: 0x5A, count: 1400))
    }
    let copy = database.directory.file("damaged.db")
    try damaged.write(to: URL(fileURLWithPath: copy))
    let output = runCommand(database: copy, timeout: 1) { StoredAnswer(try $0.doctor(testBuild)) }
    #expect(output.status == .storageError)
    #expect(try TestJSON.error(output.stderr)["code"] as? String == "INTERNAL_SERVER_ERROR")
    if !output.stdout.isEmpty {
      let doctor = try TestJSON.object(output.stdout)
      #expect(doctor["integrity_check"] as? String != "ok")
    }
    #expect(fileBytes(copy) == damaged)
  }

  /// A store with a customer at version 2 and an item updated once: three history rows.
  private func withHistory() throws -> (customer: String, item: String) {
    let customer = try #require(
      TestJSON.string(try database.createCustomer([("given_name", "Ada")])["id"]))
    _ = try database.update(customer, set: ["note=1"])
    _ = try database.update(customer, set: ["note=2"])
    let item = try #require(TestJSON.string(try database.createItem([("name", "Tea")])["id"]))
    _ = try database.update(item, set: ["description=Green"])
    return (customer, item)
  }

  @Test func countsAndChecksTheHistory() throws {
    _ = try withHistory()
    let doctor = try TestJSON.success(StoredAnswer(database.store.doctor(testBuild)))
    #expect(TestJSON.int(doctor["history_versions"]) == 3)
    #expect(doctor["history_check"] as? String == "ok")
    _ = try database.store.pruneHistory(PruneHistoryRequest(keep: 1, olderThan: nil))
    let pruned = try TestJSON.success(StoredAnswer(database.store.doctor(testBuild)))
    #expect(TestJSON.int(pruned["history_versions"]) == 0)
    #expect(pruned["history_check"] as? String == "ok")
  }

  /// The check reads the history a page at a time: damage on the first and on the last of
  /// several pages is all found, and nothing is counted twice.
  @Test func checksAHistoryLongerThanOnePage() throws {
    _ = try withHistory()
    let connection = try Connection(path: database.path, create: false)
    // 1,200 kept versions of a deleted customer (no live row): about three pages.
    try connection.execute(
      """
      WITH RECURSIVE k(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM k WHERE n < 1199)
      INSERT INTO history (id, version, replaced_at, object)
      SELECT 'GONE', n, 1, '{"id":"GONE","version":' || n || ',"created_at":"x"}' FROM k
      """)
    let healthy = try TestJSON.success(StoredAnswer(database.store.doctor(testBuild)))
    #expect(TestJSON.int(healthy["history_versions"]) == 1203)
    #expect(healthy["history_check"] as? String == "ok")
    try connection.execute(
      "UPDATE history SET object = '{}' WHERE id = 'GONE' AND version IN (0, 1199)")
    let output = runCommand(database: database.path, timeout: 1) {
      StoredAnswer(try $0.doctor(testBuild))
    }
    #expect(output.status == .storageError, "\(output)")
    #expect(
      try TestJSON.object(output.stdout)["history_check"] as? String
        == "2 history rows that are not the object they name")
  }

  /// Each broken rule is found, reported in `history_check`, and exits 1 (the report still
  /// printed).
  @Test(arguments: [
    (
      "UPDATE history SET version = 7 WHERE version = 0",
      "1 history rows at or above their customer's version; 1 history rows that are not the object they name"
    ),
    (
      "UPDATE history SET version = (SELECT version FROM items) WHERE id = (SELECT id FROM items)",
      "1 history rows at or above their item's version; 1 history rows that are not the object they name"
    ),
    (
      "UPDATE history SET object = '{\"id\":' WHERE version = 1",
      "1 history rows that are not the object they name"
    ),
    (
      "UPDATE history SET object = '[1]' WHERE version = 1",
      "1 history rows that are not the object they name"
    ),
    (
      "UPDATE history SET object = (SELECT object FROM history WHERE version = 0) WHERE version = 1",
      "1 history rows that are not the object they name"
    ),
  ])
  func findsBrokenHistory(_ damage: String, _ found: String) throws {
    _ = try withHistory()
    let connection = try Connection(path: database.path, create: false)
    try connection.execute(damage)
    let output = runCommand(database: database.path, timeout: 1) {
      StoredAnswer(try $0.doctor(testBuild))
    }
    #expect(output.status == .storageError, "\(output)")
    let doctor = try TestJSON.object(output.stdout)
    #expect(doctor["history_check"] as? String == found)
    #expect(doctor["integrity_check"] as? String == "ok")
    #expect(
      try TestJSON.error(output.stderr)["detail"] as? String
        == "The history check found damage: \(found)")
  }
}
