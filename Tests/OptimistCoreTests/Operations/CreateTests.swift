import Foundation
import Testing

@testable import OptimistCore

@Suite struct CreateTests {
  let database = TestDatabase()

  @Test func customerStartsAtVersionZero() throws {
    let before = Timestamp.now()
    let output = try database.store.create(
      EdgeRequest.create(.customer, [("given_name", "Ada"), ("email_address", "ada@example.com")])
    ).printed
    let after = Timestamp.now()
    let customer = try TestJSON.success(output)
    let id = try #require(customer["id"] as? String)
    #expect(ObjectID.isWellFormed(id))
    #expect(TestJSON.int(customer["version"]) == 0)
    #expect(customer["given_name"] as? String == "Ada")
    #expect(customer["email_address"] as? String == "ada@example.com")
    #expect(customer["family_name"] == nil)
    #expect(customer["note"] == nil)
    let created = try #require(customer["created_at"] as? String)
    #expect(customer["updated_at"] as? String == created)
    #expect(created >= before.rfc3339 && created <= after.rfc3339)
    // The same object prints the same bytes.
    #expect(try database.getText(id) == output.stdout)
    #expect(try database.getText(id) == output.stdout)
  }

  @Test func itemVersionIsTheCatalogClock() throws {
    let before = Timestamp.now().milliseconds
    let output = try database.store.create(
      EdgeRequest.create(
        .item, [("name", "Coffee"), ("description", "Filter"), ("available_for_pickup", "true")])
    ).printed
    let after = Timestamp.now().milliseconds
    let item = try TestJSON.success(output)
    let version = try #require(TestJSON.int(item["version"]))
    #expect(version >= before && version <= after)
    #expect(item["type"] as? String == "ITEM")
    #expect(item["is_deleted"] as? Bool == false)
    #expect(ObjectID.isWellFormed(item["id"] as? String ?? ""))
    let data = try #require(item["item_data"] as? [String: Any])
    #expect(data["name"] as? String == "Coffee")
    #expect(data["description"] as? String == "Filter")
    #expect(output.stdout.contains(#""available_for_pickup":true"#))
    #expect(try database.getText(item["id"] as? String ?? "") == output.stdout)
  }

  /// Many creates within the same milliseconds still get strictly increasing versions.
  @Test func itemVersionsStrictlyIncrease() throws {
    var versions: [Int64] = []
    let started = Timestamp.now().milliseconds
    for index in 0..<60 {
      let item = try database.createItem([("name", "Item \(index)")])
      versions.append(try #require(TestJSON.int(item["version"])))
    }
    let finished = Timestamp.now().milliseconds
    #expect(zip(versions, versions.dropFirst()).allSatisfy { $0 < $1 }, "\(versions)")
    #expect(versions.first ?? 0 >= started)
    // Versions stay close to the clock: at most one step per write past it.
    #expect(versions.last ?? 0 <= finished + Int64(versions.count))
  }

  @Test func idsAreDistinctAndEachIsFoundByGet() throws {
    var ids: [String] = []
    for index in 0..<10 {
      ids.append(
        try #require(database.createCustomer([("family_name", "F\(index)")])["id"] as? String))
      ids.append(try #require(database.createItem([("name", "I\(index)")])["id"] as? String))
    }
    ids.append(try #require(database.createPayment(key: "p")["id"] as? String))
    #expect(Set(ids).count == ids.count)
    for id in ids {
      #expect(try database.get(id)["id"] as? String == id)
    }
  }

  /// Awkward text is bound as a parameter and comes back exactly.
  @Test(arguments: [
    "O'Brien", "Robert'); DROP TABLE customers; --", "\"quoted\" \\ backslash", "é 日本 👩‍💻",
    "line\nbreak\ttab\r", "\u{1}\u{1F}\u{7F}", "nul\u{0}byte", "  spaced  ",
  ])
  func textRoundTripsThroughTheStore(value: String) throws {
    let customer = try database.createCustomer([("given_name", value), ("note", value)])
    let id = try #require(customer["id"] as? String)
    let fetched = try database.get(id)
    #expect(fetched["given_name"] as? String == value)
    #expect(fetched["note"] as? String == value)
    #expect(try database.counts().customers == 1)
  }

  @Test func missingIDIsNotFound() throws {
    try database.createCustomer([("given_name", "Ada")])
    for id in ["AAAAAAAAAAAAAAAAAAAAAAAAAA", "not-an-id", ""] {
      #expect(throws: OptimistError.notFound(id: id, field: "id")) {
        try database.store.get(id: id)
      }
    }
  }

  @Test func anEmptyOptionalValueIsLeftOut() throws {
    let customer = try database.createCustomer([("given_name", "Ada"), ("note", "")])
    #expect(customer["note"] == nil)
    let item = try database.createItem([("name", "Tea"), ("description", "")])
    #expect((item["item_data"] as? [String: Any])?["description"] == nil)
  }

  @Test func createWithoutAKeyCreatesEveryTime() throws {
    let first = try database.createCustomer([("given_name", "Ada")])
    let second = try database.createCustomer([("given_name", "Ada")])
    #expect(first["id"] as? String != second["id"] as? String)
    #expect(try database.counts() == Counts(customers: 2, items: 0, payments: 0, keys: 0))
  }
}
