import OptimistCore
import Testing

@testable import OptimistPostgres

/// PostgreSQL's spellings of what the engines spell differently.
@Suite struct PostgresDialectTests {
  @Test func postgresqlSpellsItsOwnWay() {
    let dialect = PostgresDialect()
    #expect(dialect.greatest("a", "b") == "GREATEST(a, b)")
    #expect(dialect.serverMilliseconds?.contains("clock_timestamp()") == true)
    #expect(dialect.lockForUpdate == " FOR UPDATE")
    #expect(dialect.serializeInserts("payments")?.contains("pg_advisory_xact_lock") == true)
    #expect(dialect.setSchemaVersion(3) == "UPDATE optimist_schema SET version = 3")
    #expect(dialect.highestPosition("items").0.contains("items_seq_seq"))
  }

  /// The placeholders bind the values by number, on the test server (`make test` runs this
  /// target under Tests/Scripts/pg-server.sh; without a server the test fails).
  @Test func placeholdersBindTheValuesByNumber() throws {
    let connection = try PostgresNotificationTests.connect()
    let dialect = connection.dialect
    #expect(dialect.name == "postgresql")
    let values = (1...12).map { SQLValue.text("v\($0)") }
    let columns = [2, 1, 2, 12, 10].map { dialect.placeholder(at: $0) }.joined(separator: ", ")
    let row = try #require(try connection.first("SELECT \(columns)", values))
    #expect((0..<5).map { row.text($0) } == ["v2", "v1", "v2", "v12", "v10"])
  }
}
