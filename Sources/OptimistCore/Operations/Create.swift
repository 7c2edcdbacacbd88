/// A validated `create-customer` or `create-item` request.
public struct CreateRequest: Sendable, Equatable {
  public let type: ObjectType
  public let values: FieldValues
  public let key: String?
  /// The request as given, for comparing with the one a key was first used for.
  let fingerprint: String

  /// Validates the raw option values, given as (JSON field name, value) in option order.
  public init(type: ObjectType, raw: [(String, String?)], key: String?) throws(OptimistError) {
    var values = FieldValues()
    var fingerprint = JSONObject()
    for field in type.fields {
      guard let rawValue = raw.first(where: { $0.0 == field.name })?.1 else { continue }
      if let value = try field.parse(rawValue) { values[field.name] = value }
      fingerprint.add(field.name, rawValue)
    }
    let object = VersionedObject(
      type: type, id: "", version: 0, createdAt: .init(milliseconds: 0),
      updatedAt: .init(milliseconds: 0), values: values)
    try object.validate()
    self.type = type
    self.values = values
    self.key = try key.map { (key) throws(OptimistError) in try validateIdempotencyKey(key) }
    self.fingerprint = fingerprint.text
  }
}

extension StoreEngine {
  /// Creates a customer (version 0) or an item (version from the catalog clock).
  public func create(_ request: CreateRequest) throws -> Output {
    try write { db in try db.create(request) }
  }
}

extension Database {
  /// The creation inside the caller's transaction; with a key, at most once.
  func create(_ request: CreateRequest) throws -> Output {
    try idempotent(
      command: "create-\(request.type == .customer ? "customer" : "item")", key: request.key,
      request: request.fingerprint, check: {}
    ) {
      let now = Timestamp.now()
      let version = request.type == .item ? try nextCatalogVersion(now: now) : 0
      let object = VersionedObject(
        type: request.type, id: ObjectID.make(), version: version, createdAt: now,
        updatedAt: now, values: request.values)
      try insert(object)
      return (object.id, .success(object.json))
    }
  }
}
