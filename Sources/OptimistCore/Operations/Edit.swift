#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A validated `edit` request: the object, the command that transforms it, how many times to
/// try, and an optional idempotency key.
public struct EditRequest: IdempotentRequest, Equatable {
  public let id: String
  /// The program and its arguments, as given (no shell).
  public let command: [String]
  /// Reads and runs of the command before VERSION_MISMATCH is given up on (exit 3).
  public let maxAttempts: Int
  public let key: IdempotencyKey?

  public static let defaultAttempts = 10
  public static let attemptLimit = 1000

  public init(
    id: String, command: [String], maxAttempts: Int = defaultAttempts, key: IdempotencyKey?
  ) throws(OptimistError) {
    guard let program = command.first, !program.isEmpty else {
      throw .invalidValue(field: "command", detail: "Give the command to run after `--`.")
    }
    self.id = id
    self.command = command
    self.maxAttempts = maxAttempts
    self.key = key
  }

  /// What a key is compared on: the id and the command line. `max_attempts` is left out:
  /// it is how hard to try, not what to do, so a retry may raise it.
  private enum CodingKeys: String, CodingKey { case id, command, key }

  /// `--max-attempts` as given: a whole number from 1 to `attemptLimit`.
  public static func attempts(_ raw: String) throws(OptimistError) -> Int {
    guard let count = Values.wholeNumber(raw), count >= 1, count <= Int64(attemptLimit) else {
      throw .invalidValue(
        field: "max_attempts",
        detail: "`max_attempts` must be a whole number from 1 to \(attemptLimit), not `\(raw)`.")
    }
    return Int(count)
  }
}

/// The transform `edit` applies: the object's JSON (what `get` prints) in, the new object's
/// JSON out; `Subprocess.run` in the CLI, a closure in tests. Its errors end the edit.
public typealias EditTransform = (_ object: [UInt8]) throws(OptimistError) -> [UInt8]

extension StoreEngine {
  /// Read, transform, conditional write; again on VERSION_MISMATCH, up to `maxAttempts`.
  ///
  /// Each attempt reads the object in a read transaction that ends before `transform` runs
  /// (no lock is held while the user's command runs), turns the output into typed changes
  /// against what was read (`VersionedObject.changes(toMatch:)`), and writes them with the
  /// conditional UPDATE at the version read (`Database.update`). Nothing changed: nothing is
  /// written (with a key, only the key). With a key, a stored answer is replayed before the
  /// command runs, and the write claims the key in its own transaction (`idempotent`).
  /// `pause` waits between attempts (`Backoff.pause`; tests pass their own).
  public func edit(
    _ request: EditRequest, transform: EditTransform,
    pause: (_ attempt: Int) -> Void = Backoff.pause(afterAttempt:)
  ) throws -> Keyed<VersionedObject> {
    var attempt = 0
    while true {
      attempt += 1
      let read = try read { db -> EditRead in
        if let answer = try db.storedAnswer(.edit, request) { return .replay(answer) }
        return .object(try db.versionedObject(id: request.id, command: "edit"))
      }
      let object: VersionedObject
      switch read {
      case .replay(let answer): return .replayed(answer)
      case .object(let read): object = read
      }
      // The read is over: nothing of it stays open while the user's command runs.
      idle()
      let changes = try Self.editChanges(
        object, output: try transform(Array((object.json + "\n").utf8)), request)
      if changes.isEmpty && request.key == nil { return .new(object) }
      do {
        return try Keyed(
          try write(creating: false) { db in
            try db.idempotent(.edit, request) {
              guard !changes.isEmpty else {
                let current = try db.versionedObject(id: request.id, command: "edit")
                guard current.version == object.version else {
                  throw OptimistError.versionMismatch(
                    id: request.id, expected: object.version, actual: current.version)
                }
                return (request.id, object)
              }
              let updated = try db.update(
                id: request.id, changes: changes, expectedVersion: object.version, command: "edit")
              return (request.id, updated)
            }
          })
      } catch let error as OptimistError {
        guard case .versionMismatch = error, attempt < request.maxAttempts else { throw error }
        pause(attempt)
      }
    }
  }

  /// The command's output as changes to `object`; output that is not JSON says whose it is.
  private static func editChanges(
    _ object: VersionedObject, output: [UInt8], _ request: EditRequest
  ) throws(OptimistError) -> [FieldChange] {
    let parsed = output.withUnsafeBufferPointer { bytes in
      Result { () throws(OptimistError) in try JSONValue.parse(bytes) }
    }
    switch parsed {
    case .success(let json):
      guard json.members != nil else {
        throw .invalidValue(
          field: "command",
          detail:
            "The output of `\(request.command[0])` must be the whole object as JSON, not \(json.typeName)."
        )
      }
      return try object.changes(toMatch: json)
    case .failure(let error):
      throw .invalidValue(
        field: "command",
        detail: "The output of `\(request.command[0])` is not JSON: \(error.detail)")
    }
  }
}

/// What an attempt's read found.
private enum EditRead {
  case replay(StoredAnswer)
  case object(VersionedObject)
}

/// Waits between attempts after VERSION_MISMATCH: exponential with full jitter (a random
/// wait from 0 up to 1 ms, 2 ms, 4 ms, … at most 64 ms), so that racing editors spread out
/// instead of colliding again in step.
public enum Backoff {
  /// The longest a wait may be, after `attempt` attempts (1-based), in microseconds.
  public static func ceiling(afterAttempt attempt: Int) -> Int {
    min(64_000, 1_000 << min(max(attempt - 1, 0), 6))
  }

  /// Sleeps a random time from 0 to `ceiling(afterAttempt:)`.
  public static func pause(afterAttempt attempt: Int) {
    let microseconds = Int.random(in: 0...ceiling(afterAttempt: attempt))
    var wait = timespec(tv_sec: 0, tv_nsec: microseconds * 1_000)
    var left = timespec()
    while nanosleep(&wait, &left) != 0 && errno == EINTR { wait = left }
  }
}
