/// `prune-keys`: removes idempotency keys by age. Payments are never pruned.
extension StoreEngine {
  /// Deletes the keys created longer ago than `olderThan` milliseconds (0 prunes all).
  public func pruneKeys(olderThan age: Int64) throws -> Pruned {
    try write(creating: false) { db in
      let cutoff = Timestamp(milliseconds: Timestamp.now().milliseconds - age)
      return Pruned(kind: .keys, count: try db.pruneKeys(createdAtOrBefore: cutoff))
    }
  }
}
