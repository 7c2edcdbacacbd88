import Foundation
import Testing

@testable import OptimistCore
@testable import OptimistSQLite

@Suite struct ListTests {
  let database = TestDatabase()
  var store: SQLiteStore { database.store }
  var customers: [String] = []
  var items: [String] = []
  var payments: [String] = []
  var all: [String] { customers + items + payments }

  init() throws {
    for index in 0..<5 {
      customers.append(
        try #require(database.createCustomer([("given_name", "C\(index)")])["id"] as? String))
      if index < 4 {
        items.append(try #require(database.createItem([("name", "I\(index)")])["id"] as? String))
      }
      if index < 3 {
        payments.append(try #require(database.createPayment(key: "p\(index)")["id"] as? String))
      }
    }
  }

  /// One page: the ids and the cursor.
  private func page(type: String? = nil, limit: Int?, cursor: String? = nil) throws -> (
    ids: [String], cursor: String?, output: Output
  ) {
    let output = StoredAnswer(
      try store.list(EdgeRequest.list(type: type, limit: limit.map { String($0) }, cursor: cursor)))
    let document = try TestJSON.success(output)
    let objects = try #require(document["objects"] as? [[String: Any]])
    #expect(Set(document.keys).isSubset(of: ["objects", "cursor"]))
    return (objects.compactMap { $0["id"] as? String }, document["cursor"] as? String, output)
  }

  /// Every page of a listing, following the cursors.
  private func pages(type: String? = nil, limit: Int) throws -> [[String]] {
    var result: [[String]] = []
    var cursor: String? = nil
    repeat {
      let next = try page(type: type, limit: limit, cursor: cursor)
      result.append(next.ids)
      cursor = next.cursor
      try #require(result.count <= 100, "the cursors never end")
    } while cursor != nil
    return result
  }

  @Test func oneBigPageListsCustomersThenItemsThenPaymentsWithoutCursor() throws {
    let (ids, cursor, output) = try page(limit: 1000)
    #expect(ids == all)
    #expect(cursor == nil)
    #expect(!output.stdout.contains("\"cursor\""))
    #expect(try page(limit: nil).ids == all)
  }

  @Test(arguments: [1, 2, 3, 4, 5, 7, 11, 12, 13])
  func pagingNeitherSkipsNorRepeats(limit: Int) throws {
    let result = try pages(limit: limit)
    #expect(result.flatMap { $0 } == all)
    #expect(result.count == max(1, (all.count + limit - 1) / limit))
    for page in result.dropLast() {
      #expect(page.count == limit)
    }
    #expect(result.last?.isEmpty == false)
  }

  @Test(arguments: [("CUSTOMER", 2), ("ITEM", 3), ("PAYMENT", 1), ("ITEM", 4), ("CUSTOMER", 1000)])
  func typeFilterListsOnlyThatType(type: String, limit: Int) throws {
    let expected = type == "CUSTOMER" ? customers : type == "ITEM" ? items : payments
    let result = try pages(type: type, limit: limit)
    #expect(result.flatMap { $0 } == expected)
    #expect(result.count == (expected.count + limit - 1) / limit)
  }

  @Test func listedObjectsPrintTheSameBytesAsGet() throws {
    let output = try page(limit: 1000).output
    let gets = try all.map { try database.getText($0).dropLast() }
    #expect(output.stdout == "{\"objects\":[\(gets.joined(separator: ","))]}\n")
  }

  @Test func emptyDatabaseListsNothing() throws {
    let empty = TestDatabase()
    let output = StoredAnswer(try empty.store.list(EdgeRequest.list()))
    #expect(output.stdout == "{\"objects\":[]}\n")
    #expect(output.status == .success)
  }

  /// The rest of a listing after `cursor`.
  private func rest(after cursor: String, limit: Int) throws -> [String] {
    var ids: [String] = []
    var next: String? = cursor
    while let current = next {
      let result = try page(limit: limit, cursor: current)
      ids += result.ids
      next = result.cursor
      try #require(ids.count <= 1000, "the cursors never end")
    }
    return ids
  }

  /// Objects deleted or created between pages neither shift nor repeat the rest.
  @Test func pagingSurvivesChangesBetweenPages() throws {
    let first = try page(limit: 4)
    #expect(first.ids == Array(customers.prefix(4)))
    let cursor = try #require(first.cursor)
    // Delete the last object shown, one due next and one further on; add an item.
    _ = try store.delete(DeleteRequest(id: customers[3], version: nil))
    _ = try store.delete(DeleteRequest(id: customers[4], version: nil))
    _ = try store.delete(DeleteRequest(id: items[1], version: nil))
    let newItem = try #require(database.createItem([("name", "New")])["id"] as? String)
    let rest = try rest(after: cursor, limit: 4)
    #expect(rest == [items[0], items[2], items[3], newItem] + payments)
  }

  /// A customer created while a listing is paged, after the newest ones were deleted, is still
  /// listed: the position of a deleted object is not handed out again.
  @Test func newObjectIsListedAfterTheNewestWereDeletedMidListing() throws {
    let first = try page(type: "CUSTOMER", limit: 4)
    let cursor = try #require(first.cursor)
    _ = try store.delete(DeleteRequest(id: customers[3], version: nil))
    _ = try store.delete(DeleteRequest(id: customers[4], version: nil))
    let newCustomer = try #require(
      database.createCustomer([("given_name", "New")])["id"] as? String)
    let next = try page(type: "CUSTOMER", limit: 4, cursor: cursor)
    #expect(next.ids == [newCustomer])
    #expect(Set(next.ids).isDisjoint(with: first.ids))
  }

  @Test func cursorsOfOneListingAreAcceptedByIt() throws {
    for type in [nil, "CUSTOMER", "ITEM", "PAYMENT"] {
      let cursor = try #require(try page(type: type, limit: 1).cursor)
      #expect(throws: Never.self) { try EdgeRequest.list(type: type, limit: "1", cursor: cursor) }
    }
  }

  @Test func cursorOfAnotherListingIsInvalid() throws {
    let itemCursor = try #require(try page(type: "ITEM", limit: 1).cursor)
    let allCursor = try #require(try page(limit: 1).cursor)
    for (type, cursor) in [
      (nil, itemCursor), ("CUSTOMER", itemCursor), ("PAYMENT", itemCursor),
      ("CUSTOMER", allCursor), ("ITEM", allCursor),
    ] as [(String?, String)] {
      let error = #expect(throws: OptimistError.self) {
        try EdgeRequest.list(type: type, cursor: cursor)
      }
      #expect(error?.code == "INVALID_VALUE", "\(cursor) on \(type ?? "ALL")")
      #expect(error?.field == "cursor")
    }
  }

  @Test(arguments: [
    "x", "", "ALL-ITEM-0", "ITEM-ITEM-1", "ALL-FOO-1", "ALL-ITEM-01", "ALL-ITEM--1", "ALL-ITEM-1-2",
    "ALL-ITEM", "ALL-ITEM-", "ALL--1", "CUSTOMER-ITEM-1", "all-ITEM-1", "ALL-item-1", "ALL-ITEM-1a",
    "ALL-ITEM-+1", "ALL-ITEM- 1", " ALL-ITEM-1", "ALL-ITEM-99999999999999999999", "ALL_ITEM_1",
  ])
  func bogusCursorIsInvalid(cursor: String) {
    let error = #expect(throws: OptimistError.self) {
      try ListRequest(type: nil, limit: ListRequest.defaultLimit, cursor: cursor)
    }
    #expect(error?.code == "INVALID_VALUE")
    #expect(error?.field == "cursor")
    #expect(error?.exitStatus == .invalidRequest)
  }

  @Test(arguments: [
    "0", "1001", "abc", "-1", "", " 5", "5 ", "+5", "1.0", "1e2", "99999999999999999999",
  ])
  func badLimitIsInvalid(limit: String) {
    let error = #expect(throws: OptimistError.self) {
      try Values.limit(limit)
    }
    #expect(error?.code == "INVALID_VALUE")
    #expect(error?.field == "limit")
  }

  @Test func limitsFromOneToAThousandAndADefaultOfAHundred() throws {
    #expect(try Values.limit("1") == 1)
    #expect(try Values.limit("1000") == 1000)
    #expect(try Values.limit(nil) == 100)
    #expect(try EdgeRequest.list(limit: "1").limit == 1)
    #expect(try EdgeRequest.list(limit: "1000").limit == 1000)
    #expect(try EdgeRequest.list().limit == 100)
  }

  @Test(arguments: ["customer", "Item", "FOO", "", "ALL", "CUSTOMERS"])
  func badTypeIsInvalid(type: String) {
    let error = #expect(throws: OptimistError.self) {
      try ObjectType.parse(type)
    }
    #expect(error?.code == "INVALID_VALUE")
    #expect(error?.field == "type")
  }

  /// The default limit is 100: a larger store needs a second page.
  @Test func defaultLimitIsAHundred() throws {
    for index in 0..<(101 - all.count) {
      try database.createItem([("name", "more \(index)")])
    }
    let first = try page(limit: nil)
    #expect(first.ids.count == 100)
    let cursor = try #require(first.cursor)
    let second = try page(limit: nil, cursor: cursor)
    #expect(second.ids.count == 1)
    #expect(second.cursor == nil)
  }
}
