import Testing

@testable import OptimistCore

/// Typed requests built from the text a user gives, as the CLI builds them (the Store tests
/// drive the operations with the same values a command line would): `EdgeRequest`'s, with the
/// defaults these tests use.
enum StoreRequests {
  /// `create-customer` / `create-item` with (field, value) options as given.
  static func create(
    _ type: ObjectType, _ given: [(String, String?)], key: String? = nil
  ) throws -> CreateRequest {
    try EdgeRequest.create(type, given, key: key)
  }

  /// `create-payment` with its options as given.
  static func payment(
    key: String = "key-1", amount: String = "450", currency: String = "USD",
    source: String = "cnon:card-nonce-ok", customerID: String? = nil, referenceID: String? = nil,
    note: String? = nil, autocomplete: String? = nil
  ) throws -> PaymentRequest {
    try EdgeRequest.payment(
      key: key, amount: amount, currency: currency, source: source, customerID: customerID,
      referenceID: referenceID, note: note, autocomplete: autocomplete)
  }

  /// `update ID [--version V] --set F=V … --unset F …`, the version as given.
  static func update(
    _ id: String, version: String? = nil, set: [String] = [], unset: [String] = [],
    key: String? = nil
  ) throws -> UpdateRequest {
    try EdgeRequest.update(id, version: version, set: set, unset: unset, key: key)
  }

  /// `delete ID [--version V]`, the version as given.
  static func delete(_ id: String, version: String? = nil, key: String? = nil) throws
    -> DeleteRequest
  {
    try DeleteRequest(id: id, version: Values.version(version), key: IdempotencyKey(key))
  }

  /// `prune-keys --older-than DURATION`'s age.
  static func age(_ duration: String) throws -> Int64 {
    try Values.duration(duration, field: "older_than")
  }

  /// `list` of one type (or all) with the default page size.
  static func list(_ type: ObjectType? = nil) throws -> ListRequest {
    try EdgeRequest.list(type: type?.rawValue)
  }
}

extension Keyed {
  /// Whether this is a replay of the key's first answer (nothing was performed).
  var isReplay: Bool {
    if case .replayed = self { return true }
    return false
  }
}
