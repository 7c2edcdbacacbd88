import Testing

@testable import OptimistCore

/// Requests are validated before the store is touched: these need no database. Text is
/// parsed at the edge (`Values`, `PaymentRequest.amount`, `Currency`, `IdempotencyKey`,
/// `FieldValues`, `FieldChange.list`), the rules across values in the typed requests' inits.
@Suite struct RequestValidationTests {
  /// A `create-payment` request built from its options as the CLI builds it.
  private func payment(
    key: String = "k", amount: String = "100", currency: String = "USD",
    source: String = "cnon:card-nonce-ok", customerID: String? = nil, referenceID: String? = nil,
    note: String? = nil, autocomplete: String? = nil
  ) throws(OptimistError) -> PaymentRequest {
    try EdgeRequest.payment(
      key: key, amount: amount, currency: currency, source: source, customerID: customerID,
      referenceID: referenceID, note: note, autocomplete: autocomplete)
  }

  // MARK: create-payment

  @Test(arguments: [
    "0", "-1", "1.5", "1e3", "abc", "9223372036854775808", "", " 1", "1 ", "+1", "0x10", "-0",
    "١٢", "99999999999999999999999",
  ])
  func badAmountIsInvalid(amount: String) {
    let error = #expect(throws: OptimistError.self) { try PaymentRequest.amount(amount) }
    #expect(error?.code == "INVALID_VALUE")
    #expect(error?.exitStatus == .invalidRequest)
    #expect(error?.field?.contains("amount") == true)
  }

  /// The typed request refuses what the edge would: an amount that is not positive.
  @Test(arguments: [Int64(0), -1, Int64.min])
  func nonPositiveTypedAmountIsInvalid(amount: Int64) {
    let error = #expect(throws: OptimistError.self) {
      try PaymentRequest(
        key: IdempotencyKey("k"), amount: Money(amount: amount, currency: Currency("USD")),
        sourceID: "cnon:card-nonce-ok")
    }
    #expect(error?.code == "INVALID_VALUE")
    #expect(error?.exitStatus == .invalidRequest)
    #expect(error?.field?.contains("amount") == true)
  }

  @Test(arguments: [("1", Int64(1)), ("450", 450), ("9223372036854775807", Int64.max)])
  func positiveWholeAmountsWithinInt64AreAccepted(amount: String, value: Int64) throws {
    #expect(try PaymentRequest.amount(amount) == value)
    #expect(try payment(amount: amount).amount.amount == value)
  }

  @Test(arguments: ["usd", "US", "EURO", "", "U$D", "Usd", "US D", "ÜSD", "123"])
  func malformedCurrencyIsInvalid(currency: String) {
    let error = #expect(throws: OptimistError.self) { try Currency(currency) }
    #expect(error?.code == "INVALID_VALUE")
    #expect(error?.exitStatus == .invalidRequest)
  }

  @Test(arguments: ["XYZ", "AAA", "ZZZ", "XXX"])
  func unknownCurrencyIsUnsupported(currency: String) {
    #expect(throws: OptimistError.unsupportedCurrency(currency)) { try Currency(currency) }
  }

  @Test(arguments: ["USD", "EUR", "JPY", "GBP", "CHF"])
  func commonCurrenciesAreSupported(currency: String) throws {
    #expect(try Currency(currency).code == currency)
    #expect(try payment(currency: currency).amount.currency.code == currency)
  }

  @Test func emptyKeyIsInvalid() {
    let error = #expect(throws: OptimistError.self) { try IdempotencyKey("") }
    #expect(error?.code == "INVALID_VALUE")
    #expect(error?.field == "idempotency_key")
  }

  @Test func keyLimitIs45Characters() throws {
    #expect(try IdempotencyKey(text(45)).text == text(45))
    #expect(try IdempotencyKey(text(45, of: "é")).text == text(45, of: "é"))
    #expect(throws: OptimistError.valueTooLong(field: "idempotency_key", maximum: 45)) {
      try IdempotencyKey(text(46))
    }
    #expect(try payment(key: text(45)).key?.text == text(45))
  }

  @Test func sourceIDIsOneTo192Characters() throws {
    #expect(try payment(source: text(192)).sourceID == text(192))
    #expect(throws: OptimistError.valueTooLong(field: "source_id", maximum: 192)) {
      try payment(source: text(193))
    }
    let error = #expect(throws: OptimistError.self) { try payment(source: "") }
    #expect(error?.code == "INVALID_VALUE")
  }

  @Test func referenceIDAndNoteHaveSquaresLimits() throws {
    #expect(try payment(referenceID: text(40)).referenceID == text(40))
    #expect(throws: OptimistError.valueTooLong(field: "reference_id", maximum: 40)) {
      try payment(referenceID: text(41))
    }
    #expect(try payment(note: text(500)).note == text(500))
    #expect(throws: OptimistError.valueTooLong(field: "note", maximum: 500)) {
      try payment(note: text(501))
    }
  }

  @Test(arguments: ["yes", "1", "TRUE", ""])
  func autocompleteMustBeABoolean(value: String) {
    let error = #expect(throws: OptimistError.self) {
      try Values.boolean(value, field: "autocomplete")
    }
    #expect(error?.code == "EXPECTED_BOOLEAN")
  }

  @Test func paymentRequestKeepsItsValues() throws {
    let request = try payment(
      key: "key", amount: "450", currency: "EUR", source: "cnon:x", customerID: "C",
      referenceID: "R", note: "N", autocomplete: "false")
    #expect(request.key == (try IdempotencyKey("key")))
    #expect(request.amount == Money(amount: 450, currency: try Currency("EUR")))
    #expect(request.sourceID == "cnon:x")
    #expect(request.customerID == "C")
    #expect(request.referenceID == "R")
    #expect(request.note == "N")
    #expect(request.autocomplete == false)
    #expect(try payment().autocomplete == nil)
  }

  // MARK: create-customer and create-item

  @Test(
    arguments: [
      [], [("note", "only a note")], [("reference_id", "r"), ("note", "n")], [("given_name", "")],
      [("given_name", ""), ("email_address", ""), ("note", "n")],
    ] as [[(String, String)]])
  func customerWithoutContactFieldIsMissingAParameter(raw: [(String, String)]) {
    let error = #expect(throws: OptimistError.self) {
      try EdgeRequest.create(.customer, raw.map { ($0.0, $0.1) })
    }
    #expect(error?.code == "MISSING_REQUIRED_PARAMETER")
    #expect(error?.exitStatus == .invalidRequest)
  }

  @Test(arguments: ["given_name", "family_name", "company_name", "email_address", "phone_number"])
  func anyOneContactFieldIsEnough(field: String) throws {
    let request = try EdgeRequest.create(.customer, [(field, "x")])
    #expect(request.values == [field: .text("x")])
  }

  @Test(arguments: [[], [("name", "")], [("description", "d")]] as [[(String, String)]])
  func itemWithoutNameIsMissingAParameter(raw: [(String, String)]) {
    let error = #expect(throws: OptimistError.self) {
      try EdgeRequest.create(.item, raw.map { ($0.0, $0.1) })
    }
    #expect(error?.code == "MISSING_REQUIRED_PARAMETER")
    #expect(error?.field == "name")
  }

  @Test(arguments: [
    (ObjectType.customer, "given_name", 300), (.customer, "family_name", 300),
    (.customer, "company_name", 500), (.customer, "email_address", 254),
    (.item, "name", 512), (.item, "description", 4096),
  ])
  func tooLongValueOnCreate(type: ObjectType, field: String, maximum: Int) throws {
    let required = type == .customer ? "phone_number" : "name"
    func raw(_ value: String) -> [(String, String?)] {
      field == required ? [(field, value)] : [(required, "x"), (field, value)]
    }
    #expect(throws: OptimistError.valueTooLong(field: field, maximum: maximum)) {
      try EdgeRequest.create(type, raw(text(maximum + 1)))
    }
    let request = try EdgeRequest.create(type, raw(text(maximum)))
    #expect(request.values[field] == .text(text(maximum)))
  }

  @Test func itemBooleanMustBeTrueOrFalse() throws {
    #expect(throws: OptimistError.expectedBoolean(field: "available_for_pickup", value: "yes")) {
      try EdgeRequest.create(.item, [("name", "Tea"), ("available_for_pickup", "yes")])
    }
    let request = try EdgeRequest.create(
      .item, [("name", "Tea"), ("available_for_pickup", "false")])
    #expect(request.values["available_for_pickup"] == .boolean(false))
  }

  @Test func createKeyHasThePaymentKeyRules() throws {
    let raw: [(String, String?)] = [("given_name", "Ada")]
    let empty = #expect(throws: OptimistError.self) {
      try EdgeRequest.create(.customer, raw, key: "")
    }
    #expect(empty?.code == "INVALID_VALUE")
    #expect(empty?.field == "idempotency_key")
    #expect(throws: OptimistError.valueTooLong(field: "idempotency_key", maximum: 45)) {
      try EdgeRequest.create(.customer, raw, key: text(46))
    }
    #expect(try EdgeRequest.create(.customer, raw, key: text(45)).key?.text == text(45))
    #expect(try EdgeRequest.create(.customer, raw, key: nil).key == nil)
  }

  // MARK: update

  // Splitting `--set FIELD=VALUE` at its first `=` (and refusing a word without one) is the
  // CLI's (`OptimistCLI/Update.swift`), out of this target's reach: `changes(set:unset:)`
  // splits the same way, and the rules below are the core's `FieldChange.list` and
  // `Field.parse`. The CLI's own splitting is checked by optimistTests (OutputContractTests).

  @Test(arguments: ["id", "type", "version", "created_at", "updated_at", "is_deleted"])
  func readOnlyFieldsCannotBeSetOrUnset(field: String) {
    for (set, unset) in [(["\(field)=x"], [String]()), ([], [field])] {
      let error = #expect(throws: OptimistError.self) {
        try changes(set: set, unset: unset)
      }
      #expect(error?.code == "INVALID_VALUE")
      #expect(error?.field == field)
    }
  }

  @Test(arguments: ["bogus=1", "=x", "Given_Name=x", "given_name =x", "item_data=x", "givenName=x"])
  func unknownFieldIsInvalid(assignment: String) {
    let error = #expect(throws: OptimistError.self) {
      try changes(set: [assignment])
    }
    #expect(error?.code == "INVALID_VALUE")
  }

  @Test(arguments: [
    (["note=a", "note=b"], [String]()), (["note=a"], ["note"]), ([], ["note", "note"]),
  ])
  func fieldChangedTwiceIsInvalid(set: [String], unset: [String]) {
    let error = #expect(throws: OptimistError.self) {
      try changes(set: set, unset: unset)
    }
    #expect(error?.code == "INVALID_VALUE")
    #expect(error?.field == "note")
  }

  @Test func nothingToChangeIsInvalid() {
    let error = #expect(throws: OptimistError.self) {
      try UpdateRequest(id: "X", version: 1, changes: [])
    }
    #expect(error?.code == "INVALID_VALUE")
  }

  @Test(arguments: ["abc", "-1", "1.0", "", " 1", "+1", "1e2", "9223372036854775808"])
  func malformedVersionIsInvalid(version: String) {
    let error = #expect(throws: OptimistError.self) {
      try Values.version(version)
    }
    #expect(error?.code == "INVALID_VALUE")
    #expect(error?.field == "version")
  }

  @Test func valueIsEverythingAfterTheFirstEquals() throws {
    // `--set note=a=b --set given_name= --set family_name== --unset phone_number`, split.
    let given: [(field: String, value: String?)] = [
      ("note", "a=b"), ("given_name", ""), ("family_name", "="), ("phone_number", nil),
    ]
    let typed = try FieldChange.list(given) { (field, raw) throws(OptimistError) in
      try field.parse(raw)
    }
    let request = try UpdateRequest(id: "X", version: Values.version("0"), changes: typed)
    #expect(request.version == 0)
    #expect(
      request.changes.map(\.field.name) == ["note", "given_name", "family_name", "phone_number"])
    // An empty value clears the field, as --unset does.
    #expect(request.changes.map(\.value) == [.text("a=b"), nil, .text("="), nil])
    let split = try changes(
      set: ["note=a=b", "given_name=", "family_name=="], unset: ["phone_number"])
    #expect(split == request.changes)
  }

  @Test func valuesAreParsedBeforeTheStoreIsRead() {
    #expect(throws: OptimistError.expectedBoolean(field: "available_for_pickup", value: "maybe")) {
      try changes(set: ["available_for_pickup=maybe"])
    }
    #expect(throws: OptimistError.valueTooLong(field: "note", maximum: 500)) {
      try changes(set: ["note=" + String(repeating: "n", count: 501)])
    }
  }

  @Test func largestVersionIsAccepted() throws {
    #expect(try Values.version("9223372036854775807") == Int64.max)
    let request = try UpdateRequest(
      id: "X", version: Values.version("9223372036854775807"), changes: changes(set: ["note=x"]))
    #expect(request.version == Int64.max)
  }
}
