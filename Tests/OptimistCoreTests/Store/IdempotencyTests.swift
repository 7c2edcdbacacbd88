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
    try StoreRequests.payment(
      key: key, amount: amount, currency: currency, source: source, customerID: customerID,
      referenceID: referenceID, note: note, autocomplete: autocomplete)
  }

  private func customerRequest(_ raw: [(String, String?)], key: String?) throws -> CreateRequest {
    try StoreRequests.create(.customer, raw, key: key)
  }

  private func itemRequest(_ raw: [(String, String?)], key: String?) throws -> CreateRequest {
    try StoreRequests.create(.item, raw, key: key)
  }

  /// `create-customer` / `create-item` as printed.
  private func create(_ request: CreateRequest) throws -> StoredAnswer {
    try store.create(request).printed
  }

  /// `create-payment` as printed.
  private func createPayment(_ request: PaymentRequest) throws -> StoredAnswer {
    try store.createPayment(request).printed
  }

  /// `prune-keys --older-than DURATION` as printed.
  private func pruneKeys(olderThan duration: String) throws -> StoredAnswer {
    StoredAnswer(try store.pruneKeys(olderThan: StoreRequests.age(duration)))
  }

  @Test func sameKeyAndRequestReplaysTheFirstOutputAndCreatesNothing() throws {
    let request = try customerRequest([("given_name", "Ada"), ("note", "n")], key: "c-1")
    let first = try create(request)
    let created = try TestJSON.success(first)
    for _ in 0..<3 {
      let again = try store.create(request)
      #expect(again.isReplay)
      #expect(again.printed == first)
    }
    // A request built again from the same options is the same request.
    let rebuilt = try customerRequest([("note", "n"), ("given_name", "Ada")], key: "c-1")
    #expect(Array(try create(rebuilt).stdout.utf8) == Array(first.stdout.utf8))
    #expect(try database.counts() == Counts(customers: 1, items: 0, payments: 0, keys: 1))
    #expect(try database.getText(created["id"] as? String ?? "") == first.stdout)
  }

  @Test func replayReturnsTheStoredResponseAfterTheObjectChanged() throws {
    let request = try itemRequest([("name", "Coffee")], key: "i-1")
    let first = try create(request)
    let id = try #require(try TestJSON.success(first)["id"] as? String)
    try database.update(id, set: ["description=changed"])
    #expect(try create(request) == first)
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
    let first = try create(
      customerRequest([("given_name", "Ada"), ("note", "n")], key: "c-1"))
    let counts = try database.counts()
    #expect(
      throws: OptimistError.idempotencyKeyReused(key: "c-1")
    ) { try create(customerRequest(other.map { ($0.0, $0.1) }, key: "c-1")) }
    #expect(try database.counts() == counts)
    // The key still replays its first request.
    #expect(
      try create(customerRequest([("given_name", "Ada"), ("note", "n")], key: "c-1")) == first
    )
  }

  @Test func paymentReplaysIdenticalBytes() throws {
    let request = try payment(referenceID: "order-7", note: "table 4")
    let first = try createPayment(request)
    let body = try TestJSON.success(first)
    #expect(body["status"] as? String == "COMPLETED")
    for _ in 0..<3 {
      let keyed = try store.createPayment(request)
      #expect(keyed.isReplay)
      let again = keyed.printed
      #expect(Array(again.stdout.utf8) == Array(first.stdout.utf8))
      #expect(again.stderr == first.stderr)
      #expect(again.status == first.status)
    }
    #expect(try createPayment(payment(referenceID: "order-7", note: "table 4")) == first)
    #expect(try database.counts() == Counts(customers: 0, items: 0, payments: 1, keys: 1))
  }

  @Test func paymentHasSquaresShape() throws {
    let customer = try database.createCustomer([("given_name", "Ada")])
    let customerID = try #require(customer["id"] as? String)
    let output = try createPayment(
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
    let list = StoredAnswer(try store.list(StoreRequests.list(.payment)))
    #expect(list.stdout == "{\"objects\":[\(output.stdout.dropLast())]}\n")
  }

  @Test func paymentOptionalFieldsAreOmittedAndAutocompleteFalseApproves() throws {
    let approved = try TestJSON.success(
      createPayment(payment(key: "a", autocomplete: "false")))
    #expect(approved["status"] as? String == "APPROVED")
    #expect(approved["customer_id"] == nil)
    #expect(approved["reference_id"] == nil)
    #expect(approved["note"] == nil)
    let completed = try TestJSON.success(
      createPayment(payment(key: "b", autocomplete: "true")))
    #expect(completed["status"] as? String == "COMPLETED")
  }

  @Test(arguments: [
    ("amount", "451"), ("currency", "EUR"), ("source", "cnon:other"), ("reference", "r"),
    ("note", "n"), ("autocomplete", "true"), ("autocomplete", "false"),
  ])
  func paymentWithAnyOtherParameterIsReused(parameter: String, value: String) throws {
    let first = try createPayment(payment())
    let other = try payment(
      amount: parameter == "amount" ? value : "450",
      currency: parameter == "currency" ? value : "USD",
      source: parameter == "source" ? value : "cnon:card-nonce-ok",
      referenceID: parameter == "reference" ? value : nil,
      note: parameter == "note" ? value : nil,
      autocomplete: parameter == "autocomplete" ? value : nil)
    let error = #expect(throws: OptimistError.self) { try createPayment(other) }
    #expect(error == .idempotencyKeyReused(key: "key-1"))
    #expect(error?.exitStatus == .idempotencyKeyReused)
    #expect(error?.field == "idempotency_key")
    #expect(try database.counts() == Counts(customers: 0, items: 0, payments: 1, keys: 1))
    #expect(try createPayment(payment()) == first)
  }

  @Test func paymentLeavingOutAParameterIsReused() throws {
    _ = try createPayment(payment(note: "n", autocomplete: "true"))
    #expect(throws: OptimistError.idempotencyKeyReused(key: "key-1")) {
      try createPayment(payment(note: "n"))
    }
    #expect(throws: OptimistError.idempotencyKeyReused(key: "key-1")) {
      try createPayment(payment(autocomplete: "true"))
    }
    #expect(try database.counts().payments == 1)
  }

  /// A request refused as invalid does not use up its key.
  @Test func notFoundCustomerDoesNotUseUpTheKey() throws {
    let missing = "AAAAAAAAAAAAAAAAAAAAAAAAAA"
    #expect(throws: OptimistError.notFound(id: missing, field: "customer_id")) {
      try createPayment(payment(customerID: missing))
    }
    // An item is not a customer.
    let item = try #require(try database.createItem([("name", "Tea")])["id"] as? String)
    let error = #expect(throws: OptimistError.self) {
      try createPayment(payment(customerID: item))
    }
    #expect(error?.code == "NOT_FOUND")
    #expect(error?.exitStatus == .notFound)
    #expect(try database.counts() == Counts(customers: 0, items: 1, payments: 0, keys: 0))

    let customer = try #require(
      try database.createCustomer([("given_name", "Ada")])["id"] as? String)
    let corrected = try payment(customerID: customer)
    let first = try createPayment(corrected)
    #expect(try TestJSON.success(first)["customer_id"] as? String == customer)
    #expect(try createPayment(corrected) == first)
    #expect(try database.counts() == Counts(customers: 1, items: 1, payments: 1, keys: 1))
  }

  @Test func invalidCreateDoesNotUseUpTheKey() throws {
    let error = #expect(throws: OptimistError.self) {
      try create(customerRequest([("note", "no contact")], key: "c-1"))
    }
    #expect(error?.code == "MISSING_REQUIRED_PARAMETER")
    let output = try create(customerRequest([("given_name", "Ada")], key: "c-1"))
    _ = try TestJSON.success(output)
    #expect(try database.counts() == Counts(customers: 1, items: 0, payments: 0, keys: 1))
  }

  @Test func keysAreScopedPerCommand() throws {
    let customer = try create(customerRequest([("given_name", "Ada")], key: "shared"))
    let item = try create(itemRequest([("name", "Tea")], key: "shared"))
    let payment = try createPayment(payment(key: "shared"))
    let ids = try [customer, item, payment].map { try TestJSON.success($0)["id"] as? String }
    #expect(Set(ids.compactMap { $0 }).count == 3)
    #expect(try database.counts() == Counts(customers: 1, items: 1, payments: 1, keys: 3))
    #expect(try create(customerRequest([("given_name", "Ada")], key: "shared")) == customer)
    #expect(
      try create(itemRequest([("name", "Tea")], key: "shared")) == item)
    #expect(try createPayment(self.payment(key: "shared")) == payment)
  }

  @Test func replayWorksAfterTheCustomerWasDeleted() throws {
    let customer = try #require(
      try database.createCustomer([("given_name", "Ada")])["id"] as? String)
    let request = try payment(customerID: customer)
    let first = try createPayment(request)
    _ = try TestJSON.success(store.delete(StoreRequests.delete(customer)).printed)
    #expect(try createPayment(request) == first)
    #expect(try database.counts() == Counts(customers: 0, items: 0, payments: 1, keys: 1))
    // A new key naming the deleted customer is refused.
    #expect(throws: OptimistError.notFound(id: customer, field: "customer_id")) {
      try createPayment(payment(key: "key-2", customerID: customer))
    }
  }

  @Test func declinedSourceIsRecordedAsFailedAndReplayedIdentically() throws {
    let request = try payment(source: Payment.declinedSource)
    #expect(Payment.declinedSource == "cnon:card-nonce-declined")
    let first = try createPayment(request)
    #expect(first.status == .cardDeclined)
    let body = try TestJSON.object(first.stdout)
    #expect(first.stdout.hasSuffix("}\n"))
    #expect(body["status"] as? String == "FAILED")
    let error = try TestJSON.error(first.stderr)
    #expect(error["code"] as? String == "CARD_DECLINED")
    #expect(error["category"] as? String == "PAYMENT_METHOD_ERROR")
    #expect(first.stderr.hasSuffix("\n"))

    let replay = try createPayment(request)
    #expect(Array(replay.stdout.utf8) == Array(first.stdout.utf8))
    #expect(Array(replay.stderr.utf8) == Array(first.stderr.utf8))
    #expect(replay.status == .cardDeclined)
    #expect(try database.counts() == Counts(customers: 0, items: 0, payments: 1, keys: 1))
    // The failed payment is stored and readable.
    let stored = try database.get(body["id"] as? String ?? "")
    #expect(stored["status"] as? String == "FAILED")
  }

  @Test func pruningEverythingFreesTheKeysAndKeepsThePayments() throws {
    let request = try payment()
    let first = try TestJSON.success(createPayment(request))
    _ = try create(customerRequest([("given_name", "Ada")], key: "c-1"))
    #expect(try database.counts() == Counts(customers: 1, items: 0, payments: 1, keys: 2))

    // Nothing is a day old yet.
    let none = try TestJSON.success(pruneKeys(olderThan: "1d"))
    #expect(TestJSON.int(none["deleted_keys"]) == 0)
    #expect(try database.counts().keys == 2)

    let pruned = try TestJSON.success(pruneKeys(olderThan: "0s"))
    #expect(TestJSON.int(pruned["deleted_keys"]) == 2)
    #expect(pruned.count == 1)
    #expect(try database.counts() == Counts(customers: 1, items: 0, payments: 1, keys: 0))

    // The key is free again: even a different request is a new payment.
    let again = try TestJSON.success(createPayment(payment(amount: "999")))
    #expect(again["id"] as? String != first["id"] as? String)
    #expect(try database.counts() == Counts(customers: 1, items: 0, payments: 2, keys: 1))
    #expect(
      try database.get(first["id"] as? String ?? "")["id"] as? String == first["id"] as? String)
  }

  @Test(arguments: ["90s", "30m", "24h", "7d", "0s", "0d", "106751991167d"])
  func durationsAreAccepted(duration: String) throws {
    _ = try createPayment(payment())
    let output = try TestJSON.success(pruneKeys(olderThan: duration))
    #expect(TestJSON.int(output["deleted_keys"]) == (duration.hasPrefix("0") ? 1 : 0))
  }

  @Test(arguments: [
    "5", "5x", "-1s", "", "s", "1.5h", " 5s", "5s ", "5S", "+5s", "1w", "5ss",
    "106751991167000d",
  ])
  func badDurationsAreInvalid(duration: String) throws {
    _ = try createPayment(payment())
    let error = #expect(throws: OptimistError.self) { try pruneKeys(olderThan: duration) }
    #expect(error?.code == "INVALID_VALUE")
    #expect(try database.counts().keys == 1)
  }
}

/// `idempotent` and `claim` themselves, in write transactions from the engine, with requests
/// of their own: what a key replays and refuses, whatever the command.
@Suite struct IdempotentTransactionTests {
  /// A request with a key and two properties, both compared.
  struct Charge: IdempotentRequest {
    var key: IdempotencyKey?
    var amount: Int64 = 450
    var note: String?
  }

  /// What the test requests answer: a JSON text and, when given, a refusal that comes with it.
  struct Echo: Answer, Equatable {
    var json: String
    var refusal: OptimistError?
  }

  /// How often `perform` ran, across transactions.
  final class Calls {
    var count = 0
  }

  let database = TestDatabase()
  var store: SQLiteStore { database.store }
  let calls = Calls()
  let key = try! IdempotencyKey("key-1")

  /// An answer with text a byte-for-byte replay must keep: quotes, escapes, é as one scalar
  /// and as e + U+0301, an emoji; and a refusal, whose stderr and exit code must come back.
  static let answer = Echo(
    json: #"{"note":"caf\u00e9 \"q\" é e\#u{301} 👩‍💻","n":1}"#, refusal: .cardDeclined)

  /// `idempotent` in a write transaction of its own; `perform` answers `answer` for object
  /// `OBJ`, and counts.
  private func keyed(
    _ request: Charge, scope: KeyScope = .batch, answer: Echo = answer,
    check: () throws -> Void = {}
  ) throws -> Keyed<Echo> {
    try Keyed(
      try store.write { tx in
        try tx.idempotent(scope, request, check: check) {
          calls.count += 1
          return (objectID: "OBJ", value: answer)
        }
      })
  }

  /// The key's row as a read transaction finds it.
  private func row(_ scope: KeyScope = .batch, _ key: IdempotencyKey? = nil) throws -> KeyRow? {
    try store.read { tx in try tx.storedKeyRow(scope, key ?? self.key) }
  }

  private func consistencyProblems() throws -> [String] {
    try store.read { tx in try tx.consistencyProblems() }
  }

  @Test func theSameKeyAndRequestReplayTheStoredAnswerByteForByte() throws {
    let request = Charge(key: key, note: "n")
    let first = try keyed(request)
    #expect(first.value == Self.answer)
    #expect(calls.count == 1)
    let printed = StoredAnswer(Self.answer)
    #expect(printed.status == .cardDeclined)
    #expect(!printed.stderr.isEmpty)

    for other in [Echo(json: "{}", refusal: nil), Self.answer] {
      let again = try keyed(Charge(key: key, note: "n"), answer: other)
      #expect(again.isReplay)
      #expect(Array(again.printed.stdout.utf8) == Array(printed.stdout.utf8))
      #expect(Array(again.printed.stderr.utf8) == Array(printed.stderr.utf8))
      #expect(again.printed.status == printed.status)
    }
    #expect(calls.count == 1, "a replay performs nothing")
    let stored = try #require(try row())
    #expect(stored.objectID == "OBJ")
    #expect(stored.answer == printed)
    #expect(try consistencyProblems() == [])
  }

  static let others: [Charge] = [
    Charge(key: nil, amount: 451, note: "n"),  // another amount
    Charge(key: nil, note: "m"),  // another note
    Charge(key: nil, note: nil),  // the note left out
    Charge(key: nil, note: ""),  // an empty note instead of one
    Charge(key: nil, note: "n "),  // a byte more
  ]

  @Test(arguments: others)
  func theSameKeyWithAnotherRequestIsReusedAndChangesNothing(other: Charge) throws {
    _ = try keyed(Charge(key: key, note: "n"))
    let before = try row()
    var other = other
    other.key = key
    #expect(throws: OptimistError.idempotencyKeyReused(key: "key-1")) {
      try keyed(other, answer: Echo(json: #"{"other":1}"#))
    }
    #expect(calls.count == 1)
    #expect(try row()?.answer == before?.answer)
    #expect(try keyed(Charge(key: key, note: "n")).isReplay)
  }

  /// Text is compared byte for byte: é as one scalar and as e + U+0301 are two requests
  /// (optimist stores text exactly as given).
  @Test func canonicallyEquivalentTextIsAnotherRequest() throws {
    _ = try keyed(Charge(key: key, note: "caf\u{E9}"))
    #expect(throws: OptimistError.idempotencyKeyReused(key: "key-1")) {
      try keyed(Charge(key: key, note: "cafe\u{301}"))
    }
    #expect(calls.count == 1)
  }

  @Test func aRefusedCheckDoesNotUseUpTheKey() throws {
    let refusal = OptimistError.notFound(id: "CUSTOMER", field: "customer_id")
    #expect(throws: refusal) { try keyed(Charge(key: key), check: { throw refusal }) }
    #expect(calls.count == 0)
    #expect(try row() == nil)
    // Another request with the key is then new, and its answer is the key's.
    let corrected = try keyed(Charge(key: key, note: "corrected"))
    #expect(!corrected.isReplay)
    #expect(calls.count == 1)
    #expect(try keyed(Charge(key: key, note: "corrected")).isReplay)
  }

  @Test func aFailureWhilePerformingDoesNotUseUpTheKey() throws {
    #expect(throws: OptimistError.cardDeclined) {
      try store.write { tx in
        try tx.idempotent(.batch, Charge(key: key)) {
          () throws -> (objectID: String, value: Echo) in
          try tx.run(
            "INSERT INTO idempotency_keys (command, key, request, object_id, stdout, "
              + "stderr, exit_code, created_at) VALUES ('batch', 'other', '', '', '', '', 0, 0)")
          throw OptimistError.cardDeclined
        }
      }
    }
    #expect(try row() == nil)
    #expect(try row(.batch, IdempotencyKey("other")) == nil, "what perform wrote rolled back")
    #expect(!(try keyed(Charge(key: key, note: "n"))).isReplay)
  }

  /// An invalid retry is told what is wrong with it, not that the key is taken.
  @Test func theCheckComesBeforeAReusedKeyIsReported() throws {
    _ = try keyed(Charge(key: key))
    let refusal = OptimistError.notFound(id: "CUSTOMER", field: "customer_id")
    #expect(throws: refusal) { try keyed(Charge(key: key, amount: 1), check: { throw refusal }) }
    // The same request replays without its check: the key's answer stands.
    #expect(try keyed(Charge(key: key), check: { throw refusal }).isReplay)
  }

  @Test func withoutAKeyEveryCallPerformsAndNothingIsStored() throws {
    for _ in 0..<3 { #expect(try keyed(Charge(key: nil)).value == Self.answer) }
    #expect(calls.count == 3)
    #expect(try database.counts().keys == 0)
  }

  @Test func keysAreScopedByKeyScope() throws {
    for scope in [KeyScope.update, .delete, .edit] {
      #expect(!(try keyed(Charge(key: key), scope: scope)).isReplay, "\(scope)")
    }
    // Another request with the key in yet another scope is new there too.
    #expect(!(try keyed(Charge(key: key, amount: 1), scope: .batch)).isReplay)
    #expect(calls.count == 4)
    #expect(try keyed(Charge(key: key), scope: .delete).isReplay)
    #expect(try database.counts().keys == 4)
  }

  /// `cancel-payment --key` takes a create-payment key first: a create with it later, with
  /// whatever request, replays that refusal and charges nothing.
  @Test func aClaimBlocksALaterCreate() throws {
    let refusal = StoredAnswer(
      refusal: .stateRefused(.delayedTransactionCanceled, detail: "canceled"))
    #expect(
      try store.write { tx in
        try tx.claim(
          .createPayment, key, request: Idempotency.canceledBeforeCreation, answer: refusal)
      })
    // The key is taken: a second claim fails and leaves the first answer.
    #expect(
      try !store.write { tx in
        try tx.claim(
          .createPayment, key, request: "{}",
          answer: StoredAnswer(stdout: "x\n"))
      })
    for request in [Charge(key: key), Charge(key: key, amount: 1, note: "other")] {
      let answer = try keyed(request, scope: .createPayment)
      #expect(answer.isReplay)
      #expect(answer.printed == refusal)
    }
    #expect(calls.count == 0)
    // Other scopes keep their own keys.
    #expect(!(try keyed(Charge(key: key), scope: .refundPayment)).isReplay)
    #expect(try consistencyProblems() == [])
  }

  /// The same through the operations: the create that arrives after the cancel is exit 7
  /// and creates no payment, every time.
  @Test func cancelPaymentByKeyBlocksALaterCreatePayment() throws {
    let canceled = try store.cancelPayment(byKey: key)
    #expect(canceled.payment == nil)
    #expect(canceled.json == "{}")
    let first = try store.createPayment(StoreRequests.payment(key: "key-1")).printed
    #expect(first.status == .stateRefused)
    #expect(first.stdout == "")
    #expect(try TestJSON.error(first.stderr)["code"] as? String == "DELAYED_TRANSACTION_CANCELED")
    let again = try store.createPayment(StoreRequests.payment(key: "key-1", amount: "999"))
    #expect(again.isReplay)
    #expect(Array(again.printed.stderr.utf8) == Array(first.stderr.utf8))
    #expect(again.printed.status == .stateRefused)
    #expect(try store.cancelPayment(byKey: key).payment == nil)
    #expect(try database.counts() == Counts(customers: 0, items: 0, payments: 0, keys: 1))
    #expect(try consistencyProblems() == [])
  }

  @Test func pruningFreesTheKey() throws {
    _ = try keyed(Charge(key: key))
    let past = Timestamp(milliseconds: Timestamp.now().milliseconds - 60_000)
    #expect(try store.write { tx in try tx.pruneKeys(createdAtOrBefore: past) } == 0)
    #expect(try keyed(Charge(key: key)).isReplay)
    #expect(try store.write { tx in try tx.pruneKeys(createdAtOrBefore: Timestamp.now()) } == 1)
    #expect(try row() == nil)
    // Even another request is new once the key is gone.
    #expect(!(try keyed(Charge(key: key, amount: 1))).isReplay)
    #expect(calls.count == 2)
  }

  /// `storedAnswer` (what `edit` asks before it acts) only reads, and answers as
  /// `idempotent` would.
  @Test func storedAnswerReadsWhatAKeyWouldReplay() throws {
    let request = Charge(key: key, note: "n")
    #expect(try store.read { tx in try tx.storedAnswer(.batch, request) } == nil)
    #expect(try store.read { tx in try tx.storedAnswer(.batch, Charge(key: nil)) } == nil)
    _ = try keyed(request)
    #expect(
      try store.read { tx in try tx.storedAnswer(.batch, request) } == StoredAnswer(Self.answer))
    #expect(throws: OptimistError.idempotencyKeyReused(key: "key-1")) {
      try store.read { tx in try tx.storedAnswer(.batch, Charge(key: key, note: "m")) }
    }
    #expect(try store.read { tx in try tx.storedAnswer(.update, request) } == nil)
  }
}
