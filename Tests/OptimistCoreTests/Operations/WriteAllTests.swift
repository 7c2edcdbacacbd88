import Foundation
import Testing

@testable import OptimistCore

/// `writeAll`: the server's batch upsert, all in one transaction or nothing, at most once per key.
@Suite struct WriteAllTests {
  let database = TestDatabase()

  func item(_ name: String) throws -> BatchWrite {
    .create(try CreateRequest(type: .item, raw: [("name", name)], key: nil))
  }

  func objects(_ output: Output) throws -> [[String: Any]] {
    #expect(output.exitCode == 0, "\(output)")
    return try #require(JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [[String: Any]])
  }

  @Test func everyWriteLandsInOrderAndAKeyReplaysTheBatch() throws {
    let writes = [try item("A"), try item("B")]
    let first = try database.store.writeAll(writes, command: "batch-upsert", key: "k", request: "r")
    let made = try objects(first)
    #expect(made.map { $0["type"] as? String } == ["ITEM", "ITEM"])
    let versions = made.compactMap { TestJSON.int($0["version"]) }
    #expect(versions.count == 2 && versions[0] < versions[1])
    let replay = try database.store.writeAll(writes, command: "batch-upsert", key: "k", request: "r")
    #expect(replay == first)
    #expect(throws: OptimistError.idempotencyKeyReused(key: "k")) {
      try database.store.writeAll(writes, command: "batch-upsert", key: "k", request: "other")
    }
    let listed = try TestJSON.success(database.store.list(ListRequest(type: "ITEM", limit: nil, cursor: nil)))
    #expect((listed["objects"] as? [Any])?.count == 2)
  }

  @Test func aRefusedWriteLeavesNothingOfTheBatch() throws {
    let made = try objects(database.store.writeAll([try item("A")], command: "batch-upsert", key: nil, request: ""))
    let id = try #require(made.first?["id"] as? String)
    let before = try Data(contentsOf: URL(fileURLWithPath: database.path))
    let stale = BatchWrite.update(
      try UpdateRequest(id: id, version: "1", set: ["name=late"], unset: [], type: .item))
    #expect(throws: OptimistError.self) {
      try database.store.writeAll([try item("B"), stale], command: "batch-upsert", key: "k2", request: "r")
    }
    #expect(try Data(contentsOf: URL(fileURLWithPath: database.path)) == before)
  }

  @Test func anUpdateOfOneTypeDoesNotTouchAnother() throws {
    let customer = try TestJSON.success(
      database.store.create(CreateRequest(type: .customer, raw: [("given_name", "Ada")], key: nil)))
    let id = try #require(customer["id"] as? String)
    #expect(throws: OptimistError.notFound(id: id, field: "id")) {
      try database.store.update(UpdateRequest(id: id, version: nil, set: ["name=x"], unset: [], type: .item))
    }
    #expect(throws: OptimistError.notFound(id: id, field: "id")) { try database.store.get(id: id, type: .item) }
    #expect(try database.store.objects(ids: [id], type: .item).isEmpty)
    #expect(try database.store.objects(ids: [id, id], type: .customer).count == 2)
  }
}
