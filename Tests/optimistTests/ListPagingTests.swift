import Foundation
import Testing

/// `list` pages through mixed types with a cursor, visiting every object exactly once.
@Suite struct ListPagingTests {
  let sandbox: Sandbox

  init() throws {
    sandbox = try Sandbox()
  }

  struct Mix: Sendable, CustomTestStringConvertible {
    let customers: Int
    let items: Int
    let payments: Int
    var testDescription: String { "\(customers) customers, \(items) items, \(payments) payments" }
  }

  /// Creates the objects and returns their ids by type.
  private func fill(_ mix: Mix) -> [String: [String]] {
    var ids: [String: [String]] = ["CUSTOMER": [], "ITEM": [], "PAYMENT": []]
    // Interleaved, so creation order differs from the listing's type order.
    for index in 0..<max(mix.customers, mix.items, mix.payments) {
      if index < mix.items {
        ids["ITEM"]?.append(sandbox.create("create-item", "--name", "item \(index)"))
      }
      if index < mix.customers {
        ids["CUSTOMER"]?.append(
          sandbox.create("create-customer", "--given-name", "customer \(index)"))
      }
      if index < mix.payments {
        ids["PAYMENT"]?.append(
          sandbox.create(
            "create-payment", "--key", "key-\(index)", "--amount", "\(index + 1)", "--currency",
            "USD", "--source-id",
            "s"))
      }
    }
    return ids
  }

  /// Follows the cursor to the end; returns the ids in the order listed.
  private func pages(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation)
    -> [String]
  {
    var seen: [String] = []
    var cursor: String?
    var pageCount = 0
    repeat {
      pageCount += 1
      let page = sandbox.run(arguments + (cursor.map { ["--cursor", $0] } ?? []))
        .expectSuccess(sourceLocation: sourceLocation)
      let objects = page["objects"] as? [[String: Any]] ?? []
      #expect(objects.count <= 2, sourceLocation: sourceLocation)
      seen += objects.compactMap { $0["id"] as? String }
      cursor = page["cursor"] as? String
      if cursor != nil {
        #expect(
          objects.count == 2, "a page before the last is full", sourceLocation: sourceLocation)
      }
    } while cursor != nil && pageCount <= 100
    return seen
  }

  @Test(arguments: [
    Mix(customers: 3, items: 2, payments: 2), Mix(customers: 2, items: 2, payments: 2),
    Mix(customers: 0, items: 3, payments: 0), Mix(customers: 1, items: 0, payments: 2),
    Mix(customers: 0, items: 0, payments: 0),
  ])
  func pagingVisitsEveryObjectOnce(_ mix: Mix) throws {
    let ids = fill(mix)
    let everything = ids.values.flatMap { $0 }

    let listed = pages(["list", "--limit", "2"])

    #expect(listed.count == everything.count, "\(listed)")
    #expect(Set(listed) == Set(everything))
    #expect(Set(listed).count == listed.count, "an object was listed twice")
    // The whole listing in one page has the same order.
    let whole = sandbox.run("list").expectSuccess()
    #expect((whole["objects"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == listed)
    #expect(whole["cursor"] == nil)

    for type in ["CUSTOMER", "ITEM", "PAYMENT"] {
      let ofType = pages(["list", "--type", type, "--limit", "2"])
      #expect(ofType == ids[type], "\(type)")
    }
  }

  @Test func pagingSeesObjectsAddedAndDeletedBetweenPages() throws {
    let ids = fill(Mix(customers: 3, items: 3, payments: 0))
    let first = sandbox.run("list", "--limit", "2").expectSuccess()
    let cursor = try #require(first["cursor"] as? String)
    let deleted = try #require(ids["ITEM"]?.first)
    sandbox.run("delete", deleted).expectSuccess()
    let added = sandbox.create("create-customer", "--given-name", "late")

    let rest = pages(["list", "--limit", "2", "--cursor", cursor])
    let firstIDs = (first["objects"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? []

    #expect(Set(firstIDs).isDisjoint(with: rest), "a page repeated an object")
    #expect(!rest.contains(deleted))
    #expect(rest.contains(added))
    let expected = Set(ids.values.flatMap { $0 } + [added]).subtracting([deleted])
    #expect(Set(firstIDs + rest) == expected)
  }

  @Test(arguments: [
    "nope", "ALL-ITEM-0", "ALL-FOO-1", "ALL-ITEM-x", "ITEM-ITEM-1", "CUSTOMER-ITEM-1", "",
  ])
  func badCursorIsInvalidValue(_ cursor: String) throws {
    _ = fill(Mix(customers: 2, items: 2, payments: 0))

    sandbox.run("list", "--limit", "1", "--cursor", cursor)
      .expectError(2, "INVALID_VALUE", field: "cursor", category: "INVALID_REQUEST_ERROR")
  }

  @Test func cursorOfOneListingIsRefusedByAnother() throws {
    _ = fill(Mix(customers: 3, items: 3, payments: 0))
    let items = sandbox.run("list", "--type", "ITEM", "--limit", "1").expectSuccess()
    let itemCursor = try #require(items["cursor"] as? String)
    let all = sandbox.run("list", "--limit", "1").expectSuccess()
    let allCursor = try #require(all["cursor"] as? String)

    sandbox.run("list", "--limit", "1", "--cursor", itemCursor).expectError(
      2, "INVALID_VALUE", field: "cursor")
    sandbox.run("list", "--type", "ITEM", "--cursor", allCursor).expectError(
      2, "INVALID_VALUE", field: "cursor")
    sandbox.run("list", "--type", "CUSTOMER", "--cursor", itemCursor)
      .expectError(2, "INVALID_VALUE", field: "cursor")
  }
}
