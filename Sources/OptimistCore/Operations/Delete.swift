/// `delete`: the conditional DELETE at the version the caller read, the object's last
/// version kept in its history.
public struct DeleteRequest: IdempotentRequest, Equatable {
  public let id: String
  /// The version the caller read; nil means the latest.
  public let version: Int64?
  public let key: IdempotencyKey?
  /// Only an object of this type is deleted (another is NOT_FOUND); nil: any customer or item.
  public let type: ObjectType?

  public init(
    id: String, version: Int64?, key: IdempotencyKey? = nil, type: ObjectType? = nil
  ) {
    self.id = id
    self.version = version
    self.key = key
    self.type = type
  }
}

extension StoreEngine {
  /// Deletes the object with a conditional DELETE on the caller's version; with a key, at
  /// most once.
  public func delete(_ request: DeleteRequest) throws -> Keyed<Deletion> {
    try Keyed(
      try write(creating: false) { db in
        try db.idempotent(
          .delete, request, ahead: db.read(id: request.id, type: request.type ?? .customer)
        ) {
          (
            request.id,
            try db.delete(id: request.id, expectedVersion: request.version, type: request.type)
          )
        }
      })
  }
}

extension WriteTransaction {
  /// Deletes the customer or item `id` with the conditional DELETE at `expectedVersion` (nil:
  /// the latest), keeping its last version in the history;
  /// returns what `delete` prints: `{"deleted_object_ids":[…],"deleted_at":…}`.
  func delete(
    id: String, expectedVersion: Int64?, command: String = "delete", type: ObjectType? = nil
  ) throws -> Deletion {
    let current = try versionedObject(id: id, command: command, type: type)
    let deletedAt = Timestamp.now()
    try conditionalDelete(
      current, expectedVersion: expectedVersion ?? current.version, deletedAt: deletedAt)
    return Deletion(id: id, deletedAt: deletedAt)
  }
}
