import Testing

@testable import OptimistCore
@testable import OptimistSQLite

/// The SQLite store's transactions: a read cannot write, on a new connection or on one that
/// wrote before (the server's workers keep theirs), and a write after a read still can. A
/// `ReadTransaction` has no `run` or `execute` (that does not compile); these tests run the
/// write as a query through it, which `PRAGMA query_only` refuses.
@Suite struct SQLiteStoreTests {
  let directory = TemporaryDirectory()
  let path: String

  init() throws {
    path = directory.file("optimist.db")
    try SQLiteStore(path: path, timeout: 5).write { db in
      try db.execute("CREATE TABLE notes (note TEXT)")
    }
  }

  /// SQLITE_READONLY (<https://www.sqlite.org/rescode.html#readonly>).
  static let readOnly: Int32 = 8

  /// Statements that would change the database, each tried inside a read transaction.
  static let writes = [
    "INSERT INTO notes (note) VALUES ('read')",
    "UPDATE catalog_clock SET last_version = last_version + 1",
    "DELETE FROM notes",
    "CREATE TABLE more (x)",
    "PRAGMA user_version = 99",
  ]

  @Test(arguments: writes)
  func aReadTransactionCannotWrite(_ sql: String) throws {
    let store = SQLiteStore(path: path, timeout: 5)
    let error = #expect(throws: SQLiteError.self) {
      try store.read { db in try db.first(SQL(stringLiteral: sql)) }
    }
    #expect(error?.primaryCode == Self.readOnly)
    // Nothing changed, and the store still reads.
    let count = try store.read { db in try db.first("SELECT count(*) FROM notes") }
    #expect(count?.integer(0) == 0)
    let version = try store.read { db in try db.first("PRAGMA user_version") }
    #expect(version?.integer(0) == Int64(SQLiteStore.latest))
  }

  /// One store (one connection) going read, write, read, write: each transaction gets its own.
  @Test func theSameConnectionSwitchesBetweenReadsAndWrites() throws {
    let store = SQLiteStore(path: path, timeout: 5)
    func insert(_ note: String) -> SQL { "INSERT INTO notes (note) VALUES (\(note))" }
    #expect(throws: SQLiteError.self) { try store.read { db in try db.first(insert("r1")) } }
    _ = try store.write { db in try db.run(insert("w1")) }
    #expect(throws: SQLiteError.self) { try store.read { db in try db.first(insert("r2")) } }
    _ = try store.write { db in try db.run(insert("w2")) }
    let notes = try store.read { db in try db.rows("SELECT note FROM notes ORDER BY rowid") }
    #expect(notes.map { $0.text(0) } == ["w1", "w2"])
  }

  /// A store opened by location through `Engines`, as the executables open it, reads the same.
  @Test func aStoreOpenedByLocationReadsWithoutWriting() throws {
    let store = SQLiteStore.open(path: path, timeout: 5)
    #expect(throws: SQLiteError.self) {
      try store.read { db in try db.first("INSERT INTO notes (note) VALUES ('x')") }
    }
    try store.write { db in try db.execute("INSERT INTO notes (note) VALUES ('y')") }
    let count = try store.read { db in try db.first("SELECT count(*) FROM notes") }
    #expect(count?.integer(0) == 1)
  }
}
