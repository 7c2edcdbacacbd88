import Testing

@testable import OptimistCore
@testable import OptimistSQLite

/// What is written out for speed (SQL, a sorted table) says what the field lists say.
@Suite struct ObjectsSQLTests {
  @Test(arguments: ObjectType.allCases)
  func selectByIDReadsTheColumnsOfItsType(_ type: ObjectType) {
    #expect(
      Connection.selectByID(type)
        == "SELECT \(Connection.columns(of: type)) FROM \(type.table) WHERE id = ?")
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
