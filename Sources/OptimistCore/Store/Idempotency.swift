/// Idempotency keys: the object and its key row are written in one transaction, and the same
/// request with the same key gets the first response again, byte for byte.
///
/// Keys are scoped per command: `create-customer` and `create-payment` keep separate ones.
enum Idempotency {
  /// The `request` of a create-payment key that `cancel-payment --key` took before any payment
  /// was created with it (never a request's fingerprint, which is a JSON object): a
  /// create-payment with that key replays its refusal and charges nothing.
  static let canceledBeforeCreation = "canceled-before-creation"
}

extension Database {
  /// Runs `create` at most once per (command, key) and request.
  ///
  /// - The key is claimed first with `INSERT … ON CONFLICT DO NOTHING`. On PostgreSQL a
  ///   concurrent caller with the same key waits there until the first commits (or rolls
  ///   back, and then claims the key itself); on SQLite the write lock already orders them.
  /// - The same key with the same `request` replays the stored response; nothing is created.
  /// - `check` (e.g. that a named customer exists) runs before a new object is created and
  ///   before a reused key is reported, so an invalid request never uses up its key: its
  ///   error rolls the claim back with everything else.
  /// - The same key with another request is IDEMPOTENCY_KEY_REUSED, except a key that
  ///   `cancel-payment --key` took first, which replays that refusal to any request.
  func idempotent(
    command: String, key: String?, request: String, check: () throws -> Void,
    create: () throws -> (objectID: String, output: Output)
  ) throws -> Output {
    guard let key else {
      try check()
      return try create().output
    }
    let claimed = try run(
      "INSERT INTO idempotency_keys (command, key, request, object_id, stdout, stderr, exit_code, "
        + "created_at) VALUES (?, ?, ?, '', '', '', -1, ?) ON CONFLICT (command, key) DO NOTHING",
      [.text(command), .text(key), .text(request), .integer(Timestamp.now().milliseconds)])
    guard claimed == 1 else {
      guard
        let stored = try first(
          "SELECT request, stdout, stderr, exit_code FROM idempotency_keys WHERE command = ? AND key = ?",
          [.text(command), .text(key)])
      else {
        // Pruned between the claim and this read: the caller retries, as after a lock wait.
        throw OptimistError.unavailable("Idempotency key `\(key)` was pruned during this command; retry it.")
      }
      if let output = Self.replay(stored, request: request) { return output }
      try check()
      throw OptimistError.idempotencyKeyReused(key: key)
    }
    try check()
    let (objectID, output) = try create()
    try run(
      "UPDATE idempotency_keys SET object_id = ?, stdout = ?, stderr = ?, exit_code = ? "
        + "WHERE command = ? AND key = ?",
      [
        .text(objectID), .text(output.stdout), .text(output.stderr),
        .integer(Int64(output.status.code)), .text(command), .text(key),
      ])
    return output
  }

  /// The answer stored for (command, key) when `request` is the one the key was first used
  /// for; nil when the key is unused; IDEMPOTENCY_KEY_REUSED for another request. Only reads:
  /// for a command that must know before it acts (`edit` runs its command only when there is
  /// nothing to replay); its write still goes through `idempotent`.
  func storedAnswer(command: String, key: String, request: String) throws -> Output? {
    guard
      let stored = try first(
        "SELECT request, stdout, stderr, exit_code FROM idempotency_keys WHERE command = ? AND key = ?",
        [.text(command), .text(key)])
    else { return nil }
    if let output = Self.replay(stored, request: request) { return output }
    throw OptimistError.idempotencyKeyReused(key: key)
  }

  /// A stored (request, stdout, stderr, exit_code) row's answer when it is for `request`.
  private static func replay(_ stored: Row, request: String) -> Output? {
    // Byte for byte: Swift's == would take canonically equivalent text (é and e + ◌́)
    // for the same request, and optimist stores text exactly as given.
    let canceled = stored.text(0) == Idempotency.canceledBeforeCreation
    guard canceled || stored.text(0)?.utf8.elementsEqual(request.utf8) == true else { return nil }
    // The column keeps the exit code; a number optimist never exits with is a storage error.
    let status = stored.integer(3).flatMap { Int32(exactly: $0) }.flatMap(ExitStatus.init(code:))
    return Output(
      stdout: stored.text(1) ?? "", stderr: stored.text(2) ?? "", status: status ?? .storageError)
  }

  /// Deletes the keys created at or before `cutoff`; returns how many went.
  func pruneKeys(createdAtOrBefore cutoff: Timestamp) throws -> Int {
    try run("DELETE FROM idempotency_keys WHERE created_at <= ?", [.integer(cutoff.milliseconds)])
  }
}

/// Validates an idempotency key: 1 to 45 characters (Square's limit for CreatePayment).
func validateIdempotencyKey(_ key: String) throws(OptimistError) -> String {
  guard !key.isEmpty else {
    throw .invalidValue(field: "idempotency_key", detail: "The idempotency key must not be empty.")
  }
  guard key.unicodeScalars.count <= 45 else {
    throw .valueTooLong(field: "idempotency_key", maximum: 45)
  }
  return key
}
