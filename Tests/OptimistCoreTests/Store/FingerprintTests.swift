import Foundation
import Testing

@testable import OptimistCore

/// `Fingerprint.of` covers every stored property of every request: two requests that differ
/// in any one property are two requests to a key (IDEMPOTENCY_KEY_REUSED, never the other's
/// answer); the same request built again is the same.
@Suite struct FingerprintTests {
  /// Checks `base` against requests that each differ from it in one property.
  ///
  /// - The fingerprint's members are `base`'s stored properties (by `Mirror`), less
  ///   `leftOut`: a property added to a request is either compared or left out by name.
  ///   `base` gives every optional property a value, so that every one shows.
  /// - Every property but those left out has a variant in `differing`; every variant's
  ///   fingerprint differs from `base`'s and from every other variant's.
  /// - Each of `same` (the property left out changed, or the request built again another
  ///   way) has `base`'s fingerprint.
  private func check<Request: IdempotentRequest>(
    _ base: Request, differing: [(String, Request)], same: [(String, Request)] = [],
    leftOut: Set<String> = [], sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    let properties = Set(Mirror(reflecting: base).children.compactMap(\.label))
    let fingerprint = Fingerprint.of(base)
    let members = Set(try TestJSON.object(fingerprint).keys)
    #expect(members == properties.subtracting(leftOut), sourceLocation: sourceLocation)
    #expect(
      Set(differing.map(\.0)) == properties.subtracting(leftOut),
      "a variant for every compared property", sourceLocation: sourceLocation)
    #expect(bytes(base) == Array(fingerprint.utf8), sourceLocation: sourceLocation)

    var seen = [Array(fingerprint.utf8): "base"]
    for (property, variant) in differing {
      let other = bytes(variant)
      #expect(
        seen[other] == nil, "\(property) gives the fingerprint of \(seen[other] ?? "")",
        sourceLocation: sourceLocation)
      seen[other] = property
    }
    for (what, variant) in same {
      #expect(bytes(variant) == Array(fingerprint.utf8), "\(what)", sourceLocation: sourceLocation)
    }
  }

  /// A fingerprint as a key compares it: by its bytes (Swift's == would take canonically
  /// equivalent text for the same).
  private func bytes(_ request: some Encodable) -> [UInt8] { Array(Fingerprint.of(request).utf8) }

  private func key(_ text: String = "key-1") throws -> IdempotencyKey { try IdempotencyKey(text) }

  private func usd(_ amount: Int64) throws -> Money {
    Money(amount: amount, currency: try Currency("USD"))
  }

  @Test func createRequest() throws {
    func create(_ given: [(String, String?)], key: String = "key-1") throws -> CreateRequest {
      try StoreRequests.create(.customer, given, key: key)
    }
    let base = try create([("given_name", "Ada"), ("note", "n")])
    let item = try StoreRequests.create(.item, [("name", "Ada")], key: "key-1")
    try check(
      base,
      differing: [
        ("values", try create([("given_name", "Ada"), ("note", "m")])),
        ("values", try create([("given_name", "Ada")])),
        ("values", try create([("given_name", "Ada"), ("note", "n"), ("family_name", "L")])),
        ("values", try create([("family_name", "Ada"), ("note", "n")])),
        ("key", try create([("given_name", "Ada"), ("note", "n")], key: "key-2")),
        // An item cannot have a customer's values: it differs in type and values.
        ("type", item),
      ],
      same: [
        ("the options in another order", try create([("note", "n"), ("given_name", "Ada")])),
        (
          "an empty option, which is no value",
          try create([("given_name", "Ada"), ("note", "n"), ("phone_number", "")])
        ),
      ])
  }

  /// A boolean and the text `true` are different values.
  @Test func fieldValuesKeepTheirKind() {
    let text: FieldValues = ["available_for_pickup": .text("true")]
    let flag: FieldValues = ["available_for_pickup": .boolean(true)]
    let off: FieldValues = ["available_for_pickup": .boolean(false)]
    #expect(bytes(text) != bytes(flag))
    #expect(bytes(flag) != bytes(off))
  }

  @Test func updateRequest() throws {
    func update(
      id: String = "OBJ", version: Int64? = 3, set: [String] = ["note=n", "given_name=Ada"],
      unset: [String] = ["phone_number"], key: String = "key-1", type: ObjectType? = .customer
    ) throws -> UpdateRequest {
      try UpdateRequest(
        id: id, version: version, changes: changes(set: set, unset: unset),
        key: IdempotencyKey(key), type: type)
    }
    try check(
      try update(),
      differing: [
        ("id", try update(id: "OTHER")),
        ("version", try update(version: 4)),
        ("version", try update(version: nil)),
        ("changes", try update(set: ["note=m", "given_name=Ada"])),
        ("changes", try update(set: ["note=n"])),
        ("changes", try update(set: ["note=n", "family_name=Ada"])),
        ("changes", try update(unset: [])),
        ("changes", try update(unset: ["email_address"])),
        ("changes", try update(set: ["given_name=Ada"], unset: ["phone_number", "note"])),
        ("key", try update(key: "key-2")),
        ("type", try update(type: .item)),
        ("type", try update(type: nil)),
      ],
      same: [
        (
          "an empty value, which removes the field",
          try update(set: ["note=n", "given_name=Ada", "phone_number="], unset: [])
        )
      ])
  }

  @Test func deleteRequest() throws {
    let base = DeleteRequest(id: "OBJ", version: 3, key: try key(), type: .item)
    try check(
      base,
      differing: [
        ("id", DeleteRequest(id: "OTHER", version: 3, key: try key(), type: .item)),
        ("version", DeleteRequest(id: "OBJ", version: 0, key: try key(), type: .item)),
        ("version", DeleteRequest(id: "OBJ", version: nil, key: try key(), type: .item)),
        ("key", DeleteRequest(id: "OBJ", version: 3, key: try key("key-2"), type: .item)),
        ("type", DeleteRequest(id: "OBJ", version: 3, key: try key(), type: .customer)),
        ("type", DeleteRequest(id: "OBJ", version: 3, key: try key(), type: nil)),
      ])
  }

  @Test func paymentRequest() throws {
    func payment(
      key: String = "key-1", amount: String = "450", currency: String = "USD",
      source: String = "cnon:card-nonce-ok", customerID: String? = "CUSTOMER",
      referenceID: String? = "r", note: String? = "n", autocomplete: String? = "true"
    ) throws -> PaymentRequest {
      try StoreRequests.payment(
        key: key, amount: amount, currency: currency, source: source, customerID: customerID,
        referenceID: referenceID, note: note, autocomplete: autocomplete)
    }
    try check(
      try payment(),
      differing: [
        ("key", try payment(key: "key-2")),
        ("amount", try payment(amount: "451")),
        ("amount", try payment(currency: "EUR")),
        ("sourceID", try payment(source: "cnon:other")),
        ("customerID", try payment(customerID: "OTHER")),
        ("customerID", try payment(customerID: nil)),
        ("referenceID", try payment(referenceID: "s")),
        ("referenceID", try payment(referenceID: nil)),
        ("note", try payment(note: "m")),
        ("note", try payment(note: nil)),
        ("autocomplete", try payment(autocomplete: "false")),
        ("autocomplete", try payment(autocomplete: nil)),
      ])
  }

  @Test func paymentStatusRequest() throws {
    let base = PaymentStatusRequest(.complete, id: "PAY", versionToken: "T", key: try key())
    try check(
      base,
      differing: [
        ("change", PaymentStatusRequest(.cancel, id: "PAY", versionToken: "T", key: try key())),
        ("id", PaymentStatusRequest(.complete, id: "OTHER", versionToken: "T", key: try key())),
        (
          "versionToken",
          PaymentStatusRequest(.complete, id: "PAY", versionToken: "U", key: try key())
        ),
        (
          "versionToken",
          PaymentStatusRequest(.complete, id: "PAY", versionToken: nil, key: try key())
        ),
        (
          "key",
          PaymentStatusRequest(.complete, id: "PAY", versionToken: "T", key: try key("key-2"))
        ),
      ])
  }

  @Test func paymentUpdateRequest() throws {
    func update(
      id: String = "PAY", key: String = "key-1", versionToken: String? = "T", amount: Int64? = 10,
      tip: Int64? = 2, currency: String? = "USD"
    ) throws -> PaymentUpdateRequest {
      try PaymentUpdateRequest(
        id: id, key: IdempotencyKey(key), versionToken: versionToken, amount: amount, tip: tip,
        currency: currency.map { (code) throws(OptimistError) in try Currency(code) })
    }
    try check(
      try update(),
      differing: [
        ("id", try update(id: "OTHER")),
        ("key", try update(key: "key-2")),
        ("versionToken", try update(versionToken: "U")),
        ("versionToken", try update(versionToken: nil)),
        ("amount", try update(amount: 11)),
        ("amount", try update(amount: nil)),
        ("tip", try update(tip: 0)),
        ("tip", try update(tip: nil)),
        ("currency", try update(currency: "EUR")),
        ("currency", try update(currency: nil)),
      ])
  }

  @Test func refundRequest() throws {
    func refund(
      key: String = "key-1", paymentID: String = "PAY", amount: Int64 = 100,
      currency: String = "USD", reason: String? = "r", token: String? = "T"
    ) throws -> RefundRequest {
      try RefundRequest(
        key: IdempotencyKey(key), paymentID: paymentID,
        amount: Money(amount: amount, currency: Currency(currency)), reason: reason,
        paymentVersionToken: token)
    }
    try check(
      try refund(),
      differing: [
        ("key", try refund(key: "key-2")),
        ("paymentID", try refund(paymentID: "OTHER")),
        ("amount", try refund(amount: 101)),
        ("amount", try refund(currency: "EUR")),
        ("reason", try refund(reason: "s")),
        ("reason", try refund(reason: nil)),
        ("paymentVersionToken", try refund(token: "U")),
        ("paymentVersionToken", try refund(token: nil)),
      ])
  }

  @Test func batchRequest() throws {
    func batch(_ json: String, key: String = "key-1") throws -> BatchRequest {
      try BatchRequest(json: JSONValue.parse(json), key: IdempotencyKey(key))
    }
    let create = ##"{"op":"create-customer","id":"#a","given_name":"Ada"}"##
    let update =
      ##"{"op":"update","id":"#a","version":0,"set":{"note":"n"},"unset":["phone_number"]}"##
    let delete = ##"{"op":"delete","id":"STORED","version":3}"##
    let base = try batch("[\(create),\(update),\(delete)]")
    try check(
      base,
      differing: [
        ("key", try batch("[\(create),\(update),\(delete)]", key: "key-2")),
        // One operation more, fewer, or in another order.
        ("operations", try batch("[\(create),\(update),\(delete),\(delete)]")),
        ("operations", try batch("[\(create),\(update)]")),
        ("operations", try batch("[\(create),\(delete),\(update)]")),
        // Each value of each kind of operation.
        (
          "operations",
          try batch(
            ##"[{"op":"create-customer","id":"#b","given_name":"Ada"},{"op":"update","id":"#b","version":0,"set":{"note":"n"},"unset":["phone_number"]},\##(delete)]"##
          )
        ),
        (
          "operations",
          try batch(
            ##"[{"op":"create-customer","id":"#a","given_name":"Ann"},\##(update),\##(delete)]"##)
        ),
        (
          "operations",
          try batch(
            ##"[{"op":"create-customer","id":"#a","family_name":"Ada"},\##(update),\##(delete)]"##)
        ),
        (
          "operations",
          try batch(
            ##"[{"op":"create-customer","given_name":"Ada"},{"op":"update","id":"STORED","version":0,"set":{"note":"n"},"unset":["phone_number"]},\##(delete)]"##
          )
        ),
        (
          "operations",
          try batch(
            ##"[\##(create),{"op":"update","id":"#a","set":{"note":"n"},"unset":["phone_number"]},\##(delete)]"##
          )
        ),
        (
          "operations",
          try batch(
            ##"[\##(create),{"op":"update","id":"#a","version":0,"set":{"note":"m"},"unset":["phone_number"]},\##(delete)]"##
          )
        ),
        (
          "operations",
          try batch(
            ##"[\##(create),{"op":"update","id":"#a","version":0,"set":{"note":"n"}},\##(delete)]"##
          )
        ),
        (
          "operations",
          try batch(
            ##"[\##(create),{"op":"update","id":"#a","version":0,"set":{"company_name":"n"},"unset":["phone_number"]},\##(delete)]"##
          )
        ),
        (
          "operations",
          try batch(##"[\##(create),{"op":"delete","id":"#a","version":0},\##(delete)]"##)
        ),
        (
          "operations",
          try batch(##"[\##(create),\##(update),{"op":"delete","id":"STORED","version":4}]"##)
        ),
        ("operations", try batch(##"[\##(create),\##(update),{"op":"delete","id":"STORED"}]"##)),
        (
          "operations",
          try batch(##"[\##(create),\##(update),{"op":"delete","id":"OTHER","version":3}]"##)
        ),
        (
          "operations",
          try batch(
            ##"[{"op":"create-item","id":"#a","name":"Ada"},{"op":"update","id":"#a","set":{"description":"n"}},\##(delete)]"##
          )
        ),
      ],
      same: [
        (
          "the same JSON with other white space and key order",
          try batch(
            ##"[ {"given_name":"Ada","id":"#a","op":"create-customer"}, {"unset":["phone_number"],"set":{"note":"n"},"version":0,"id":"#a","op":"update"}, {"version":3,"op":"delete","id":"STORED"} ]"##
          )
        )
      ])
  }

  @Test func editRequest() throws {
    func edit(
      id: String = "OBJ", command: [String] = ["jq", ".note = \"x\""], maxAttempts: Int = 10,
      key: String = "key-1"
    ) throws -> EditRequest {
      try EditRequest(id: id, command: command, maxAttempts: maxAttempts, key: IdempotencyKey(key))
    }
    try check(
      try edit(),
      differing: [
        ("id", try edit(id: "OTHER")),
        ("command", try edit(command: ["jq", ".note = \"y\""])),
        ("command", try edit(command: ["jq .note = \"x\""])),
        ("command", try edit(command: ["jq", ".note", "=", "\"x\""])),
        ("command", try edit(command: ["jq"])),
        ("key", try edit(key: "key-2")),
      ],
      // How hard to try is not what to do: a retry may raise it and still replay.
      same: [
        ("maxAttempts", try edit(maxAttempts: 1)), ("maxAttempts", try edit(maxAttempts: 1000)),
      ],
      leftOut: ["maxAttempts"])
  }

  /// Text is compared as given: canonically equivalent text, other case, other white space
  /// and characters JSON escapes are all other requests.
  @Test func textIsComparedByItsBytes() throws {
    let notes = [
      "caf\u{E9}", "cafe\u{301}", "Café", "café ", "caf\u{E9}\n", "caf\u{E9}\"", "caf\u{E9}\\",
    ]
    let fingerprints = try notes.map { note in bytes(try StoreRequests.payment(note: note)) }
    #expect(Set(fingerprints).count == notes.count)
  }
}
