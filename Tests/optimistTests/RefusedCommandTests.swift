import Foundation
import Testing

/// Exits 2, 3, 4 and 5: the documented code on stderr, nothing on stdout, and the database
/// file byte for byte as it was.
@Suite struct RefusedCommandTests {
  let sandbox: Sandbox

  init() throws {
    sandbox = try Sandbox()
  }

  static let payment = ["create-payment", "--key", "k", "--currency", "USD", "--source-id", "src"]

  static let invalidRequests: [CommandLineCase] = [
    // create-customer
    .init(["create-customer"], 2, "MISSING_REQUIRED_PARAMETER", field: .some(nil)),
    .init(["create-customer", "--note", "only a note"], 2, "MISSING_REQUIRED_PARAMETER"),
    .init(["create-customer", "--reference-id", "R1"], 2, "MISSING_REQUIRED_PARAMETER"),
    .init(["create-customer", "--given-name", ""], 2, "MISSING_REQUIRED_PARAMETER"),
    .init(
      ["create-customer", "--given-name", text(301)], 2, "VALUE_TOO_LONG", field: "given_name"),
    .init(
      ["create-customer", "--family-name", text(301)], 2, "VALUE_TOO_LONG", field: "family_name"),
    .init(
      ["create-customer", "--company-name", text(501)], 2, "VALUE_TOO_LONG", field: "company_name"),
    .init(
      ["create-customer", "--email-address", text(255)], 2, "VALUE_TOO_LONG", field: "email_address"
    ),
    .init(
      ["create-customer", "--phone-number", text(33, of: "5")], 2, "VALUE_TOO_LONG",
      field: "phone_number"),
    .init(
      ["create-customer", "--given-name", "A", "--reference-id", text(101)], 2, "VALUE_TOO_LONG",
      field: "reference_id"),
    .init(
      ["create-customer", "--given-name", "A", "--note", text(501)], 2, "VALUE_TOO_LONG",
      field: "note"),
    .init(
      ["create-customer", "--given-name", "A", "--key", text(46)], 2, "VALUE_TOO_LONG",
      field: "idempotency_key"),
    .init(
      ["create-customer", "--given-name", "A", "--key", ""], 2, "INVALID_VALUE",
      field: "idempotency_key"),
    // create-item
    .init(["create-item", "--name", ""], 2, "MISSING_REQUIRED_PARAMETER", field: "name"),
    .init(["create-item", "--name", text(513)], 2, "VALUE_TOO_LONG", field: "name"),
    .init(
      ["create-item", "--name", "Tea", "--description", text(4097)], 2, "VALUE_TOO_LONG",
      field: "description"),
    .init(
      ["create-item", "--name", "Tea", "--available-for-pickup", "yes"], 2, "EXPECTED_BOOLEAN",
      field: "available_for_pickup"),
    .init(
      ["create-item", "--name", "Tea", "--available-for-pickup", "TRUE"], 2, "EXPECTED_BOOLEAN",
      field: "available_for_pickup"),
    // update and delete
    .init(["update", "{C}"], 2, "INVALID_VALUE"),
    .init(["update", "{C}", "--set", "nickname=x"], 2, "INVALID_VALUE", field: "nickname"),
    .init(["update", "{C}", "--set", "note"], 2, "INVALID_VALUE"),
    .init(["update", "{C}", "--set", "version=7"], 2, "INVALID_VALUE", field: "version"),
    .init(["update", "{C}", "--set", "id=X"], 2, "INVALID_VALUE", field: "id"),
    .init(
      ["update", "{C}", "--set", "created_at=2020-01-01T00:00:00.000Z"], 2, "INVALID_VALUE",
      field: "created_at"),
    .init(["update", "{C}", "--unset", "updated_at"], 2, "INVALID_VALUE", field: "updated_at"),
    .init(["update", "{I}", "--set", "is_deleted=true"], 2, "INVALID_VALUE", field: "is_deleted"),
    .init(["update", "{I}", "--set", "type=CUSTOMER"], 2, "INVALID_VALUE", field: "type"),
    .init(["update", "{C}", "--set", "name=Bob"], 2, "INVALID_VALUE", field: "name"),
    .init(["update", "{I}", "--set", "given_name=Bob"], 2, "INVALID_VALUE", field: "given_name"),
    .init(
      ["update", "{C}", "--set", "note=x", "--set", "note=y"], 2, "INVALID_VALUE", field: "note"),
    .init(
      ["update", "{C}", "--set", "note=x", "--unset", "note"], 2, "INVALID_VALUE", field: "note"),
    .init(
      ["update", "{C}", "--set", "given_name=\(text(301))"], 2, "VALUE_TOO_LONG",
      field: "given_name"),
    .init(
      ["update", "{I}", "--set", "description=\(text(4097))"], 2, "VALUE_TOO_LONG",
      field: "description"),
    .init(
      ["update", "{I}", "--set", "available_for_pickup=maybe"], 2, "EXPECTED_BOOLEAN",
      field: "available_for_pickup"),
    .init(["update", "{I}", "--unset", "name"], 2, "MISSING_REQUIRED_PARAMETER", field: "name"),
    .init(["update", "{I}", "--set", "name="], 2, "MISSING_REQUIRED_PARAMETER", field: "name"),
    .init(["update", "{C}", "--unset", "given_name"], 2, "MISSING_REQUIRED_PARAMETER"),
    .init(["update", "{C}", "--set", "given_name="], 2, "MISSING_REQUIRED_PARAMETER"),
    .init(
      ["update", "{C}", "--version", "abc", "--set", "note=x"], 2, "INVALID_VALUE", field: "version"
    ),
    .init(
      ["update", "{C}", "--version=-1", "--set", "note=x"], 2, "INVALID_VALUE", field: "version"),
    .init(
      ["update", "{C}", "--version", "1.0", "--set", "note=x"], 2, "INVALID_VALUE", field: "version"
    ),
    .init(["update", "{P}", "--set", "note=x"], 2, "INVALID_VALUE", field: "id"),
    .init(["delete", "{P}"], 2, "INVALID_VALUE", field: "id"),
    .init(["delete", "{C}", "--version", "x"], 2, "INVALID_VALUE", field: "version"),
    // list
    .init(["list", "--limit", "0"], 2, "INVALID_VALUE", field: "limit"),
    .init(["list", "--limit", "1001"], 2, "INVALID_VALUE", field: "limit"),
    .init(["list", "--limit", "ten"], 2, "INVALID_VALUE", field: "limit"),
    .init(["list", "--type", "customer"], 2, "INVALID_VALUE", field: "type"),
    .init(["list", "--type", "CUSTOMERS"], 2, "INVALID_VALUE", field: "type"),
    .init(["list", "--cursor", "nope"], 2, "INVALID_VALUE", field: "cursor"),
    // create-payment
    .init(payment + ["--amount", "0"], 2, "INVALID_VALUE", field: "amount_money.amount"),
    .init(payment + ["--amount=-5"], 2, "INVALID_VALUE", field: "amount_money.amount"),
    .init(payment + ["--amount", "1.5"], 2, "INVALID_VALUE", field: "amount_money.amount"),
    .init(payment + ["--amount", "ten"], 2, "INVALID_VALUE", field: "amount_money.amount"),
    .init(payment + ["--amount", "1e3"], 2, "INVALID_VALUE", field: "amount_money.amount"),
    .init(
      payment + ["--amount", "9223372036854775808"], 2, "INVALID_VALUE",
      field: "amount_money.amount"),
    .init(
      ["create-payment", "--key", "k", "--amount", "1", "--currency", "usd", "--source-id", "s"], 2,
      "INVALID_VALUE", field: "amount_money.currency"),
    .init(
      ["create-payment", "--key", "k", "--amount", "1", "--currency", "QQQ", "--source-id", "s"], 2,
      "UNSUPPORTED_CURRENCY", field: "amount_money.currency"),
    .init(
      [
        "create-payment", "--key", text(46), "--amount", "1", "--currency", "USD", "--source-id",
        "s",
      ], 2,
      "VALUE_TOO_LONG", field: "idempotency_key"),
    .init(
      ["create-payment", "--key", "", "--amount", "1", "--currency", "USD", "--source-id", "s"], 2,
      "INVALID_VALUE", field: "idempotency_key"),
    .init(
      ["create-payment", "--key", "k", "--amount", "1", "--currency", "USD", "--source-id", ""], 2,
      "INVALID_VALUE", field: "source_id"),
    .init(
      [
        "create-payment", "--key", "k", "--amount", "1", "--currency", "USD", "--source-id",
        text(193),
      ], 2,
      "VALUE_TOO_LONG", field: "source_id"),
    .init(
      payment + ["--amount", "1", "--reference-id", text(41)], 2, "VALUE_TOO_LONG",
      field: "reference_id"),
    .init(payment + ["--amount", "1", "--note", text(501)], 2, "VALUE_TOO_LONG", field: "note"),
    .init(
      payment + ["--amount", "1", "--autocomplete", "yes"], 2, "EXPECTED_BOOLEAN",
      field: "autocomplete"),
    // prune-keys
    .init(["prune-keys", "--older-than", "1w"], 2, "INVALID_VALUE", field: "older_than"),
    .init(["prune-keys", "--older-than", "24"], 2, "INVALID_VALUE", field: "older_than"),
    .init(["prune-keys", "--older-than", ""], 2, "INVALID_VALUE", field: "older_than"),
  ]

  static let conflicts: [CommandLineCase] = [
    // exit 3: a version the object is not at (customers start at 0)
    .init(
      ["update", "{C}", "--version", "1", "--set", "note=x"], 3, "VERSION_MISMATCH",
      field: "version"),
    .init(
      ["update", "{C}", "--version", "9", "--unset", "given_name"], 3, "VERSION_MISMATCH",
      field: "version"),
    .init(
      ["update", "{I}", "--version", "1", "--set", "name=Tea"], 3, "VERSION_MISMATCH",
      field: "version"),
    .init(["delete", "{C}", "--version", "1"], 3, "VERSION_MISMATCH", field: "version"),
    .init(["delete", "{I}", "--version", "0"], 3, "VERSION_MISMATCH", field: "version"),
    // exit 4
    .init(["get", "{MISSING}"], 4, "NOT_FOUND", field: "id"),
    .init(["get", "not-an-id"], 4, "NOT_FOUND", field: "id"),
    .init(["update", "{MISSING}", "--set", "note=x"], 4, "NOT_FOUND", field: "id"),
    .init(
      ["update", "{MISSING}", "--version", "0", "--set", "note=x"], 4, "NOT_FOUND", field: "id"),
    .init(["delete", "{MISSING}"], 4, "NOT_FOUND", field: "id"),
    .init(["delete", "{MISSING}", "--version", "0"], 4, "NOT_FOUND", field: "id"),
    .init(
      [
        "create-payment", "--key", "k", "--amount", "1", "--currency", "USD", "--source-id", "s",
        "--customer-id", "{MISSING}",
      ], 4, "NOT_FOUND", field: "customer_id"),
    .init(
      [
        "create-payment", "--key", "k", "--amount", "1", "--currency", "USD", "--source-id", "s",
        "--customer-id", "{I}",
      ], 4, "NOT_FOUND", field: "customer_id"),
    // the request is checked before its key: a reused key with a missing customer is 4, not 5
    .init(
      Shop.paymentArguments + ["--customer-id", "{MISSING}"], 4, "NOT_FOUND", field: "customer_id"),
    // exit 5: the shop's key with any parameter changed, added or left out
    .init(
      [
        "create-payment", "--key", "first-key", "--amount", "451", "--currency", "USD",
        "--source-id",
        "cnon:card-nonce-ok",
      ], 5, "IDEMPOTENCY_KEY_REUSED", field: "idempotency_key"),
    .init(
      [
        "create-payment", "--key", "first-key", "--amount", "450", "--currency", "EUR",
        "--source-id",
        "cnon:card-nonce-ok",
      ], 5, "IDEMPOTENCY_KEY_REUSED", field: "idempotency_key"),
    .init(
      [
        "create-payment", "--key", "first-key", "--amount", "450", "--currency", "USD",
        "--source-id",
        "cnon:other",
      ], 5, "IDEMPOTENCY_KEY_REUSED", field: "idempotency_key"),
    .init(
      Shop.paymentArguments + ["--note", "again"], 5, "IDEMPOTENCY_KEY_REUSED",
      field: "idempotency_key"),
    .init(
      Shop.paymentArguments + ["--customer-id", "{C}"], 5, "IDEMPOTENCY_KEY_REUSED",
      field: "idempotency_key"),
    .init(
      Shop.paymentArguments + ["--autocomplete", "false"], 5, "IDEMPOTENCY_KEY_REUSED",
      field: "idempotency_key"),
  ]

  /// The payment lifecycle's refusals, against the shop's COMPLETED payment.
  static let paymentChanges: [CommandLineCase] = [
    .init(["complete-payment", "{P}"], 7, "DELAYED_TRANSACTION_CAPTURED"),
    .init(["cancel-payment", "{P}"], 7, "DELAYED_TRANSACTION_CAPTURED"),
    .init(["cancel-payment", "--key", "first-key"], 7, "DELAYED_TRANSACTION_CAPTURED"),
    .init(
      ["update-payment", "{P}", "--key", "u", "--tip", "1"], 7, "DELAYED_TRANSACTION_CAPTURED"),
    .init(
      ["complete-payment", "{P}", "--version-token", "stale"], 3, "VERSION_MISMATCH",
      field: "version_token"),
    .init(["complete-payment", "{MISSING}"], 4, "NOT_FOUND", field: "payment_id"),
    .init(
      ["update-payment", "{C}", "--key", "u", "--tip", "1"], 4, "NOT_FOUND", field: "payment_id"),
    .init(
      ["update-payment", "{P}", "--key", "", "--tip", "1"], 2, "INVALID_VALUE",
      field: "idempotency_key"),
    .init(
      ["update-payment", "{P}", "--key", text(46), "--tip", "1"], 2, "VALUE_TOO_LONG",
      field: "idempotency_key"),
    .init(
      ["update-payment", "{P}", "--key", "u", "--amount", "0"], 2, "INVALID_VALUE",
      field: "amount_money.amount"),
    .init(["update-payment", "{P}", "--key", "u"], 2, "MISSING_REQUIRED_PARAMETER"),
    .init(
      refund + ["--amount", "451", "--currency", "USD"], 7, "REFUND_AMOUNT_INVALID",
      field: "amount_money.amount"),
    .init(
      refund + ["--amount", "1", "--currency", "EUR"], 2, "INVALID_VALUE",
      field: "amount_money.currency"),
    .init(
      refund + ["--amount", "1", "--currency", "usd"], 2, "INVALID_VALUE",
      field: "amount_money.currency"),
    .init(
      refund + ["--amount", "-1", "--currency", "USD"], 2, "INVALID_VALUE",
      field: "amount_money.amount"),
    .init(
      refund + ["--amount", "1", "--currency", "USD", "--reason", text(193)], 2, "VALUE_TOO_LONG",
      field: "reason"),
    .init(
      refund + ["--amount", "1", "--currency", "USD", "--payment-version-token", "stale"], 3,
      "VERSION_MISMATCH"),
    .init(
      [
        "refund-payment", "--key", "r", "--payment-id", "{C}", "--amount", "1", "--currency", "USD",
      ], 4,
      "NOT_FOUND", field: "payment_id"),
  ]
  static let refund = ["refund-payment", "--key", "r", "--payment-id", "{P}"]

  @Test(arguments: invalidRequests + conflicts + paymentChanges)
  func refusedCommandChangesNothing(_ refusal: CommandLineCase) throws {
    let shop = Shop(sandbox)
    let before = try #require(sandbox.snapshot())
    let files = sandbox.listing()

    let result = sandbox.run(shop.fill(refusal.arguments))

    result.expectError(
      refusal.exit, refusal.code, field: refusal.field, category: "INVALID_REQUEST_ERROR")
    #expect(sandbox.snapshot() == before, "the database file changed: \(result)")
    #expect(sandbox.listing() == files)
  }

  /// Requests refused before the database is needed do not create it.
  @Test(arguments: [
    ["create-customer"], ["create-item", "--name", ""], ["list", "--limit", "0"],
    ["update", "X"], ["prune-keys", "--older-than", "soon"],
    RefusedCommandTests.payment + ["--amount", "0"],
  ])
  func invalidRequestCreatesNoDatabase(_ arguments: [String]) {
    let result = sandbox.run(arguments)

    #expect(result.exitCode == 2, "\(result)")
    #expect(result.stdout.isEmpty)
    #expect(!sandbox.storeExists(), "\(result)")
    #expect(sandbox.listing() == ["home"])
  }

  @Test func stdoutStaysEmptyAndStderrHoldsOneErrorDocument() throws {
    let result = sandbox.run("create-customer")

    let document = try #require(
      try JSONSerialization.jsonObject(with: result.stderr) as? [String: Any], "\(result)")
    let errors = try #require(document["errors"] as? [[String: Any]])
    #expect(errors.count == 1)
    #expect(errors[0]["category"] as? String == "INVALID_REQUEST_ERROR")
    #expect(errors[0]["code"] as? String == "MISSING_REQUIRED_PARAMETER")
    #expect((errors[0]["detail"] as? String)?.isEmpty == false)
    #expect(result.stdout.isEmpty)
  }
}
