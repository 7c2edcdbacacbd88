import Foundation
import OptimistCore
import Testing

@testable import OptimistPostgres

@Suite struct PostgresConnectionTests {
  @Test(arguments: [
    ("SELECT ? , ?", "SELECT $1 , $2"),
    ("INSERT INTO t VALUES (?, '', '?', ?)", "INSERT INTO t VALUES ($1, '', '?', $2)"),
    ("SELECT \"a?b\" FROM t WHERE x = ?", "SELECT \"a?b\" FROM t WHERE x = $1"),
    ("SELECT 1", "SELECT 1"),
  ])
  func placeholdersAreNumbered(_ sql: String, _ numbered: String) {
    #expect(PostgresConnection.numberedPlaceholders(sql) == numbered)
  }

  /// `Schema/postgresql/` of this checkout, found from this file's path.
  static let schemaFolder = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Schema/postgresql")

  @Test func embeddedSQLEqualsTheSchemaFilesByteForByte() throws {
    let files = try FileManager.default.contentsOfDirectory(atPath: Self.schemaFolder.path)
      .filter { $0.hasSuffix(".sql") }.sorted()
    #expect(!files.isEmpty)
    #expect(Migration.postgresql.map(\.file) == files)
    #expect(Migration.postgresql.map(\.number) == Array(1...Migration.postgresql.count))
    for migration in Migration.postgresql {
      let onDisk = try Data(contentsOf: Self.schemaFolder.appendingPathComponent(migration.file))
      #expect(onDisk == Data((migration.sql + "\n").utf8), "\(migration.file) differs")
    }
  }
}
