import Foundation
import OptimistCore
import Testing

@testable import OptimistPostgres

@Suite struct PostgresConnectionTests {
  /// The dialect spells the placeholders the statement placed (`$1, $2, …`) and leaves a
  /// `?` in a quoted literal or identifier alone: the server binds each value where it was
  /// interpolated.
  @Test func boundValuesArriveWhereTheyWereInterpolated() throws {
    let connection = try PostgresNotificationTests.connect()
    let text = "it's ?"
    let row = try connection.first(
      "SELECT \(Int64(7)), '?' AS \"a?b\", \(text), \(Int64(-1)) + \(Int64(3))")
    #expect(row?.integer(0) == 7)
    #expect(row?.text(1) == "?")
    #expect(row?.text(2) == text)
    #expect(row?.integer(3) == 2)
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
    // The webhook tables, made on demand (not a migration), are embedded from there too.
    let onDemand = try Data(
      contentsOf: Self.schemaFolder.appendingPathComponent("on-demand/webhooks.sql"))
    #expect(onDemand == Data((Migration.postgresqlWebhookTables + "\n").utf8))
  }
}
