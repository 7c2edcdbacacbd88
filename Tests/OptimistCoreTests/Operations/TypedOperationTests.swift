import Foundation
import Testing

@testable import OptimistCore

/// The server's typed paths: get, update and delete of one type, and batch retrieve.
@Suite struct TypedOperationTests {
  let database = TestDatabase()

  @Test func anUpdateOfOneTypeDoesNotTouchAnother() throws {
    let customer = try TestJSON.success(
      database.store.create(EdgeRequest.create(.customer, [("given_name", "Ada")])).printed)
    let id = try #require(customer["id"] as? String)
    #expect(throws: OptimistError.notFound(id: id, field: "id")) {
      try database.store.update(EdgeRequest.update(id, set: ["name=x"], type: .item))
    }
    #expect(throws: OptimistError.notFound(id: id, field: "id")) {
      try database.store.get(id: id, type: .item)
    }
    #expect(try database.store.objects(ids: [id], type: .item).isEmpty)
    #expect(try database.store.objects(ids: [id, id], type: .customer).count == 2)
  }
}
