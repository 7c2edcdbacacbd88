/// `wait`: blocks until another process changes or deletes an object.
public struct WaitRequest: Sendable, Equatable {
  public let id: String
  public let changedFrom: Int64
  /// Seconds to wait at most; nil waits until the change.
  public let timeout: Double?

  public init(id: String, changedFrom: Int64, timeout: Double?) {
    self.id = id
    self.changedFrom = changedFrom
    self.timeout = timeout
  }
}

/// What `wait` saw: the object at its new version, or its deletion.
public enum Change: Answer, Equatable {
  case updated(VersionedObject)
  case deleted(Deletion)

  public var json: String {
    switch self {
    case .updated(let object): return object.json
    case .deleted(let deletion): return deletion.json
    }
  }
}

extension StoreEngine {
  /// Waits until the customer or item is at a version other than `changedFrom`, or deleted;
  /// REQUEST_TIMEOUT (exit 8) after `timeout`.
  ///
  /// Each look is a read transaction of its own; between looks the engine waits for a
  /// change holding nothing (`StoreEngine.watch`).
  public func wait(_ request: WaitRequest) throws -> Change {
    let found = try watch(id: request.id, until: Deadline(after: request.timeout)) {
      try read { db in try db.change(of: request.id, from: request.changedFrom) }
    }
    guard let found else {
      throw OptimistError.requestTimeout(id: request.id, seconds: request.timeout ?? 0)
    }
    return found
  }
}

extension ReadTransaction {
  /// The object when it is no longer at `version`, its deletion when it was deleted, nil
  /// while it is still at `version`.
  func change(of id: String, from version: Int64) throws -> Change? {
    if let live = try liveVersion(id: id, command: "wait") {
      return live.version == version ? nil : .updated(live)
    }
    if let last = try newestPastVersion(id: id) {
      return .deleted(Deletion(id: id, deletedAt: last.replacedAt))
    }
    throw try unknown(id: id)
  }
}
