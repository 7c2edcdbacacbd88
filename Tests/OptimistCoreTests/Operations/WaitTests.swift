import Foundation
import Testing

@testable import OptimistCore
@testable import OptimistSQLite

/// `wait` in process: what it returns at once, and its timeout. Waiting for another process
/// is in the CLI tests (optimistTests/WaitTests.swift).
@Suite struct WaitTests {
  let database = TestDatabase()

  /// `--changed-from` is parsed at the edge (`Values.version`), before any request exists.
  @Test(arguments: ["-1", "x", "", "1e3"])
  func aBadVersionIsInvalidValue(_ raw: String) {
    let error = #expect(throws: OptimistError.self) {
      try Values.version(raw, field: "changed_from")
    }
    #expect(error?.field == "changed_from")
    #expect(error?.exitStatus == .invalidRequest)
  }

  @Test func anObjectAtAnotherVersionReturnsAtOnce() throws {
    let id = try #require(try database.createCustomer([("given_name", "Ada")])["id"] as? String)
    let updated = try database.store.update(EdgeRequest.update(id, set: ["note=x"]))
    // A wait that did not return at once would time out instead.
    let output = try database.store.wait(WaitRequest(id: id, changedFrom: 0, timeout: 300))
    #expect(output == .updated(try #require(updated.value)))
    #expect(StoredAnswer(output) == updated.printed)
  }

  @Test func aDeletedObjectPrintsWhatDeletePrinted() throws {
    let id = try #require(try database.createItem([("name", "Tea")])["id"] as? String)
    let version = try #require(TestJSON.int(try database.get(id)["version"]))
    let deletion = try database.store.delete(DeleteRequest(id: id, version: nil))
    let output = try database.store.wait(WaitRequest(id: id, changedFrom: version, timeout: 300))
    #expect(output == .deleted(try #require(deletion.value)))
    #expect(StoredAnswer(output) == deletion.printed)
  }

  @Test func anUnchangedObjectTimesOutWithExit8() throws {
    let id = try #require(try database.createCustomer([("given_name", "Ada")])["id"] as? String)
    for timeout in [0, 0.05] {
      let error = #expect(throws: OptimistError.self) {
        try database.store.wait(WaitRequest(id: id, changedFrom: 0, timeout: timeout))
      }
      #expect(error == .requestTimeout(id: id, seconds: timeout))
      #expect(error?.exitStatus == .waitTimedOut)
    }
  }

  /// The engine looks again after each change to the store, and only then: a change to
  /// another object ends no wait, and the look after the deadline is the last.
  @Test func watchLooksAgainOnlyAfterAChange() throws {
    let id = try #require(try database.createCustomer([("given_name", "Ada")])["id"] as? String)
    let other = SQLiteStore(path: database.path, timeout: 10)
    var looks = 0
    let found = try database.store.watch(id: id, until: Deadline(after: 60)) { () -> Int? in
      looks += 1
      switch looks {
      case 1, 2:
        // Another connection commits: the watch must look again.
        _ = try other.update(EdgeRequest.update(id, set: ["note=\(looks)"]))
        return nil
      default:
        return looks
      }
    }
    #expect(found == 3)
    var timedOutLooks = 0
    let none = try database.store.watch(id: id, until: Deadline(after: 0.2)) { () -> Int? in
      timedOutLooks += 1
      return nil
    }
    #expect(none == nil)
    #expect(timedOutLooks == 1)
  }
}
