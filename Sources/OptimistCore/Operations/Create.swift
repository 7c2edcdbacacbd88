/// `create-customer` and `create-item`, and the server's create.
public struct CreateRequest: IdempotentRequest, Equatable {
  public let type: ObjectType
  public let values: FieldValues
  public let key: IdempotencyKey?

  /// A new customer or item with `values`, which must satisfy the type's rules across fields
  /// (an item's name, a customer's contact).
  public init(type: ObjectType, values: FieldValues, key: IdempotencyKey?) throws(OptimistError) {
    try VersionedObject.validateNew(type: type, values: values)
    self.type = type
    self.values = values
    self.key = key
  }
}

extension StoreEngine {
  /// Creates a customer (version 0) or an item (version from the catalog clock).
  public func create(_ request: CreateRequest) throws -> Keyed<VersionedObject> {
    try Keyed(
      try write { db in
        try db.idempotent(.create(request.type), request) {
          let object = try db.create(type: request.type, values: request.values)
          return (object.id, object)
        }
      })
  }
}

extension WriteTransaction {
  /// Inserts a new customer (version 0) or item (version from the catalog clock) with
  /// validated `values`: `create-…`, `batch` and the server all create objects here.
  func create(type: ObjectType, values: FieldValues) throws -> VersionedObject {
    // An item's version is its creation time (see `nextCatalogStamp`).
    let (version, now) =
      type == .item ? try nextCatalogStamp(now: Timestamp.now()) : (0, Timestamp.now())
    var object = VersionedObject(
      type: type, id: ObjectID.make(), version: version, createdAt: now, updatedAt: now,
      values: values)
    object.render()
    try insert(object)
    return object
  }
}
