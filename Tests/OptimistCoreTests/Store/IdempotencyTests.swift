import Foundation
import Testing

@testable import OptimistCore
@testable import OptimistSQLite

@Suite struct IdempotencyTests {
  let database = TestDatabase()
  var store: SQLiteStore { database.store }

  private func payment(
    key: String = "key-1", amount: String = "450", currency: String = "USD",
    source: String = "cnon:card-nonce-ok", customerID: String? = nil, referenceID: String? = nil,
    note: String? = nil, autocomplete: String? = nil
  ) throws -> PaymentRequest {
    try PaymentRequest(
      key: key, amount: amount, currency: currency, sourceID: source, customerID: customerID,
      referenceID: referenceID, note: note, autocomplete: autocomplete)
  }

  private func customerRequest(_ raw: [(String, String?)], key: String?) throws -> CreateRequest {
    try CreateRequest(type: .customer, raw: raw, key: key)
  }

  @Test func sameKeyAndRequestReplaysTheFirstOutputAndCreatesNothing() throws {
    let request = try customerRequest([("given_name", "Ada"), ("note", "n")], key: "c-1")
    let first = try store.create(request)
    let created = try TestJSON.success(first)
    for _ in 0..<3 {
      #expect(try store.create(request) == first)
    }
    // A request built again from the same options is the same request.
    let rebuilt = try customerRequest([("note", "n"), ("given_name", "Ada")], key: "c-1")
    #expect(Array(try store.create(rebuilt).stdout.utf8) == Array(first.stdout.utf8))
    #expect(try database.counts() == Counts(customers: 1, items: 0, payments: 0, keys: 1))
    #expect(try database.getText(created["id"] as? String ?? "") == first.stdout)
  }

  @Test func replayReturnsTheStoredResponseAfterTheObjectChanged() throws {
    let request = try CreateRequest(type: .item, raw: [("name", "Coffee")], key: "i-1")
    let first = try store.create(request)
    let id = try #require(try TestJSON.success(first)["id"] as? String)
    try database.update(id, set: ["description=changed"])
    #expect(try store.create(request) == first)
    #expect(try database.counts().items == 1)
  }

  @Test(
    arguments: [
      [("given_name", "Eve")],  // another value
      [("given_name", "Ada"), ("note", "n"), ("family_name", "L")],  // one added
      [("given_name", "Ada")],  // one left out
      [("given_name", "Ada"), ("note", "")],  // an empty value instead of a text
    ] as [[(String, String)]])
  func sameKeyWithAnotherRequestIsReused(other: [(String, String)]) throws {
    let first = try store.create(
      customerRequest([("given_name", "Ada"), ("note", "n")], key: "c-1"))
    let counts = try database.counts()
    #expect(
      throws: OptimistError.idempotencyKeyReused(key: "c-1")
    ) { try store.create(customerRequest(other.map { ($0.0, $0.1) }, key: "c-1")) }
    #expect(try database.counts() == counts)
    // The key still replays its first request.
    #expect(
      try store.create(customerRequest([("given_name", "Ada"), ("note", "n")], key: "c-1")) == first
    )
  }

  @Test func paymentReplaysIdenticalBytes() throws {
    let request = try payment(referenceID: "order-7", note: "table 4")
    let first = try store.createPayment(request)
    let body = try TestJSON.success(first)
    #expect(body["status"] as? String == "COMPLETED")
    for _ in 0..<3 {
      let again = try store.createPayment(request)
      #expect(Array(again.stdout.utf8) == Array(first.stdout.utf8))
      #expect(again.stderr == first.stderr)
      #expect(again.exitCode == first.exitCode)
    }
    #expect(try store.createPayment(payment(referenceID: "order-7", note: "table 4")) == first)
    #expect(try database.counts() == Counts(customers: 0, items: 0, payments: 1, keys: 1))
  }

  @Test func paymentHasSquaresShape() throws {
    let customer = try database.createCustomer([("given_name", "Ada")])
    let customerID = try #require(customer["id"] as? String)
    let output = try store.createPayment(
      payment(amount: "450", customerID: customerID, referenceID: "r", note: "n"))
    let body = try TestJSON.success(output)
    #expect(ObjectID.isWellFormed(body["id"] as? String ?? ""))
    let money = try #require(body["amount_money"] as? [String: Any])
    #expect(TestJSON.int(money["amount"]) == 450)
    #expect(money["currency"] as? String == "USD")
    let total = try #require(body["total_money"] as? [String: Any])
    #expect(TestJSON.int(total["amount"]) == 450)
    #expect(total["currency"] as? String == "USD")
    let approved = try #require(body["approved_money"] as? [String: Any])
    #expect(TestJSON.int(approved["amount"]) == 450)
    #expect(body["source_type"] as? String == "CARD")
    #expect(body["customer_id"] as? String == customerID)
    #expect(body["reference_id"] as? String == "r")
    #expect(body["note"] as? String == "n")
    #expect(!(body["version_token"] as? String ?? "").isEmpty)
    let created = try #require(body["created_at"] as? String)
    #expect(created.count == 24)
    #expect(body["updated_at"] as? String == created)
    // get and list show the payment with the same bytes.
    #expect(try database.getText(body["id"] as? String ?? "") == output.stdout)
    let list = try store.list(ListRequest(type: "PAYMENT", limit: nil, cursor: nil))
    #expect(list.stdout == "{\"objects\":[\(output.stdout.dropLast())]}\n")
  }

  @Test func paymentOptionalFieldsAreOmittedAndAutocompleteFalseApproves() throws {
    let approved = try TestJSON.success(
      store.createPayment(payment(key: "a", autocomplete: "false")))
    #expect(approved["status"] as? String == "APPROVED")
    #expect(approved["customer_id"] == nil)
    #expect(approved["reference_id"] == nil)
    #expect(approved["note"] == nil)
    let completed = try TestJSON.success(
      store.createPayment(payment(key: "b", autocomplete: "true")))
    #expect(completed["status"] as? String == "COMPLETED")
  }

  @Test(arguments: [
    ("amount", "451"), ("currency", "EUR"), ("source", "cnon:other"), ("reference", "r"),
    ("note", "n"), ("autocomplete", "true"), ("autocomplete", "false"),
  ])
  func paymentWithAnyOtherParameterIsReused(parameter: String, value: String) throws {
    let first = try store.createPayment(payment())
    let other = try payment(
      amount: parameter == "amount" ? value : "450",
      currency: parameter == "currency" ? value : "USD",
      source: parameter == "source" ? value : "cnon:card-nonce-ok",
      referenceID: parameter == "reference" ? value : nil,
      note: parameter == "note" ? value : nil,
      autocomplete: parameter == "autocomplete" ? value : nil)
    let error = #expect(throws: OptimistError.self) { try store.createPayment(other) }
    #expect(error == .idempotencyKeyReused(key: "key-1"))
    #expect(error?.exitCode == 5)
    #expect(error?.field == "idempotency_key")
    #expect(try database.counts() == Counts(customers: 0, items: 0, payments: 1, keys: 1))
    #expect(try store.createPayment(payment()) == first)
  }

  @Test func paymentLeavingOutAParameterIsReused() throws {
    _ = try store.createPayment(payment(note: "n", autocomplete: "true"))
    #expect(throws: OptimistError.idempotencyKeyReused(key: "key-1")) {
      try store.createPayment(payment(note: "n"))
    }
    #expect(throws: OptimistError.idempotencyKeyReused(key: "key-1")) {
      try store.createPayment(payment(autocomplete: "true"))
    }
    #expect(try database.counts().payments == 1)
  }

  /// A request refused as invalid does not use up its key.
  @Test func notFoundCustomerDoesNotUseUpTheKey() throws {
    let missing = "AAAAAAAAAAAAAAAAAAAAAAAAAA"
    #expect(throws: OptimistError.notFound(id: missing, field: "customer_id")) {
      try store.createPayment(payment(customerID: missing))
    }
    // An item is not a customer.
    let item = try #require(try database.createItem([("name", "Tea")])["id"] as? String)
    let error = #expect(throws: OptimistError.self) {
      try store.createPayment(payment(customerID: item))
    }
    #expect(error?.code == "NOT_FOUND")
    #expect(error?.exitCode == 4)
    #expect(try database.counts() == Counts(customers: 0, items: 1, payments: 0, keys: 0))

    let customer = try #require(
      try database.createCustomer([("given_name", "Ada")])["id"] as? String)
    let corrected = try payment(customerID: customer)
    let first = try store.createPayment(corrected)
    #expect(try TestJSON.success(first)["customer_id"] as? String == customer)
    #expect(try store.createPayment(corrected) == first)
    #expect(try database.counts() == Counts(customers: 1, items: 1, payments: 1, keys: 1))
  }

  @Test func invalidCreateDoesNotUseUpTheKey() throws {
    let error = #expect(throws: OptimistError.self) {
      try store.create(customerRequest([("note", "no contact")], key: "c-1"))
    }
    #expect(error?.code == "MISSING_REQUIRED_PARAMETER")
    let output = try store.create(customerRequest([("given_name", "Ada")], key: "c-1"))
    _ = try TestJSON.success(output)
    #expect(try database.counts() == Counts(customers: 1, items: 0, payments: 0, keys: 1))
  }

  @Test func keysAreScopedPerCommand() throws {
    let customer = try store.create(customerRequest([("given_name", "Ada")], key: "shared"))
    let item = try store.create(CreateRequest(type: .item, raw: [("name", "Tea")], key: "shared"))
    let payment = try store.createPayment(payment(key: "shared"))
    let ids = try [customer, item, payment].map { try TestJSON.success($0)["id"] as? String }
    #expect(Set(ids.compactMap { $0 }).count == 3)
    #expect(try database.counts() == Counts(customers: 1, items: 1, payments: 1, keys: 3))
    #expect(try store.create(customerRequest([("given_name", "Ada")], key: "shared")) == customer)
    #expect(
      try store.create(CreateRequest(type: .item, raw: [("name", "Tea")], key: "shared")) == item)
    #expect(try store.createPayment(self.payment(key: "shared")) == payment)
  }

  @Test func replayWorksAfterTheCustomerWasDeleted() throws {
    let customer = try #require(
      try database.createCustomer([("given_name", "Ada")])["id"] as? String)
    let request = try payment(customerID: customer)
    let first = try store.createPayment(request)
    _ = try TestJSON.success(store.delete(id: customer, version: nil))
    #expect(try store.createPayment(request) == first)
    #expect(try database.counts() == Counts(customers: 0, items: 0, payments: 1, keys: 1))
    // A new key naming the deleted customer is refused.
    #expect(throws: OptimistError.notFound(id: customer, field: "customer_id")) {
      try store.createPayment(payment(key: "key-2", customerID: customer))
    }
  }

  @Test func declinedSourceIsRecordedAsFailedAndReplayedIdentically() throws {
    let request = try payment(source: Payment.declinedSource)
    #expect(Payment.declinedSource == "cnon:card-nonce-declined")
    let first = try store.createPayment(request)
    #expect(first.exitCode == 6)
    let body = try TestJSON.object(first.stdout)
    #expect(first.stdout.hasSuffix("}\n"))
    #expect(body["status"] as? String == "FAILED")
    let error = try TestJSON.error(first.stderr)
    #expect(error["code"] as? String == "CARD_DECLINED")
    #expect(error["category"] as? String == "PAYMENT_METHOD_ERROR")
    #expect(first.stderr.hasSuffix("\n"))

    let replay = try store.createPayment(request)
    #expect(Array(replay.stdout.utf8) == Array(first.stdout.utf8))
    #expect(Array(replay.stderr.utf8) == Array(first.stderr.utf8))
    #expect(replay.exitCode == 6)
    #expect(try database.counts() == Counts(customers: 0, items: 0, payments: 1, keys: 1))
    // The failed payment is stored and readable.
    let stored = try database.get(body["id"] as? String ?? "")
    #expect(stored["status"] as? String == "FAILED")
  }

  @Test func pruningEverythingFreesTheKeysAndKeepsThePayments() throws {
    let request = try payment()
    let first = try TestJSON.success(store.createPayment(request))
    _ = try store.create(customerRequest([("given_name", "Ada")], key: "c-1"))
    #expect(try database.counts() == Counts(customers: 1, items: 0, payments: 1, keys: 2))

    // Nothing is a day old yet.
    let none = try TestJSON.success(store.pruneKeys(olderThan: "1d"))
    #expect(TestJSON.int(none["deleted_keys"]) == 0)
    #expect(try database.counts().keys == 2)

    let pruned = try TestJSON.success(store.pruneKeys(olderThan: "0s"))
    #expect(TestJSON.int(pruned["deleted_keys"]) == 2)
    #expect(pruned.count == 1)
    #expect(try database.counts() == Counts(customers: 1, items: 0, payments: 1, keys: 0))

    // The key is free again: even a different request is a new payment.
    let again = try TestJSON.success(store.createPayment(payment(amount: "999")))
    #expect(again["id"] as? String != first["id"] as? String)
    #expect(try database.counts() == Counts(customers: 1, items: 0, payments: 2, keys: 1))
    #expect(
      try database.get(first["id"] as? String ?? "")["id"] as? String == first["id"] as? String)
  }

  @Test(arguments: ["90s", "30m", "24h", "7d", "0s", "0d", "106751991167d"])
  func durationsAreAccepted(duration: String) throws {
    _ = try store.createPayment(payment())
    let output = try TestJSON.success(store.pruneKeys(olderThan: duration))
    #expect(TestJSON.int(output["deleted_keys"]) == (duration.hasPrefix("0") ? 1 : 0))
  }

  @Test(arguments: [
    "5", "5x", "-1s", "", "s", "1.5h", " 5s", "5s ", "5S", "+5s", "1w", "5ss",
    "106751991167000d",
  ])
  func badDurationsAreInvalid(duration: String) throws {
    _ = try store.createPayment(payment())
    let error = #expect(throws: OptimistError.self) { try store.pruneKeys(olderThan: duration) }
    #expect(error?.code == "INVALID_VALUE")
    #expect(try database.counts().keys == 1)
  }
}
