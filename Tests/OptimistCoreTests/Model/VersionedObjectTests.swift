import Testing

@testable import OptimistCore

@Suite struct VersionedObjectTests {
  @Test func itemHasSquaresCatalogShapeInAStableOrder() {
    let item = VersionedObject(
      type: .item, id: "ITEMITEMITEMITEMITEMITEM22", version: 1_700_000_000_123,
      createdAt: Timestamp(milliseconds: 0), updatedAt: Timestamp(milliseconds: 951_782_400_001),
      values: [
        "available_for_pickup": .boolean(false), "description": .text("Filter \"coffee\""),
        "name": .text("Coffee"),
      ])
    #expect(
      item.json
        == #"{"type":"ITEM","id":"ITEMITEMITEMITEMITEMITEM22","updated_at":"2000-02-29T00:00:00.001Z","version":1700000000123,"is_deleted":false,"item_data":{"name":"Coffee","description":"Filter \"coffee\"","available_for_pickup":false}}"#
    )
  }

  @Test func customerOmitsAbsentFields() {
    let customer = VersionedObject(
      type: .customer, id: "CUSTOMERCUSTOMERCUSTOMER23", version: 4,
      createdAt: Timestamp(milliseconds: 0), updatedAt: Timestamp(milliseconds: 1000),
      values: ["note": .text("VIP"), "given_name": .text("Ada")])
    #expect(
      customer.json
        == #"{"id":"CUSTOMERCUSTOMERCUSTOMER23","created_at":"1970-01-01T00:00:00.000Z","updated_at":"1970-01-01T00:00:01.000Z","version":4,"given_name":"Ada","note":"VIP"}"#
    )
  }

  @Test func customerNeedsAContactField() {
    for values: FieldValues in [[:], ["note": .text("n")], ["reference_id": .text("r")]] {
      let error = #expect(throws: OptimistError.self) {
        try VersionedObject(
          type: .customer, id: "X", version: 0, createdAt: .init(milliseconds: 0),
          updatedAt: .init(milliseconds: 0), values: values
        ).validate()
      }
      #expect(error?.code == "MISSING_REQUIRED_PARAMETER")
    }
    for field in Customer.contactFields {
      #expect(throws: Never.self) {
        try VersionedObject(
          type: .customer, id: "X", version: 0, createdAt: .init(milliseconds: 0),
          updatedAt: .init(milliseconds: 0), values: [field: .text("x")]
        ).validate()
      }
    }
  }

  @Test func itemNeedsAName() {
    let error = #expect(throws: OptimistError.self) {
      try VersionedObject(
        type: .item, id: "X", version: 0, createdAt: .init(milliseconds: 0),
        updatedAt: .init(milliseconds: 0), values: ["description": .text("d")]
      ).validate()
    }
    #expect(error?.code == "MISSING_REQUIRED_PARAMETER")
    #expect(error?.field == "name")
  }
}
