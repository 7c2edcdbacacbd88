import Foundation
import Testing

@testable import OptimistCore
@testable import OptimistSQLite

/// What the engines spell differently, run on SQLite through a store's own connection (the
/// same checks run on PostgreSQL in OptimistPostgresTests' `PostgresDialectTests`).
@Suite struct SQLDialectTests {
  let database = TestDatabase()

  @Test func theDialectsSQLRunsAndMeansWhatItSays() throws {
    try database.createItem([("name", "A")])
    try database.createItem([("name", "B")])
    try database.store.write { db in
      let dialect = db.dialect
      #expect(try db.first("SELECT \(dialect.greatest("3", "\(Int64(5))"))")?.integer(0) == 5)
      #expect(try db.first("SELECT \(dialect.greatest("-1", "-7"))")?.integer(0) == -1)
      // Two items were created: the highest position handed out is 2.
      #expect(try db.first(dialect.highestPosition("items"))?.integer(0) == 2)
      let locked: SQL = "SELECT name FROM items WHERE seq = 1\(raw: dialect.lockForUpdate)"
      #expect(try db.first(locked)?.text(0) == "A")
      if let serialize = dialect.serializeInserts("items") { try db.execute(serialize) }
      if let clock = dialect.serverMilliseconds {
        let now = try #require(try db.first("SELECT \(raw: clock)")?.integer(0))
        #expect(abs(now - Timestamp.now().milliseconds) < 60_000)
      }
    }
  }

  /// The schema version the dialect records is the one the store reads: one newer than this
  /// optimist knows makes the store refuse to open.
  @Test func theRecordedSchemaVersionIsTheOneTheStoreReads() throws {
    try database.createItem([("name", "A")])
    try database.store.write { db in
      try db.execute(db.dialect.setSchemaVersion(SQLiteStore.latest + 1))
    }
    let error = #expect(throws: OptimistError.self) { try database.store.read { _ in } }
    #expect(error?.detail.contains("schema version \(SQLiteStore.latest + 1)") == true)
  }

  @Test(arguments: ["postgresql://h/db", "postgres://h/db"])
  func postgresURLsNameThePostgresEngine(_ location: String) {
    #expect(Engines.isPostgres(location))
  }

  @Test(arguments: ["optimist.db", "/tmp/postgresql://x", "postgresql:/x", "pg.db", ""])
  func everythingElseIsASQLitePath(_ location: String) {
    #expect(!Engines.isPostgres(location))
  }
}
