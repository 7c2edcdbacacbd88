/// Several creates and updates as one: the server's catalog batch upsert.

/// One write of a batch: the same validated requests as `create-…` and `update` (without
/// keys of their own: the batch has one).
public enum BatchWrite: Sendable, Equatable {
  case create(CreateRequest)
  case update(UpdateRequest)
}

extension StoreEngine {
  /// Runs `writes` in order in one transaction: every one is written, or (at the first
  /// refusal, which is the answer) none. Prints the objects as a JSON array, in order. With
  /// `key`, the batch happens at most once per `command` and `request` (the caller's
  /// fingerprint of the whole batch), as every keyed command does.
  public func writeAll(_ writes: [BatchWrite], command: String, key: String?, request: String) throws -> Output {
    let key = try key.map { (key) throws(OptimistError) in try validateIdempotencyKey(key) }
    return try write { db in
      try db.idempotent(command: command, key: key, request: request, check: {}) {
        var objects: [String] = []
        objects.reserveCapacity(writes.count)
        for write in writes {
          let output: Output
          switch write {
          case .create(let request): output = try db.create(request)
          case .update(let request): output = try db.update(request)
          }
          objects.append(output.stdout.hasSuffix("\n") ? String(output.stdout.dropLast()) : output.stdout)
        }
        return ("", .success(jsonArray(objects)))
      }
    }
  }

  /// The objects of `type` with these ids, read in one transaction, in the order asked;
  /// ids with no such object are left out.
  public func objects(ids: [String], type: ObjectType) throws -> [String] {
    try read { db in
      try ids.compactMap { id in try db.object(id: id, type: type)?.json }
    }
  }
}
