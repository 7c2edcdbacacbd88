import Foundation
import Testing

@testable import OptimistCore
@testable import OptimistPostgres

/// What the engines spell differently, run on the test server through a store's own
/// connection, in a fresh schema (OptimistCoreTests' `SQLDialectTests` runs the same on
/// SQLite). Without a server the tests fail, as PostgresNotificationTests do.
@Suite struct PostgresDialectTests {
  let schema: String
  let store: PostgresStore

  init() throws {
    let server = try PostgresNotificationTests.connect()
    schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    try server.execute("CREATE SCHEMA \(schema)")
    let base = try #require(ProcessInfo.processInfo.environment["OPTIMIST_TEST_PG"])
    store = PostgresStore(url: base + "&options=-csearch_path%3D\(schema)", timeout: 10)
  }

  func createItem(_ name: String) throws {
    let request = try CreateRequest(type: .item, values: ["name": .text(name)], key: nil)
    _ = try store.create(request)
  }

  @Test func theDialectsSQLRunsAndMeansWhatItSays() throws {
    try createItem("A")
    try createItem("B")
    try store.write { db in
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
    try createItem("A")
    let newer = Migration.postgresql.count + 1
    try store.write { db in try db.execute(db.dialect.setSchemaVersion(newer)) }
    let error = #expect(throws: OptimistError.self) { try store.read { _ in } }
    #expect(error?.detail.contains("\(newer)") == true, "\(String(describing: error))")
  }
}
