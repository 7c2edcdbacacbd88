import Foundation
import Testing

@testable import OptimistCore
@_spi(PowerLossTesting) @testable import OptimistSQLite

/// Every commit is on the disk before success is printed: the rollback journal in TRUNCATE
/// mode at synchronous=FULL (Durability.swift). `make stress` cuts the power to prove it;
/// these tests check that every connection really runs with those settings.
@Suite struct DurabilityTests {
  let database = TestDatabase()

  @Test func optimistCommitsDurably() {
    #expect(SQLiteStore.durability == Durability(journalMode: "truncate", synchronous: "full"))
    #expect(Durability.durable.pragmas(keepingWAL: false)
      == "PRAGMA journal_mode = truncate; PRAGMA synchronous = full")
    // A WAL database keeps WAL, which is durable at FULL by itself.
    #expect(Durability.durable.pragmas(keepingWAL: true) == "PRAGMA synchronous = full")
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
    let doctor = try TestJSON.success(database.store.doctor())
    #expect(doctor["synchronous"] as? String == "full")
    #expect(doctor["journal_mode"] as? String == (SQLiteStore.walIsSafe ? "wal" : "truncate"))
  }
}
