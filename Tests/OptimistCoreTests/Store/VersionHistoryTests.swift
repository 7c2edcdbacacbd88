import Foundation
import Testing

@testable import OptimistCore
@testable import OptimistSQLite

/// The history rows that conditional updates and deletes keep, and how pruning removes them.
@Suite struct VersionHistoryTests {
  let database = TestDatabase()

  /// Every history row as (id, version, JSON), ordered.
  func rows() throws -> [(String, Int64, String)] {
    try Connection(path: database.path, create: false)
      .rows("SELECT id, version, object FROM history ORDER BY id, version")
      .map { ($0.text(0) ?? "", $0.integer(1) ?? -1, $0.text(2) ?? "") }
  }

  @Test func anUpdateKeepsTheVersionItReplacedAsGetPrintedIt() throws {
    let id = try #require(database.createCustomer([("given_name", "Ada")])["id"] as? String)
    let before = try database.getText(id)
    try database.update(id, set: ["note=first"])

    let kept = try rows()
    #expect(kept.count == 1)
    #expect(kept.first?.0 == id && kept.first?.1 == 0)
    #expect(kept.first.map { $0.2 + "\n" } == before)
  }

  @Test func aRefusedUpdateOrDeleteKeepsNothing() throws {
    let id = try #require(database.createCustomer([("given_name", "Ada")])["id"] as? String)
    #expect(throws: OptimistError.self) { try database.update(id, version: 5, set: ["note=x"]) }
    #expect(throws: OptimistError.self) {
      try database.store.delete(DeleteRequest(id: id, version: 5))
    }
    #expect(throws: OptimistError.self) { try database.update(id, set: ["given_name="]) }
    #expect(try rows().isEmpty)
  }

  @Test func aDeleteKeepsTheLastVersionMarkedDeletedAtTheTimeItPrinted() throws {
    let id = try #require(database.createItem([("name", "Tea")])["id"] as? String)
    let deletion = try TestJSON.success(
      database.store.delete(DeleteRequest(id: id, version: nil)).printed)

    let kept = try #require(try rows().first)
    let object = try TestJSON.object(kept.2)
    #expect(object["is_deleted"] as? Bool == true)
    #expect(object["deleted_at"] as? String == deletion["deleted_at"] as? String)
    #expect((object["item_data"] as? [String: Any])?["name"] as? String == "Tea")
  }

  /// A customer with versions 0...4 (live at 4) and a deleted one with versions 0...2.
  func twoObjects() throws -> (live: String, deleted: String) {
    let live = try #require(database.createCustomer([("given_name", "Live")])["id"] as? String)
    for n in 1...4 { try database.update(live, set: ["note=\(n)"]) }
    let deleted = try #require(database.createCustomer([("given_name", "Gone")])["id"] as? String)
    for n in 1...2 { try database.update(deleted, set: ["note=\(n)"]) }
    _ = try database.store.delete(DeleteRequest(id: deleted, version: nil))
    return (live, deleted)
  }

  func prune(keep: Int64?, cutoff: Timestamp?) throws -> Int {
    try database.store.write { tx in try tx.pruneHistory(keep: keep, cutoff: cutoff) }
  }

  /// The versions of `id` whose JSON is kept.
  func versions(of id: String) throws -> [Int64] {
    try rows().filter { $0.0 == id && !$0.2.isEmpty }.map(\.1)
  }

  /// The version whose row marks where pruning stopped (empty JSON), if any; there is at most one.
  func marker(of id: String) throws -> Int64? {
    let markers = try rows().filter { $0.0 == id && $0.2.isEmpty }.map(\.1)
    #expect(markers.count <= 1)
    return markers.first
  }

  @Test func keepCountsTheCurrentVersionOfALiveObject() throws {
    let (live, deleted) = try twoObjects()
    #expect(try prune(keep: 2, cutoff: nil) == 3 + 1)
    #expect(try versions(of: live) == [3])  // and 4, live
    #expect(try versions(of: deleted) == [1, 2])
    #expect(try prune(keep: 2, cutoff: nil) == 0)
    #expect(try marker(of: live) == 2)
    #expect(try marker(of: deleted) == 0)
    #expect(try rows().filter { $0.0 == live }.map(\.1) == [2, 3], "nothing below the marker")
    // Pruning further moves the marker up and leaves no older one.
    #expect(try prune(keep: 1, cutoff: nil) == 1 + 1)
    #expect(try marker(of: live) == 3)
    #expect(try marker(of: deleted) == 1)
    #expect(try rows().filter { $0.0 == deleted }.map(\.1) == [1, 2])
  }

  @Test func keepOneLeavesALiveObjectItsCurrentVersionAndADeletedOneItsLast() throws {
    let (live, deleted) = try twoObjects()
    #expect(try prune(keep: 1, cutoff: nil) == 4 + 2)
    #expect(try versions(of: live).isEmpty)
    #expect(try versions(of: deleted) == [2])
    #expect(TestJSON.int(try database.get(live)["version"]) == 4)
  }

  @Test func olderThanGoesByWhenAVersionWasReplacedAndCanEmptyADeletedObject() throws {
    let (live, deleted) = try twoObjects()
    let past = Timestamp(milliseconds: Timestamp.now().milliseconds - 86_400_000)
    #expect(try prune(keep: nil, cutoff: past) == 0)
    #expect(try prune(keep: nil, cutoff: Timestamp.now()) == 4 + 3)
    #expect(try versions(of: live).isEmpty && versions(of: deleted).isEmpty)
    #expect(TestJSON.int(try database.get(live)["version"]) == 4)
    #expect(try marker(of: deleted) == 2)
    #expect(try rows().count == 2, "one marker per object is all that is left")
  }

  @Test func withBothRulesAVersionGoesOnlyWhenBothSaySo() throws {
    _ = try twoObjects()
    let past = Timestamp(milliseconds: Timestamp.now().milliseconds - 86_400_000)
    #expect(try prune(keep: 1, cutoff: past) == 0)
    #expect(try prune(keep: 3, cutoff: Timestamp.now()) == 2 + 0)
    #expect(try rows().filter { !$0.2.isEmpty }.count == 2 + 3)
  }
}
