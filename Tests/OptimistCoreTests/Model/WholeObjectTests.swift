import Testing

@testable import OptimistCore

/// A whole object given back as JSON: the changes it makes, and what it may not touch.
@Suite struct WholeObjectTests {
  static let customer = VersionedObject(
    type: .customer, id: "C1", version: 3, createdAt: Timestamp(milliseconds: 1_000),
    updatedAt: Timestamp(milliseconds: 2_000),
    values: ["given_name": .text("Ada"), "note": .text("1")])
  static let item = VersionedObject(
    type: .item, id: "I1", version: 1_795_417_263_120, createdAt: Timestamp(milliseconds: 1_000),
    updatedAt: Timestamp(milliseconds: 2_000), values: ["name": .text("Coffee")])

  /// The object's own JSON with `edit` applied to the parsed members.
  func changes(
    _ object: VersionedObject, _ edit: (inout [JSONValue.Member]) -> Void
  ) throws(OptimistError) -> [FieldChange] {
    var members = (try? JSONValue.parse(object.json).members) ?? []
    edit(&members)
    return try object.changes(toMatch: .object(members))
  }

  func field(_ name: String) -> Field { Field.named(name) ?? Field(name, .boolean) }

  @Test func theObjectAsPrintedChangesNothing() throws {
    #expect(try changes(Self.customer) { _ in }.isEmpty)
    #expect(try changes(Self.item) { _ in }.isEmpty)
  }

  @Test func aChangedOrAddedFieldIsSetAndARemovedOrNullOneIsUnset() throws {
    let found = try changes(Self.customer) { members in
      members.removeAll { $0.key == "given_name" }
      members.append(.init("family_name", .string("Lovelace")))
      members[members.firstIndex { $0.key == "note" } ?? 0].value = .null
    }
    #expect(
      found == [
        FieldChange(field("given_name"), nil), FieldChange(field("family_name"), .text("Lovelace")),
        FieldChange(field("note"), nil),
      ])
  }

  @Test func anEmptyStringClearsAsSetFieldEqualsDoes() throws {
    let found = try changes(Self.customer) { members in
      members[members.firstIndex { $0.key == "note" } ?? 0].value = .string("")
    }
    #expect(found == [FieldChange(field("note"), nil)])
  }

  @Test func readOnlyFieldsMayBeLeftOutOrWrittenAsTheSameNumber() throws {
    #expect(
      try changes(Self.customer) { members in
        members.removeAll { ["id", "version", "created_at", "updated_at"].contains($0.key) }
      }.isEmpty)
    #expect(
      try changes(Self.item) { members in
        members[members.firstIndex { $0.key == "version" } ?? 0].value = .number("1.79541726312e12")
      }.isEmpty)
  }

  @Test func itemFieldsAreInsideItemData() throws {
    let found = try changes(Self.item) { members in
      members[members.firstIndex { $0.key == "item_data" } ?? 0].value = .object([
        .init("name", .string("Tea")), .init("available_for_pickup", .bool(false)),
      ])
    }
    #expect(
      found == [
        FieldChange(field("name"), .text("Tea")),
        FieldChange(field("available_for_pickup"), .boolean(false)),
      ])
  }

  static let refusals: [(String, String, JSONValue, String)] = [
    // (object, key, value, field named by the error)
    ("customer", "version", .number("4"), "version"),
    ("customer", "id", .string("C2"), "id"),
    ("customer", "created_at", .string("2020-01-01T00:00:00.000Z"), "created_at"),
    ("customer", "updated_at", .null, "updated_at"),
    ("customer", "type", .string("CUSTOMER"), "type"),
    ("customer", "nickname", .string("x"), "nickname"),
    ("customer", "name", .string("x"), "name"),
    ("customer", "item_data", .object([]), "item_data"),
    ("customer", "note", .number("5"), "note"),
    ("customer", "note", .bool(true), "note"),
    ("customer", "given_name", .string(String(repeating: "a", count: 301)), "given_name"),
    ("item", "type", .string("CUSTOMER"), "type"),
    ("item", "is_deleted", .bool(true), "is_deleted"),
    ("item", "name", .string("Tea"), "name"),
    ("item", "item_data", .string("x"), "item_data"),
    (
      "item", "item_data", .object([.init("name", .string("T")), .init("colour", .string("red"))]),
      "item_data.colour"
    ),
    (
      "item", "item_data",
      .object([.init("name", .string("T")), .init("available_for_pickup", .string("true"))]),
      "item_data.available_for_pickup"
    ),
    ("item", "item_data", .object([.init("name", .number("1"))]), "item_data.name"),
  ]

  @Test(arguments: refusals)
  func refusedChangesNameTheirField(
    _ object: String, _ key: String, _ value: JSONValue, _ field: String
  ) {
    let base = object == "item" ? Self.item : Self.customer
    let error = #expect(throws: OptimistError.self) {
      try changes(base) { members in
        if let index = members.firstIndex(where: { $0.key == key }) {
          members[index].value = value
        } else {
          members.append(.init(key, value))
        }
      }
    }
    #expect(error?.exitStatus == .invalidRequest)
    #expect(error?.field == field, "\(String(describing: error))")
  }

  @Test(arguments: [JSONValue.array([]), .string("x"), .null, .number("1")])
  func anythingButAnObjectIsRefused(_ value: JSONValue) {
    #expect(throws: OptimistError.self) { try Self.customer.changes(toMatch: value) }
  }
}
