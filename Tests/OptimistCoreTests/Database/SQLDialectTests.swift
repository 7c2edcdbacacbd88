import Testing

@testable import OptimistCore

/// The spellings each engine gets for what the engines spell differently.
@Suite struct SQLDialectTests {
  @Test func sqliteSpellsItsOwnWay() {
    let dialect = SQLDialect.sqlite
    #expect(dialect.greatest("a", "b").text == "max(a, b)")
    #expect(dialect.serverMilliseconds == nil)
    #expect(dialect.lockForUpdate == "")
    #expect(dialect.serializeInserts("payments") == nil)
    #expect(dialect.setSchemaVersion(3) == "PRAGMA user_version = 3")
    #expect(dialect.highestPosition("items").values == [.text("items")])
  }

  @Test func postgresqlSpellsItsOwnWay() {
    let dialect = SQLDialect.postgresql
    #expect(dialect.greatest("a", "b").text == "GREATEST(a, b)")
    #expect(dialect.serverMilliseconds?.contains("clock_timestamp()") == true)
    #expect(dialect.lockForUpdate == " FOR UPDATE")
    #expect(dialect.serializeInserts("payments")?.contains("pg_advisory_xact_lock") == true)
    #expect(dialect.setSchemaVersion(3) == "UPDATE optimist_schema SET version = 3")
    #expect(dialect.highestPosition("items").text.contains("items_seq_seq"))
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
