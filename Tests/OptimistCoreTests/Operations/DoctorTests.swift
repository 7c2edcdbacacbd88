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
}
