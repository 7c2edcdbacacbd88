import Testing

@testable import OptimistCore

/// Which engine a location names. (Each engine's spellings: SQLiteDialectTests and
/// PostgresDialectTests, in the engines' test targets.)
@Suite struct EnginesTests {
  @Test(arguments: ["postgresql://h/db", "postgres://h/db"])
  func postgresURLsNameThePostgresEngine(_ location: String) {
    #expect(Engines.isPostgres(location))
  }

  @Test(arguments: ["optimist.db", "/tmp/postgresql://x", "postgresql:/x", "pg.db", ""])
  func everythingElseIsASQLitePath(_ location: String) {
    #expect(!Engines.isPostgres(location))
  }
}
