import Foundation
import Testing

@testable import OptimistCore
@_spi(PowerLossTesting) @testable import OptimistSQLite

/// Every commit is on the disk before success is printed: the rollback journal in TRUNCATE
/// mode at synchronous=FULL (Durability.swift). `make stress` cuts the power to prove it;
/// these tests read back the settings a store's connection really runs with.
@Suite struct DurabilityTests {
  let database = TestDatabase()

  /// `PRAGMA synchronous` and `journal_mode` as a connection of `store` runs with them.
  func settings(_ store: SQLiteStore) throws -> (synchronous: Int64?, journal: String?) {
    try store.read { db in
      (
        try db.first("PRAGMA synchronous")?.integer(0),
        try db.first("PRAGMA journal_mode")?.text(0)
      )
    }
  }

  /// The store's own connection runs at synchronous=FULL (2,
  /// <https://www.sqlite.org/pragma.html#pragma_synchronous>) with the truncated rollback
  /// journal, or WAL where this SQLite is safe with it.
  @Test func theStoresConnectionCommitsDurably() throws {
    _ = try database.createCustomer([("given_name", "Ada")])
    let fresh = try settings(SQLiteStore(path: database.path, timeout: 1))
    #expect(fresh.synchronous == 2)
    #expect(fresh.journal == (SQLiteStore.walIsSafe ? "wal" : "truncate"))
  }

  /// A database another connection put in WAL keeps WAL (durable at FULL by itself) where
  /// WAL is safe, and is taken back to the truncated journal where it is not.
  @Test func aWALDatabaseKeepsWALOnlyWhereItIsSafe() throws {
    _ = try database.createCustomer([("given_name", "Ada")])
    let other = try Connection(path: database.path)
    #expect(try other.first("PRAGMA journal_mode = WAL")?.text(0) == "wal")
    let opened = try settings(SQLiteStore(path: database.path, timeout: 1))
    #expect(opened.synchronous == 2)
    #expect(opened.journal == (SQLiteStore.walIsSafe ? "wal" : "truncate"))
  }

  /// A commit truncates the journal, which stays beside the database, empty: no unlink whose
  /// folder entry a power cut could undo.
  /// (Where SQLite is new enough for WAL, a database uses WAL and has no rollback journal.)
  @Test func aCommitLeavesAnEmptyJournal() throws {
    let customer = try database.createCustomer([("given_name", "Ada")])
    let id = try #require(customer["id"] as? String)
    _ = try database.update(id, set: ["note=durable"])
    guard !SQLiteStore.walIsSafe else {
      #expect(!database.directory.entries().contains("optimist.db-journal"))
      return
    }
    #expect(database.directory.entries() == ["optimist.db", "optimist.db-journal"])
    let journal = try FileManager.default.attributesOfItem(atPath: database.path + "-journal")
    #expect(journal[.size] as? Int == 0)
  }

  /// doctor shows the settings its own connection runs with, which every command shares.
  @Test func doctorReportsTheDurableSettings() throws {
    _ = try database.createCustomer([("given_name", "Ada")])
    let doctor = try TestJSON.success(StoredAnswer(database.store.doctor(testBuild)))
    #expect(doctor["synchronous"] as? String == "full")
    #expect(doctor["journal_mode"] as? String == (SQLiteStore.walIsSafe ? "wal" : "truncate"))
  }
}
