/// A validated `wait` request: the object, the version it must leave, and for how long.
public struct WaitRequest: Sendable, Equatable {
  public let id: String
  public let changedFrom: Int64
  /// Seconds to wait at most; nil waits until the change.
  public let timeout: Double?

  public init(id: String, changedFrom: String, timeout: Double?) throws(OptimistError) {
    self.id = id
    self.changedFrom = try Values.version(changedFrom, field: "changed_from") ?? 0
    self.timeout = timeout
  }
}

extension StoreEngine {
  /// Waits until the customer or item is at a version other than `changedFrom`, or deleted,
  /// then prints it (or `delete`'s document); REQUEST_TIMEOUT (exit 8) after `timeout`.
  ///
  /// Each look is a read transaction of its own; between looks the engine waits for a
  /// change holding nothing (`StoreEngine.watch`).
  public func wait(_ request: WaitRequest) throws -> Output {
    let found = try watch(id: request.id, until: Deadline(after: request.timeout)) {
      try read { db in try db.change(of: request.id, from: request.changedFrom) }
    }
    guard let found else {
      throw OptimistError.requestTimeout(id: request.id, seconds: request.timeout ?? 0)
    }
    return .success(found)
  }
}

extension Database {
  /// The object's JSON when it is no longer at `version`, `delete`'s document when it was
  /// deleted, nil while it is still at `version`.
  func change(of id: String, from version: Int64) throws -> String? {
    if let live = try liveVersion(id: id, command: "wait") {
      return live.version == version ? nil : live.json
    }
    if let last = try newestPastVersion(id: id) { return deletion(id: id, at: last.replacedAt) }
    throw try unknown(id: id)
  }
}
