import Testing

@testable import OptimistCore
@testable import OptimistSQLite

/// What is written out for speed (SQL, a sorted table) says what the field lists say.
@Suite struct ObjectsSQLTests {
  @Test(arguments: ObjectType.allCases)
  func selectByIDReadsTheColumnsOfItsType(_ type: ObjectType) {
    #expect(
      ReadTransaction.selectByID(type)
        == "SELECT \(ReadTransaction.columns(of: type)) FROM \(type.table) WHERE id = ?")
  }

  /// The columns read are the type's: the fixed ones, then every field, in order.
  @Test(arguments: [ObjectType.customer, .item])
  func columnsAreTheFixedOnesThenTheFields(_ type: ObjectType) {
    #expect(
      ReadTransaction.columns(of: type)
        == (["id", "version", "created_at", "updated_at"] + type.fields.map(\.name))
        .joined(separator: ", "))
  }

  /// What `object(id:type:)` reads is what was written, for every type, in a read and in a
  /// write transaction.
  @Test func objectsReadBackAsWritten() throws {
    let database = TestDatabase()
    let customer = try #require(
      database.createCustomer([("given_name", "Ada"), ("note", "it's ? \"x\"")])["id"] as? String)
    let item = try #require(database.createItem([("name", "Tea")])["id"] as? String)
    let payment = try #require(database.createPayment(key: "k")["id"] as? String)
    for (id, type) in [(customer, ObjectType.customer), (item, .item), (payment, .payment)] {
      let printed = try database.getText(id)
      #expect(
        try database.store.read { tx in try tx.object(id: id, type: type)?.json }
          == String(printed.dropLast()))
      #expect(
        try database.store.write { tx in try tx.object(id: id, type: type)?.json }
          == String(printed.dropLast()))
      #expect(try database.store.read { tx in try tx.contains(id: id, type: type) })
      for other in ObjectType.allCases where other != type {
        #expect(try database.store.read { tx in try tx.object(id: id, type: other) } == nil)
        #expect(try !database.store.read { tx in try tx.contains(id: id, type: other) })
      }
    }
  }

  @Test func currencyCodesAreSortedAndFound() {
    #expect(Currency.codes == Currency.codes.sorted())
    #expect(Set(Currency.codes).count == Currency.codes.count)
    for code in Currency.codes { #expect(Currency.isSupported(code)) }
    for code in ["", "usd", "AAA", "ZZZ", "US", "USDX"] { #expect(!Currency.isSupported(code)) }
  }

  @Test func fieldValuesCompareWithoutRegardToOrder() {
    var values = FieldValues()
    values["note"] = .text("a")
    values["given_name"] = .text("Ada")
    #expect(values == ["given_name": .text("Ada"), "note": .text("a")])
    values["note"] = nil
    #expect(values == ["given_name": .text("Ada")])
    #expect(values.count == 1)
    #expect(values != ["given_name": .text("Ann")])
  }
}
