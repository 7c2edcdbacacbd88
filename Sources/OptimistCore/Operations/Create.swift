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
    try VersionedObject.validateNew(type: type, values: values)
    self.type = type
    self.values = values
    self.key = try key.map { (key) throws(OptimistError) in try validateIdempotencyKey(key) }
    self.fingerprint = fingerprint.text
  }
}

extension StoreEngine {
  /// Creates a customer (version 0) or an item (version from the catalog clock).
  public func create(_ request: CreateRequest) throws -> Output {
    try write { db in
      try db.idempotent(
        command: "create-\(request.type == .customer ? "customer" : "item")", key: request.key,
        request: request.fingerprint, check: {}
      ) {
        let object = try db.create(type: request.type, values: request.values)
        return (object.id, .success(object.json))
      }
    }
  }
}

extension Database {
  /// Inserts a new customer (version 0) or item (version from the catalog clock) with
  /// validated `values`, inside the caller's transaction: `create-…`, `batch` and the server
  /// all create objects here.
  public func create(type: ObjectType, values: FieldValues) throws -> VersionedObject {
    let now = Timestamp.now()
    let version = type == .item ? try nextCatalogVersion(now: now) : 0
    let object = VersionedObject(
      type: type, id: ObjectID.make(), version: version, createdAt: now, updatedAt: now,
      values: values)
    try insert(object)
    return object
  }
}
