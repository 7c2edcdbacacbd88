/// Idempotency keys: the object and its key row are written in one transaction, and the same
/// request with the same key gets the first answer again, byte for byte.
///
/// Keys are scoped per command (`KeyScope`); a request is compared by its fingerprint
/// (Fingerprint.swift). The `idempotency_keys` row is written here and nowhere else.
enum Idempotency {
  /// The `request` of a create-payment key that `cancel-payment --key` took before any payment
  /// was created with it (never a fingerprint, which is a JSON object): a create-payment with
  /// that key replays its refusal and charges nothing.
  static let canceledBeforeCreation = "canceled-before-creation"
}

/// A key's row, as a later command finds it.
struct KeyRow {
  /// The fingerprint of the request the key was first used for.
  let request: String
  /// The object that request created or changed; empty until its answer is stored.
  let objectID: String
  let answer: StoredAnswer

  /// Whether `fingerprint` is the request the key was first used for (byte for byte:
  /// Swift's == would take canonically equivalent text, é and e + ◌́, for the same request,
  /// and optimist stores text exactly as given), or the key was taken by cancel-payment.
  func answers(_ fingerprint: String) -> Bool {
    request == Idempotency.canceledBeforeCreation || request.utf8.elementsEqual(fingerprint.utf8)
  }
}

extension WriteTransaction {
  /// Runs `perform` at most once per (scope, key) and request.
  ///
  /// - The key is claimed first with `INSERT … ON CONFLICT DO NOTHING`. On PostgreSQL a
  ///   concurrent caller with the same key waits there until the first commits (or rolls
  ///   back, and then claims the key itself); on SQLite the write lock already orders them.
  /// - The same key with the same request replays the stored answer; nothing is performed.
  /// - `check` (e.g. that a named customer exists) runs before anything is performed and
  ///   before a reused key is reported, so an invalid request never uses up its key: its
  ///   error rolls the claim back with everything else.
  /// - The same key with another request is IDEMPOTENCY_KEY_REUSED, except a key that
  ///   `cancel-payment --key` took first, which replays that refusal to any request.
  /// - Speculating (PostgreSQL), the claim is not read: it is sent with what follows and
  ///   checked on the server, which fails the whole transaction with
  ///   `Misspeculation.keyTaken` if the key is taken; the engine then runs it again without
  ///   speculating (the branch that replays or refuses). A command that reads nothing before
  ///   it writes (a create), or only an object it knows (KnownStates), is then one round trip.
  /// - `ahead` is the read `check` or `perform` runs first: with a key read at once, the
  ///   engine may send it, and the key's row, with the claim (`readAhead`), so that neither
  ///   claiming nor replaying costs a round trip of its own.
  func idempotent(
    _ scope: KeyScope, _ request: some IdempotentRequest, ahead: SQL? = nil,
    check: () throws -> Void = {},
    perform: () throws -> (objectID: String, value: any Answer)
  ) throws -> KeyedAnswer {
    guard let key = request.key else {
      try check()
      return .new(try perform().value)
    }
    let fingerprint = request.fingerprint
    if isSpeculative {
      try runLater(
        claimStatement(scope, key, request: fingerprint, answer: nil), changes: 1,
        otherwise: .keyTaken)
    } else {
      // The key's row, should the claim find it taken (on PostgreSQL, after a speculative
      // claim found it so), and the read the work starts with, both sent with the claim.
      readAhead(Self.keyRowStatement(scope, key))
      if let ahead { readAhead(ahead) }
      guard try claim(scope, key, request: fingerprint, answer: nil) else {
        let stored = try keyRow(scope, key)
        if stored.answers(fingerprint) { return .replayed(stored.answer) }
        try check()
        throw OptimistError.idempotencyKeyReused(key: key.text)
      }
    }
    try check()
    let (objectID, value) = try perform()
    let answer = StoredAnswer(value)
    // The claim above holds the key's row: nothing reads this before the commit.
    try runLater(
      """
      UPDATE idempotency_keys SET object_id = \(objectID), stdout = \(answer.stdout), \
      stderr = \(answer.stderr), exit_code = \(Int64(answer.status.code)) \
      WHERE command = \(scope.rawValue) AND key = \(key.text)
      """, changes: 1,
      otherwise: .unavailable(
        "Idempotency key `\(key.text)` was pruned during this command; retry it."))
    return .new(value)
  }

  /// Takes (scope, key) for `request` with `answer` stored, unless the key is taken: returns
  /// whether this call took it. Without an answer, the row says "unfinished" (`exit_code`
  /// -1) until `idempotent` stores one in the same transaction.
  func claim(
    _ scope: KeyScope, _ key: IdempotencyKey, request: String, answer: StoredAnswer?
  ) throws -> Bool {
    try run(claimStatement(scope, key, request: request, answer: answer)) == 1
  }

  /// The INSERT that claims (scope, key): one row when it took the key, none when taken.
  private func claimStatement(
    _ scope: KeyScope, _ key: IdempotencyKey, request: String, answer: StoredAnswer?
  ) -> SQL {
    """
    INSERT INTO idempotency_keys (command, key, request, object_id, stdout, stderr, \
    exit_code, created_at) VALUES (\(scope.rawValue), \(key.text), \(request), '', \
    \(answer?.stdout ?? ""), \(answer?.stderr ?? ""), \(Int64(answer?.status.code ?? -1)), \
    \(Timestamp.now().milliseconds)) ON CONFLICT (command, key) DO NOTHING
    """
  }

  /// Deletes the keys created at or before `cutoff`; returns how many went.
  func pruneKeys(createdAtOrBefore cutoff: Timestamp) throws -> Int {
    try run("DELETE FROM idempotency_keys WHERE created_at <= \(cutoff.milliseconds)")
  }
}

extension Transaction {
  /// The row of a key that is taken: in a write transaction the claim just failed on it; a
  /// key pruned between the claim and this read is a temporary error (retry, as after a lock
  /// wait).
  func keyRow(_ scope: KeyScope, _ key: IdempotencyKey) throws -> KeyRow {
    guard let row = try storedKeyRow(scope, key) else {
      throw OptimistError.unavailable(
        "Idempotency key `\(key.text)` was pruned during this command; retry it.")
    }
    return row
  }

  /// The row of (scope, key), nil when the key is unused.
  func storedKeyRow(_ scope: KeyScope, _ key: IdempotencyKey) throws -> KeyRow? {
    guard let row = try first(Self.keyRowStatement(scope, key)) else { return nil }
    // The column keeps the exit code; a number optimist never exits with is a storage error.
    let status = row.integer(4).flatMap { Int32(exactly: $0) }.flatMap(ExitStatus.init(code:))
    return KeyRow(
      request: row.text(0) ?? "", objectID: row.text(1) ?? "",
      answer: StoredAnswer(
        stdout: row.text(2) ?? "", stderr: row.text(3) ?? "", status: status ?? .storageError))
  }

  /// The SELECT `storedKeyRow` runs.
  static func keyRowStatement(_ scope: KeyScope, _ key: IdempotencyKey) -> SQL {
    """
    SELECT request, object_id, stdout, stderr, exit_code FROM idempotency_keys \
    WHERE command = \(scope.rawValue) AND key = \(key.text)
    """
  }

  /// The answer stored for (scope, key) when `request` is the one the key was first used
  /// for; nil when the key is unused; IDEMPOTENCY_KEY_REUSED for another request. Only reads:
  /// for a command that must know before it acts (`edit` runs its command only when there is
  /// nothing to replay); its write still goes through `idempotent`.
  func storedAnswer(
    _ scope: KeyScope, _ request: some IdempotentRequest
  ) throws -> StoredAnswer? {
    guard let key = request.key, let stored = try storedKeyRow(scope, key) else { return nil }
    guard stored.answers(request.fingerprint) else {
      throw OptimistError.idempotencyKeyReused(key: key.text)
    }
    return stored.answer
  }
}
