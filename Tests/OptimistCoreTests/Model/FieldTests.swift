import Testing

@testable import OptimistCore

@Suite struct FieldTests {
  /// The limits the spec names (Square's where it documents one).
  static let limits: [(ObjectType, String, Int)] = [
    (.customer, "given_name", 300), (.customer, "family_name", 300),
    (.customer, "company_name", 500), (.customer, "email_address", 254),
    (.item, "name", 512), (.item, "description", 4096),
  ]

  @Test(arguments: limits)
  func textFieldsHaveTheirLimit(type: ObjectType, name: String, maximum: Int) throws {
    let field = try #require(type.fields.first { $0.name == name })
    #expect(field.kind == .text(maxLength: maximum))
    #expect(try field.parse(text(maximum)) == .text(text(maximum)))
    #expect(throws: OptimistError.valueTooLong(field: name, maximum: maximum)) {
      try field.parse(text(maximum + 1))
    }
  }

  /// Limits count characters (Unicode scalars), not UTF-8 bytes.
  @Test(arguments: ["é", "日", "😀"])
  func limitsCountCharactersNotBytes(unit: String) throws {
    let field = Field("note", .text(maxLength: 10))
    #expect(try field.parse(text(10, of: unit)) == .text(text(10, of: unit)))
    #expect(throws: OptimistError.valueTooLong(field: "note", maximum: 10)) {
      try field.parse(text(11, of: unit))
    }
  }

  @Test func emptyTextClearsTheField() throws {
    #expect(try Field("note", .text(maxLength: 5)).parse("") == nil)
  }

  @Test func textIsKeptAsGiven() throws {
    let raw = "  spaces, \"quotes\", a=b and\nnewline "
    #expect(try Field("note", .text(maxLength: 500)).parse(raw) == .text(raw))
  }

  @Test func booleansAreTrueOrFalse() throws {
    let field = Field("available_for_pickup", .boolean)
    #expect(try field.parse("true") == .boolean(true))
    #expect(try field.parse("false") == .boolean(false))
  }

  @Test func anEmptyValueClearsABoolean() throws {
    #expect(try Field("available_for_pickup", .boolean).parse("") == nil)
  }

  @Test(arguments: ["yes", "no", "1", "0", "TRUE", "False", " true", "true ", "t"])
  func anythingElseIsNotABoolean(raw: String) {
    #expect(throws: OptimistError.expectedBoolean(field: "available_for_pickup", value: raw)) {
      try Field("available_for_pickup", .boolean).parse(raw)
    }
  }

  @Test func readOnlyFieldsAreTheSpecsAndNoneIsWritable() {
    #expect(
      ObjectType.readOnlyFields == [
        "id", "type", "version", "created_at", "updated_at", "is_deleted",
      ])
    for type in ObjectType.allCases {
      for field in type.fields {
        #expect(!ObjectType.readOnlyFields.contains(field.name))
      }
    }
  }

  @Test func customerAndItemFieldsAreSquaresNames() {
    #expect(
      Customer.fields.map(\.name) == [
        "given_name", "family_name", "company_name", "email_address", "phone_number",
        "reference_id", "note",
      ])
    #expect(
      Customer.contactFields == [
        "given_name", "family_name", "company_name", "email_address", "phone_number",
      ])
    #expect(CatalogItem.fields.map(\.name) == ["name", "description", "available_for_pickup"])
    #expect(CatalogItem.fields.last?.kind == .boolean)
    #expect(ObjectType.payment.fields.isEmpty)
  }
}
