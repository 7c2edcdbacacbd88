/// `get`: an object by id, as it is or (`--at-version`) as it was; the server's retrieve and
/// batch retrieve.
extension StoreEngine {
  /// The object with this id, of any type.
  public func get(id: String) throws -> StoredObject {
    try read { db in
      guard let object = try db.object(id: id) else {
        throw OptimistError.notFound(id: id, field: "id")
      }
      return object
    }
  }

  /// The object of `type` with this id; one of another type is NOT_FOUND.
  public func get(id: String, type: ObjectType) throws -> StoredObject {
    try read { db in
      guard let object = try db.object(id: id, type: type) else {
        throw OptimistError.notFound(id: id, field: "id")
      }
      return object
    }
  }

  /// The objects of `type` with these ids, read in one transaction, in the order asked;
  /// ids with no such object are left out (the server's batch retrieve).
  public func objects(ids: [String], type: ObjectType) throws -> [StoredObject] {
    try read { db in try ids.compactMap { id in try db.object(id: id, type: type) } }
  }

  /// The object as it was at `version`: its current version, or a kept past one (the last
  /// version of a deleted object says `"is_deleted":true` and `"deleted_at"`).
  public func get(id: String, atVersion version: Int64) throws -> ObjectAtVersion {
    try read { db in
      let live = try db.liveVersion(id: id, command: "get --at-version")
      if let live, live.version == version { return .current(live) }
      if let past = try db.pastVersion(id: id, version: version) {
        return .past(PastVersion(json: past))
      }
      if let pruned = try db.prunedThrough(id: id), version <= pruned {
        throw OptimistError.versionNotFound(
          field: "at_version",
          detail:
            "Version \(version) of `\(id)` was pruned (prune-history removed its versions up to "
            + "\(pruned)).")
      }
      let newest = try live?.version ?? db.newestPastVersion(id: id)?.version
      guard let newest else { throw try db.unknown(id: id) }
      throw OptimistError.versionNotFound(
        field: "at_version",
        detail:
          "`\(id)` never had version \(version) (its \(live == nil ? "last" : "current") "
          + "version is \(newest)).")
    }
  }
}

extension Transaction {
  /// The live customer or item with this id, nil when there is none; payments and refunds,
  /// which keep no versions, are INVALID_VALUE.
  func liveVersion(id: String, command: String) throws -> VersionedObject? {
    switch try object(id: id) {
    case .versioned(let object)?: return object
    case .payment?, .refund?:
      throw OptimistError.invalidValue(
        field: "id",
        detail:
          "`\(id)` is a payment or refund: only customers and items keep versions for `\(command)` "
          + "(a payment's version_token changes in place).")
    case nil: return nil
    }
  }

  /// The error for an id with no version here: NOT_FOUND, saying so when it was deleted and
  /// every version of it pruned.
  func unknown(id: String) throws -> OptimistError {
    guard try prunedThrough(id: id) != nil else { return .notFound(id: id, field: "id") }
    return .versionNotFound(
      field: "id", detail: "`\(id)` was deleted and every version of it was pruned (prune-history)."
    )
  }
}
