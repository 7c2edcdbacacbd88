import Foundation
import Testing

@testable import OptimistCore
@testable import OptimistSQLite

/// An item's version is its update time in epoch milliseconds: the catalog clock hands out
/// the time, moved past every earlier version, and the time it stands for moves with it.
@Suite struct CatalogClockTests {
  let database = TestDatabase()

  /// Two stamps at one pinned millisecond: the second version is moved on by one, and so is
  /// its time (before the fix, `updated_at` stayed at the pinned millisecond).
  @Test func twoWritesInOneMillisecondGetIncreasingVersionsAndTimesToMatch() throws {
    _ = try database.createItem([("name", "Tea")])
    let pinned = Timestamp(milliseconds: 4_102_444_800_000)  // 2100-01-01, past every version
    let (first, second) = try database.store.write { tx in
      (try tx.nextCatalogStamp(now: pinned), try tx.nextCatalogStamp(now: pinned))
    }
    #expect(first.version == pinned.milliseconds)
    #expect(first.time == pinned)
    #expect(second.version == pinned.milliseconds + 1)
    #expect(second.time.milliseconds == second.version)
  }

  /// Items created and updated through the operations carry `updated_at` == version.
  @Test func createAndUpdateStampTheVersionsTime() throws {
    let item = try database.createItem([("name", "Tea")])
    let id = try #require(TestJSON.string(item["id"]))
    var objects = [item]
    for index in 0..<20 { objects.append(try database.update(id, set: ["description=\(index)"])) }
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    for object in objects {
      let time = try #require((object["updated_at"] as? String).flatMap(formatter.date(from:)))
      #expect(
        Int64((time.timeIntervalSince1970 * 1000).rounded()) == TestJSON.int(object["version"]))
    }
  }
}
