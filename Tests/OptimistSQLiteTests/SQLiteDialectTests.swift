import Testing

@testable import OptimistCore
@testable import OptimistSQLite

/// SQLite's spellings of what the engines spell differently.
@Suite struct SQLiteDialectTests {
  let directory = TemporaryDirectory()

  /// A SQLite connection answers with its own dialect.
  @Test func aConnectionSpeaksSQLite() throws {
    let connection = try Connection(path: ":memory:")
    #expect(connection.dialect.name == "sqlite")
  }

  /// The placeholders bind the values by number: used out of order, twice, and past nine.
  @Test func placeholdersBindTheValuesByNumber() throws {
    let connection = try Connection(path: directory.file("placeholders.db"))
    let dialect = connection.dialect
    let values = (1...12).map { SQLValue.text("v\($0)") }
    let columns = [2, 1, 2, 12, 10].map { dialect.placeholder(at: $0) }.joined(separator: ", ")
    let row = try #require(try connection.first("SELECT \(columns)", values))
    #expect((0..<5).map { row.text($0) } == ["v2", "v1", "v2", "v12", "v10"])
  }
}
