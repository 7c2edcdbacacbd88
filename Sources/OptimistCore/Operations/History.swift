/// A validated `history` request: whose versions, how many, and where to resume.
///
/// Versions are listed newest first; a cursor names the object and the last version printed,
/// so paging neither skips nor repeats one (versions written meanwhile are newer: they would
/// be on an earlier page).
public struct HistoryRequest: Sendable, Equatable {
  public let id: String
  public let limit: Int
  /// Resume below this version; nil starts at the newest.
  let below: Int64?
  /// The cursor as given, for its error.
  private let cursor: String?

  public init(id: String, limit: String?, cursor: String?) throws(OptimistError) {
    self.id = id
    self.cursor = cursor
    self.limit = try Values.limit(limit)
    if let cursor {
      // `ID-VERSION`: more remain below VERSION, so it is at least 1.
      let prefix = id + "-"
      guard cursor.hasPrefix(prefix),
        let version = Values.wholeNumber(String(cursor.dropFirst(prefix.count))),
        version >= 1, String(version) == cursor.dropFirst(prefix.count)
      else {
        throw .invalidValue(field: "cursor", detail: "`\(cursor)` is not a cursor of this history.")
      }
      below = version
    } else {
      below = nil
    }
  }

  var badCursor: OptimistError {
    .invalidValue(field: "cursor", detail: "`\(cursor ?? "")` is not a cursor of this history.")
  }
}

extension StoreEngine {
  /// Prints `{"objects":[…],"cursor":"…"}`: the object's versions, newest first, each as `get`
  /// printed it; the cursor only while older ones remain.
  public func history(_ request: HistoryRequest) throws -> Output {
    try read { db in
      let live = try db.liveVersion(id: request.id, command: "history")
      var page: [(Int64, String)] = []
      if let live, request.below.map({ live.version < $0 }) ?? true {
        page.append((live.version, live.json))
      }
      let newest = try live?.version ?? db.newestPastVersion(id: request.id)?.version
      guard let newest else { throw try db.unknown(id: request.id) }
      if let below = request.below, below > newest { throw request.badCursor }
      page += try db.pastVersions(
        id: request.id, below: request.below, limit: request.limit + 1 - page.count)
      var document = JSONObject()
      document.addRaw("objects", jsonArray(page.prefix(request.limit).map(\.1)))
      if page.count > request.limit {
        document.add("cursor", "\(request.id)-\(page[request.limit - 1].0)")
      }
      return .success(document.text)
    }
  }

  /// Prints the object as it was at `version`: its current version, or a kept past one (the
  /// last version of a deleted object says `"is_deleted":true` and `"deleted_at"`).
  public func get(id: String, atVersion raw: String) throws -> Output {
    let version = try Values.version(raw, field: "at_version") ?? 0
    return try read { db in
      let live = try db.liveVersion(id: id, command: "get --at-version")
      if let live, live.version == version { return .success(live.json) }
      if let past = try db.pastVersion(id: id, version: version) { return .success(past) }
      if let pruned = try db.prunedThrough(id: id), version <= pruned {
        throw OptimistError.versionNotFound(
          field: "at_version",
          detail:
            "Version \(version) of `\(id)` was pruned (prune-history removed its versions up to \(pruned))."
        )
      }
      let newest = try live?.version ?? db.newestPastVersion(id: id)?.version
      guard let newest else { throw try db.unknown(id: id) }
      throw OptimistError.versionNotFound(
        field: "at_version",
        detail:
          "`\(id)` never had version \(version) (its \(live == nil ? "last" : "current") version is \(newest))."
      )
    }
  }

  /// Removes past versions by `--keep N` and/or `--older-than DURATION`; prints
  /// `{"deleted_versions":N}`. The current version of a live object is never removed.
  public func pruneHistory(keep rawKeep: String?, olderThan rawAge: String?) throws -> Output {
    let keep = try rawKeep.map { (raw) throws(OptimistError) -> Int64 in
      guard let keep = Values.wholeNumber(raw), keep >= 1 else {
        throw .invalidValue(
          field: "keep", detail: "`keep` must be a whole number of at least 1, not `\(raw)`.")
      }
      return keep
    }
    let age = try rawAge.map { (raw) throws(OptimistError) in
      try Values.duration(raw, field: "older_than")
    }
    guard keep != nil || age != nil else {
      throw OptimistError.invalidValue(
        field: nil, detail: "Give --keep N, --older-than DURATION or both.")
    }
    return try write(creating: false) { db in
      let cutoff = age.map { Timestamp(milliseconds: Timestamp.now().milliseconds - $0) }
      var document = JSONObject()
      document.add("deleted_versions", Int64(try db.pruneHistory(keep: keep, cutoff: cutoff)))
      return .success(document.text)
    }
  }
}

extension Database {
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
