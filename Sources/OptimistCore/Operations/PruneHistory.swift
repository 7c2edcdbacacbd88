/// `prune-history`: removes past versions by count and/or age.
public struct PruneHistoryRequest: Sendable, Equatable {
  /// Keep each object's `keep` newest versions (the current one counting).
  public let keep: Int64?
  /// Remove versions replaced longer ago than this many milliseconds.
  public let olderThan: Int64?

  public init(keep: Int64?, olderThan: Int64?) throws(OptimistError) {
    if let keep, keep < 1 {
      throw .invalidValue(
        field: "keep", detail: "`keep` must be a whole number of at least 1, not `\(keep)`.")
    }
    guard keep != nil || olderThan != nil else {
      throw .invalidValue(field: nil, detail: "Give --keep N, --older-than DURATION or both.")
    }
    self.keep = keep
    self.olderThan = olderThan
  }
}

extension StoreEngine {
  /// Removes past versions; the current version of a live object is never removed. With
  /// both rules, a version goes only if both say so.
  public func pruneHistory(_ request: PruneHistoryRequest) throws -> Pruned {
    try write(creating: false) { db in
      let cutoff = request.olderThan.map {
        Timestamp(milliseconds: Timestamp.now().milliseconds - $0)
      }
      return Pruned(kind: .versions, count: try db.pruneHistory(keep: request.keep, cutoff: cutoff))
    }
  }
}
