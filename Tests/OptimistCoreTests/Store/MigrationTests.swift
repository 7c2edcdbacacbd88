import Foundation
import Testing

@testable import OptimistCore
@testable import OptimistSQLite

@Suite struct MigrationTests {
  /// `Schema/` of this checkout, found from this file's path.
  static let schemaFolder = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()  // Store
    .deletingLastPathComponent()  // OptimistCoreTests
    .deletingLastPathComponent()  // Tests
    .deletingLastPathComponent()  // repository root
    .appendingPathComponent("Schema")

  let database = TestDatabase()

  @Test func embeddedSQLEqualsTheSchemaFilesByteForByte() throws {
    let files = try FileManager.default.contentsOfDirectory(atPath: Self.schemaFolder.path)
      .filter { $0.hasSuffix(".sql") }.sorted()
    #expect(!files.isEmpty)
    #expect(Migration.sqlite.map(\.file) == files)
    for migration in Migration.sqlite {
      let onDisk = try Data(contentsOf: Self.schemaFolder.appendingPathComponent(migration.file))
      #expect(onDisk == Data((migration.sql + "\n").utf8), "\(migration.file) differs")
    }
    // The webhook tables, made on demand (not a migration), are embedded from there too.
    let onDemand = try Data(
      contentsOf: Self.schemaFolder.appendingPathComponent("on-demand/webhooks.sql"))
    #expect(onDemand == Data((Migration.sqliteWebhookTables + "\n").utf8))
  }

  @Test func migrationsAreNumberedInOrderFromOne() throws {
    #expect(Migration.sqlite.map(\.number) == Array(1...Migration.sqlite.count))
    #expect(SQLiteStore.latest == Migration.sqlite.count)
    for migration in Migration.sqlite {
      let prefix = try #require(migration.file.split(separator: "_").first)
      #expect(Int(prefix) == migration.number, "\(migration.file)")
      #expect(prefix.count == 3, "\(migration.file)")
    }
  }

  @Test func newDatabaseEndsAtTheLatestVersion() throws {
    #expect(!FileManager.default.fileExists(atPath: database.path))
    try database.createCustomer([("given_name", "Ada")])
    #expect(try database.scalar("PRAGMA user_version") == Int64(SQLiteStore.latest))
    let doctor = try TestJSON.success(StoredAnswer(database.store.doctor(testBuild)))
    #expect(TestJSON.int(doctor["schema_version"]) == Int64(SQLiteStore.latest))
    #expect(doctor["integrity_check"] as? String == "ok")
    // The program comes first, as given: version, commit and the SQLite library.
    let program = doctor["optimist"] as? [String: Any]
    #expect(program?["version"] as? String == testBuild.version)
    #expect(program?["commit"] as? String == testBuild.commit)
    #expect(program?["sqlite_version"] as? String == Connection.libraryVersion)
  }

  /// Reading a database that does not exist answers as an empty one and creates nothing.
  @Test func aReadOfAMissingFileCreatesNothing() throws {
    let error = #expect(throws: OptimistError.self) {
      try database.store.get(id: "AAAAAAAAAAAAAAAAAAAAAAAAAA")
    }
    #expect(error?.code == "NOT_FOUND")
    #expect(
      try TestJSON.success(StoredAnswer(database.store.list(StoreRequests.list())))["objects"]
        as? [Any] != nil)
    #expect(throws: OptimistError.self) { try database.store.doctor(testBuild) }
    #expect(!FileManager.default.fileExists(atPath: database.path))
    // The same store then finds the file once a write has created it.
    try database.createCustomer([("given_name", "Ada")])
    #expect(try database.scalar("PRAGMA user_version") == Int64(SQLiteStore.latest))
    #expect(
      try TestJSON.success(StoredAnswer(database.store.doctor(testBuild)))["integrity_check"]
        as? String
        == "ok")
  }

  /// A SQLite file of another program (tables, no optimist schema) is refused untouched, in
  /// the rollback journal or in WAL mode (which optimist's own journal mode must not undo).
  @Test(arguments: ["DELETE", "WAL"])
  func anotherProgramsDatabaseIsLeftAlone(journalMode: String) throws {
    try Connection(path: database.path).execute(
      "PRAGMA journal_mode = \(journalMode); CREATE TABLE notes (x)")
    let before = try Data(contentsOf: URL(fileURLWithPath: database.path))
    let error = #expect(throws: OptimistError.self) {
      try database.createCustomer([("given_name", "Ada")])
    }
    #expect(error?.exitStatus == .storageError)
    #expect(try Data(contentsOf: URL(fileURLWithPath: database.path)) == before)
  }

  /// An optimist database left in WAL mode by another tool goes back to the rollback journal
  /// on this SQLite, which has the WAL-reset bug.
  @Test func walIsUndoneWhereItIsUnsafe() throws {
    try database.createCustomer([("given_name", "Ada")])
    try Connection(path: database.path).execute("PRAGMA journal_mode = WAL")
    // A new store, as a new process would open it.
    let doctor = try TestJSON.success(
      StoredAnswer(SQLiteStore(path: database.path, timeout: 10).doctor(testBuild)))
    #expect(doctor["journal_mode"] as? String == (SQLiteStore.walIsSafe ? "wal" : "truncate"))
  }

  /// Connections opening a brand-new file at once, readers and writers, never race the schema,
  /// and the same key and request from all of them creates one object.
  @Test func concurrentFirstUsesMigrateOnce() throws {
    final class Outputs: @unchecked Sendable {
      private let lock = NSLock()
      private var outputs: [Int: Output] = [:]
      func set(_ index: Int, _ output: Output) { lock.withLock { outputs[index] = output } }
      var all: [Int: Output] { lock.withLock { outputs } }
    }
    let outputs = Outputs()
    let path = database.path
    DispatchQueue.concurrentPerform(iterations: 12) { index in
      let output = runCommand(database: path, timeout: 10) { store in
        switch index % 3 {
        case 0: StoredAnswer(try store.list(StoreRequests.list()))
        case 1:
          try store.create(StoreRequests.create(.customer, [("given_name", "G")], key: "k")).printed
        default: try store.create(StoreRequests.create(.item, [("name", "N")], key: "k")).printed
        }
      }
      outputs.set(index, output)
    }
    let all = outputs.all
    #expect(all.count == 12)
    for (index, output) in all {
      #expect(output.status == .success, "\(index): \(output.stderr)")
    }
    #expect(Set((0..<12).filter { $0 % 3 == 1 }.map { all[$0]?.stdout }).count == 1)
    #expect(Set((0..<12).filter { $0 % 3 == 2 }.map { all[$0]?.stdout }).count == 1)
    #expect(try database.scalar("PRAGMA user_version") == Int64(SQLiteStore.latest))
    #expect(try database.counts() == Counts(customers: 1, items: 1, payments: 0, keys: 2))
    #expect(
      try TestJSON.success(StoredAnswer(database.store.doctor(testBuild)))["integrity_check"]
        as? String
        == "ok")
  }

  /// A database left at version 1 by an older optimist is brought up to date by the first
  /// command, whether it reads or writes, and keeps its rows.
  @Test(arguments: ["read", "write"])
  func databaseAtVersionOneIsMigrated(firstCommand: String) throws {
    try #require(Migration.sqlite.count >= 2)
    let id = "OLDCUSTOMER234567ABCDEFGHI"
    do {
      let old = try Connection(path: database.path)
      try old.execute("BEGIN IMMEDIATE")
      try old.execute(Migration.sqlite[0].sql)
      try old.execute("PRAGMA user_version = 1")
      try old.run(
        "INSERT INTO customers (id, version, created_at, updated_at, given_name) VALUES (?, 3, ?, ?, ?)",
        [.text(id), .integer(951_782_400_000), .integer(951_782_400_000), .text("Old")])
      try old.execute("COMMIT")
    }
    #expect(try database.scalar("PRAGMA user_version") == 1)

    if firstCommand == "read" {
      let customer = try database.get(id)
      #expect(customer["given_name"] as? String == "Old")
      #expect(TestJSON.int(customer["version"]) == 3)
      #expect(customer["created_at"] as? String == "2000-02-29T00:00:00.000Z")
    } else {
      try database.createItem([("name", "Tea")])
    }
    #expect(try database.scalar("PRAGMA user_version") == Int64(SQLiteStore.latest))

    // Everything the later migrations added works, and the old row is still there.
    let payment = try database.createPayment(key: "after-migration", customerID: id)
    #expect(payment["customer_id"] as? String == id)
    let updated = try database.update(id, version: 3, set: ["family_name=Timer"])
    #expect(TestJSON.int(updated["version"]) == 4)
    let doctor = try TestJSON.success(StoredAnswer(database.store.doctor(testBuild)))
    #expect(doctor["integrity_check"] as? String == "ok")
    #expect(
      try database.counts()
        == Counts(customers: 1, items: firstCommand == "read" ? 0 : 1, payments: 1, keys: 1))
  }

  /// A database at version 2 (payments that never changed) is brought to version 3: every
  /// payment keeps its position, its JSON and its key's answer, and can then change.
  @Test func paymentsOfVersionTwoKeepEverything() throws {
    try #require(Migration.sqlite.count >= 3)
    let rows: [(seq: Int64, id: String, status: String)] = [
      (1, "OLDPAYMENT1234567ABCDEFGHI", "COMPLETED"), (5, "OLDPAYMENT2234567ABCDEFGHI", "APPROVED"),
    ]
    do {
      let old = try Connection(path: database.path)
      try old.execute("BEGIN IMMEDIATE")
      try old.execute(Migration.sqlite[0].sql)
      try old.execute(Migration.sqlite[1].sql)
      try old.execute("PRAGMA user_version = 2")
      for row in rows {
        try old.run(
          "INSERT INTO payments (seq, id, created_at, amount, currency, status, source_id, "
            + "version_token) VALUES (?, ?, 951782400000, 450, 'USD', ?, 'cnon:card-nonce-ok', 'TOKEN')",
          [.integer(row.seq), .text(row.id), .text(row.status)])
      }
      try old.execute("COMMIT")
    }
    let before =
      #"{"id":"OLDPAYMENT2234567ABCDEFGHI","created_at":"2000-02-29T00:00:00.000Z","updated_at":"2000-02-29T00:00:00.000Z","amount_money":{"amount":450,"currency":"USD"},"total_money":{"amount":450,"currency":"USD"},"approved_money":{"amount":450,"currency":"USD"},"status":"APPROVED","source_type":"CARD","version_token":"TOKEN"}"#
    #expect(try database.getText(rows[1].id) == before + "\n")
    #expect(try database.scalar("PRAGMA user_version") == Int64(SQLiteStore.latest))
    // Positions, and so cursors, are kept; the next payment comes after them.
    #expect(try database.scalar("SELECT max(seq) FROM payments") == 5)
    _ = try database.createPayment(key: "new")
    #expect(try database.scalar("SELECT max(seq) FROM payments") == 6)
    // The old APPROVED payment can now be completed, the COMPLETED one refunded.
    let completed = try TestJSON.success(
      database.store.changeStatus(
        PaymentStatusRequest(.complete, id: rows[1].id, versionToken: "TOKEN", key: nil)
      ).printed)
    #expect(completed["status"] as? String == "COMPLETED")
    let refund = try TestJSON.success(
      database.store.refundPayment(
        RefundRequest(
          key: IdempotencyKey("r"), paymentID: rows[0].id,
          amount: Money(amount: 450, currency: Currency("USD")))
      ).printed)
    #expect(refund["payment_id"] as? String == rows[0].id)
    #expect(
      try TestJSON.success(StoredAnswer(database.store.doctor(testBuild)))["integrity_check"]
        as? String
        == "ok")
  }

  /// A database at version 3 (no history) is brought to version 4: its objects keep their
  /// versions, have a history from their next change on, and earlier versions are simply not
  /// there (NOT_FOUND, not "pruned").
  @Test func objectsOfVersionThreeStartTheirHistoryWithTheirNextChange() throws {
    try #require(Migration.sqlite.count >= 4)
    let id = "OLDCUSTOMER234567ABCDEFGHI"
    do {
      let old = try Connection(path: database.path)
      try old.execute("BEGIN IMMEDIATE")
      for migration in Migration.sqlite.prefix(3) { try old.execute(migration.sql) }
      try old.execute("PRAGMA user_version = 3")
      try old.run(
        "INSERT INTO customers (id, version, created_at, updated_at, given_name) VALUES (?, 3, ?, ?, ?)",
        [.text(id), .integer(951_782_400_000), .integer(951_782_400_000), .text("Old")])
      try old.execute("COMMIT")
    }
    let before = try database.getText(id)
    #expect(try database.scalar("PRAGMA user_version") == Int64(SQLiteStore.latest))
    try database.update(id, version: 3, set: ["note=new"])

    let history = try TestJSON.success(
      StoredAnswer(
        database.store.history(HistoryRequest(id: id, limit: Values.limit(nil), cursor: nil))))
    let versions = (history["objects"] as? [[String: Any]])?.map { TestJSON.int($0["version"]) }
    #expect(versions == [4, 3])
    #expect(try StoredAnswer(database.store.get(id: id, atVersion: 3)).stdout == before)
    let error = #expect(throws: OptimistError.self) { try database.store.get(id: id, atVersion: 2) }
    #expect(error?.exitStatus == .notFound)
    #expect(error?.detail.contains("pruned") == false)
    #expect(
      try TestJSON.success(StoredAnswer(database.store.doctor(testBuild)))["integrity_check"]
        as? String
        == "ok")
  }

  /// A database from a newer optimist is refused, read or write, and left as it was.
  @Test func newerSchemaIsRefusedAndLeftUnchanged() throws {
    let customer = try database.createCustomer([("given_name", "Ada")])
    let id = try #require(customer["id"] as? String)
    let newer = SQLiteStore.latest + 1
    do {
      try Connection(path: database.path).execute("PRAGMA user_version = \(newer)")
    }
    let before = try #require(fileBytes(database.path))
    let entriesBefore = database.directory.entries()

    let store = SQLiteStore(path: database.path, timeout: 1)
    let commands: [(String, (any StoreEngine) throws -> Output)] = [
      ("get", { StoredAnswer(try $0.get(id: id)) }),
      ("list", { StoredAnswer(try $0.list(StoreRequests.list())) }),
      ("doctor", { StoredAnswer(try $0.doctor(testBuild)) }),
      (
        "create",
        { try $0.create(StoreRequests.create(.customer, [("given_name", "B")])).printed }
      ),
      ("update", { try $0.update(StoreRequests.update(id, set: ["note=x"])).printed }),
      ("delete", { try $0.delete(DeleteRequest(id: id, version: nil)).printed }),
      ("prune-keys", { StoredAnswer(try $0.pruneKeys(olderThan: 0)) }),
      (
        "history",
        {
          StoredAnswer(
            try $0.history(HistoryRequest(id: id, limit: Values.limit(nil), cursor: nil)))
        }
      ),
      ("get --at-version", { StoredAnswer(try $0.get(id: id, atVersion: 0)) }),
      (
        "prune-history",
        { StoredAnswer(try $0.pruneHistory(PruneHistoryRequest(keep: 1, olderThan: nil))) }
      ),
      ("wait", { StoredAnswer(try $0.wait(WaitRequest(id: id, changedFrom: 5, timeout: 0))) }),
    ]
    for (name, command) in commands {
      let error = #expect(throws: OptimistError.self, "\(name)") { try command(store) }
      #expect(error?.code == "INTERNAL_SERVER_ERROR", "\(name)")
      #expect(error?.exitStatus == .storageError, "\(name)")
      #expect(error?.detail.contains(String(newer)) == true, "\(name): \(error?.detail ?? "")")

      let output = runCommand(database: database.path, timeout: 1, command)
      #expect(output.status == .storageError, "\(name)")
      #expect(output.stdout == "", "\(name)")
      #expect(try TestJSON.error(output.stderr)["code"] as? String == "INTERNAL_SERVER_ERROR")
    }
    #expect(fileBytes(database.path) == before)
    #expect(database.directory.entries() == entriesBefore)
    #expect(try database.scalar("PRAGMA user_version") == Int64(newer))
  }

  /// WAL only where SQLite has fixed the WAL-reset bug (3.51.3); the rollback journal in
  /// TRUNCATE mode elsewhere (Durability.swift).
  @Test func journalModeFollowsTheSQLiteVersion() throws {
    try database.createCustomer([("given_name", "Ada")])
    let doctor = try TestJSON.success(StoredAnswer(database.store.doctor(testBuild)))
    let expected = Connection.libraryVersionNumber >= 3_051_003 ? "wal" : "truncate"
    #expect(doctor["journal_mode"] as? String == expected)
    #expect(SQLiteStore.walIsSafe == (Connection.libraryVersionNumber >= 3_051_003))
  }
}
