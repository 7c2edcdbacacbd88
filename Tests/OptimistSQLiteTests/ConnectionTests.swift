import Foundation
import OptimistCore
import Testing

@testable import OptimistSQLite

/// Result codes from <https://www.sqlite.org/rescode.html>, written out so the tests do not
/// depend on the C module.
enum ResultCode {
  static let error: Int32 = 1
  static let busy: Int32 = 5
  static let locked: Int32 = 6
  static let cantOpen: Int32 = 14
  static let constraint: Int32 = 19
  static let notADatabase: Int32 = 26
  static let lockedSharedCache: Int32 = 262
  static let constraintCheck: Int32 = 275
  static let busySnapshot: Int32 = 517
  static let constraintNotNull: Int32 = 1299
  static let constraintPrimaryKey: Int32 = 1555
  static let constraintUnique: Int32 = 2067
}

@Suite struct ConnectionTests {
  let directory = TemporaryDirectory()
  let connection: Connection

  init() throws {
    connection = try Connection(path: directory.file("test.db"))
    try connection.execute(
      """
      CREATE TABLE t (
        id    INTEGER PRIMARY KEY,
        name  TEXT NOT NULL UNIQUE,
        score INTEGER CHECK (score >= 0)
      );
      CREATE TABLE k (code TEXT PRIMARY KEY, n INTEGER) WITHOUT ROWID;
      INSERT INTO t (id, name, score) VALUES (1, 'taken', 1);
      INSERT INTO k (code, n) VALUES ('taken', 1);
      """)
  }

  @Test func syntaxErrorKeepsCodeMessageAndSQL() {
    let error = #expect(throws: SQLiteError.self) { try connection.execute("SELEC 1") }
    #expect(error?.code == ResultCode.error)
    #expect(error?.message.contains("syntax error") == true)
    #expect(error?.sql == "SELEC 1")
  }

  @Test func prepareErrorKeepsCodeMessageAndSQL() {
    let sql = "SELECT * FROM no_such_table WHERE id = ?"
    let error = #expect(throws: SQLiteError.self) { try connection.first(sql, [.integer(1)]) }
    #expect(error?.code == ResultCode.error)
    #expect(error?.message.contains("no such table: no_such_table") == true)
    #expect(error?.sql == sql)
  }

  /// Each constraint violation keeps SQLite's extended result code, not just SQLITE_CONSTRAINT.
  @Test(arguments: [
    (
      "INSERT INTO t (id, name, score) VALUES (?, ?, ?)",
      [SQLValue.integer(2), .null, .integer(1)],
      ResultCode.constraintNotNull, "NOT NULL"
    ),
    (
      "INSERT INTO t (id, name, score) VALUES (?, ?, ?)",
      [.integer(2), .text("taken"), .integer(1)],
      ResultCode.constraintUnique, "UNIQUE"
    ),
    (
      "INSERT INTO t (id, name, score) VALUES (?, ?, ?)",
      [.integer(2), .text("new"), .integer(-1)],
      ResultCode.constraintCheck, "CHECK"
    ),
    (
      "INSERT INTO k (code, n) VALUES (?, ?)", [.text("taken"), .integer(2)],
      ResultCode.constraintPrimaryKey, "UNIQUE"
    ),
    (
      "UPDATE t SET score = ? WHERE id = ?", [.integer(-5), .integer(1)],
      ResultCode.constraintCheck, "CHECK"
    ),
  ])
  func constraintViolationKeepsExtendedCode(
    sql: String, values: [SQLValue], code: Int32, messagePart: String
  ) throws {
    let error = #expect(throws: SQLiteError.self) { try connection.run(sql, values) }
    #expect(error?.code == code)
    #expect(error?.primaryCode == ResultCode.constraint)
    #expect(error?.message.contains(messagePart) == true, "\(error?.message ?? "")")
    #expect(error?.sql == sql)
    #expect(error?.isBusy == false)
    // The failed statement changed nothing.
    #expect(try connection.first("SELECT count(*) FROM t")?.integer(0) == 1)
    #expect(try connection.first("SELECT score FROM t WHERE id = 1")?.integer(0) == 1)
  }

  @Test func descriptionNamesCodeMessageAndSQL() {
    let error = #expect(throws: SQLiteError.self) {
      try connection.run("INSERT INTO t (id, name) VALUES (1, 'x')")
    }
    let description = error.map { String(describing: $0) } ?? ""
    #expect(description.contains(String(ResultCode.constraintPrimaryKey)))
    #expect(description.contains(error?.message ?? "?"))
    #expect(description.contains("INSERT INTO t (id, name) VALUES (1, 'x')"))
  }

  @Test(arguments: [
    (ResultCode.busy, true), (ResultCode.busySnapshot, true), (ResultCode.locked, true),
    (ResultCode.lockedSharedCache, true), (ResultCode.error, false),
    (ResultCode.constraintUnique, false), (ResultCode.notADatabase, false),
  ])
  func busyAndLockedCodesAreBusy(code: Int32, busy: Bool) {
    let error = SQLiteError(code: code, message: "m")
    #expect(error.isBusy == busy)
    #expect(error.primaryCode == code & 0xff)
  }

  @Test(arguments: [
    SQLValue.null, .integer(0), .integer(Int64.min), .integer(Int64.max), .text(""),
    .text("plain"), .text("it's \"quoted\"; DROP TABLE t; --"), .text("é 日本 👩‍💻"),
    .text("nul\u{0}inside"), .text("line\nbreak\ttab"),
  ])
  func boundValuesReadBackUnchanged(value: SQLValue) throws {
    try connection.execute("CREATE TABLE v (x)")
    #expect(try connection.run("INSERT INTO v (x) VALUES (?)", [value]) == 1)
    #expect(try connection.first("SELECT x FROM v")?[0] == value)
    #expect(try connection.first("SELECT count(*) FROM t")?.integer(0) == 1)
  }

  @Test func runReturnsTheChangesCountAndFirstNilWithoutRows() throws {
    try connection.run("INSERT INTO t (id, name, score) VALUES (2, 'b', 2), (3, 'c', 3)")
    #expect(
      try connection.run("UPDATE t SET score = score + 1 WHERE score >= ?", [.integer(2)]) == 2)
    #expect(try connection.run("UPDATE t SET score = 0 WHERE id = ?", [.integer(99)]) == 0)
    #expect(try connection.first("SELECT * FROM t WHERE id = ?", [.integer(99)]) == nil)
    let rows = try connection.prepare("SELECT id, name FROM t ORDER BY id").rows()
    #expect(rows.map { $0.integer(0) } == [1, 2, 3])
    #expect(rows.map { $0.text(1) } == ["taken", "b", "c"])
  }

  @Test func tracksTheTransactionState() throws {
    #expect(!connection.isInTransaction)
    try connection.execute("BEGIN IMMEDIATE")
    #expect(connection.isInTransaction)
    try connection.run("DELETE FROM t")
    try connection.execute("ROLLBACK")
    #expect(!connection.isInTransaction)
    #expect(try connection.first("SELECT count(*) FROM t")?.integer(0) == 1)
  }

  @Test func missingFileWithoutCreateCannotBeOpened() {
    let path = directory.file("absent.db")
    let error = #expect(throws: SQLiteError.self) { try Connection(path: path, create: false) }
    #expect(error?.primaryCode == ResultCode.cantOpen)
    #expect(!FileManager.default.fileExists(atPath: path))
  }

  @Test func textFileIsNotADatabase() throws {
    let path = directory.file("notes.txt")
    let content = Data(text(2000, of: "not a database\n").utf8)
    try content.write(to: URL(fileURLWithPath: path))
    let other = try Connection(path: path)
    let error = #expect(throws: SQLiteError.self) { try other.first("PRAGMA user_version") }
    #expect(error?.primaryCode == ResultCode.notADatabase)
    #expect(fileBytes(path) == content)
  }

  @Test func secondWriterIsBusyWhileTheFirstHoldsTheLock() throws {
    let other = try Connection(path: directory.file("test.db"))
    try other.setBusyTimeout(milliseconds: 0)
    try connection.execute("BEGIN IMMEDIATE")
    let error = #expect(throws: SQLiteError.self) { try other.execute("BEGIN IMMEDIATE") }
    #expect(error?.primaryCode == ResultCode.busy)
    #expect(error?.isBusy == true)
    try connection.execute("COMMIT")
    try other.execute("BEGIN IMMEDIATE")
    try other.execute("COMMIT")
  }

  @Test func libraryVersionStringMatchesItsNumber() throws {
    let parts = Connection.libraryVersion.split(separator: ".").compactMap { Int32($0) }
    try #require(parts.count >= 3)
    #expect(parts[0] * 1_000_000 + parts[1] * 1000 + parts[2] == Connection.libraryVersionNumber)
  }
}
