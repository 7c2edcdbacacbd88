/// The optimistic-concurrency core: conditional UPDATE and DELETE, decided by the changes count.
///
/// `… WHERE id = ? AND version = ?` changes one row when the caller's version is current; when
/// it changes none, the same transaction looks whether the object is gone (NOT_FOUND) or has
/// moved on (VERSION_MISMATCH). No write ever lands on a version its caller did not see.
/// Every successful update or delete keeps the version it replaced in the history
/// (VersionHistory.swift), in the same transaction.
extension Transaction {
  /// The customer or item with this id, for a command that changes it.
  ///
  /// Payments change only through their own commands: naming one is INVALID_VALUE. In a write
  /// transaction the row is locked until it ends, so "the latest version" stays the latest.
  /// With `type` (the server's typed paths), an object of another type is NOT_FOUND.
  func versionedObject(
    id: String, command: String, type: ObjectType? = nil
  ) throws -> VersionedObject {
    let found: StoredObject?
    if let type {
      found = try object(id: id, type: type)
    } else {
      found = try object(id: id)
    }
    switch found {
    case .versioned(let object)?:
      return object
    case .payment?:
      throw OptimistError.invalidValue(
        field: "id",
        detail:
          "`\(id)` is a payment; payments change with update-payment, complete-payment, "
          + "cancel-payment and refund-payment, not `\(command)`.")
    case .refund?:
      throw OptimistError.invalidValue(
        field: "id", detail: "`\(id)` is a refund; refunds cannot be changed with `\(command)`.")
    case nil:
      throw OptimistError.notFound(id: id, field: "id")
    }
  }
}

extension WriteTransaction {
  /// Writes `object` over the stored row only if that row is still at `expectedVersion`, and
  /// keeps `replaced` (the row as this transaction read it) as a past version.
  func conditionalUpdate(
    _ object: VersionedObject, replacing replaced: VersionedObject, expectedVersion: Int64
  ) throws {
    let fields = object.type.fields
    var update = SQL.StringInterpolation(literalCapacity: 256, interpolationCount: fields.count + 4)
    update.appendLiteral("UPDATE \(object.type.table) SET version = ")
    update.appendInterpolation(object.version)
    update.appendLiteral(", updated_at = ")
    update.appendInterpolation(object.updatedAt.milliseconds)
    for field in fields {
      update.appendLiteral(", \(field.name) = ")
      update.appendInterpolation(object.values[field.name]?.sqlValue ?? .null)
    }
    update.appendLiteral(" WHERE id = ")
    update.appendInterpolation(object.id)
    update.appendLiteral(" AND version = ")
    update.appendInterpolation(expectedVersion)
    let statement = SQL(stringInterpolation: update)
    // The row this transaction read, locked, is at the expected version: the UPDATE changes
    // it and nothing reads its result, so it may go with the commit.
    if replaced.version == expectedVersion {
      try runLater(statement, changes: 1, otherwise: changedMeanwhile(object.id))
    } else if try run(statement) != 1 {
      throw try conflict(type: object.type, id: object.id, expectedVersion: expectedVersion)
    }
    try keepVersion(
      replaced, expectedVersion: expectedVersion, replacedAt: object.updatedAt, deleted: false)
    known?.learn(object.type, object.row, read: false)
    recordChange(object, "updated")
  }

  /// Deletes the object only if it is still at `expectedVersion`, and keeps `current` (the
  /// row as this transaction read it) as its last version, deleted at `deletedAt`.
  func conditionalDelete(_ current: VersionedObject, expectedVersion: Int64, deletedAt: Timestamp)
    throws
  {
    let statement: SQL =
      "DELETE FROM \(raw: current.type.table) WHERE id = \(current.id) AND version = \(expectedVersion)"
    if current.version == expectedVersion {
      try runLater(statement, changes: 1, otherwise: changedMeanwhile(current.id))
    } else if try run(statement) != 1 {
      throw try conflict(type: current.type, id: current.id, expectedVersion: expectedVersion)
    }
    try keepVersion(current, expectedVersion: expectedVersion, replacedAt: deletedAt, deleted: true)
    known?.forget(current.id)
    recordChange(current, "deleted", deletedAt: deletedAt)
  }

  /// A row this transaction read locked did not match when written: only the transaction
  /// itself could have changed it, so nothing is written (retry).
  private func changedMeanwhile(_ id: String) -> OptimistError {
    .unavailable("`\(id)` changed while this command read it; retry it.")
  }

  /// Keeps the version a conditional statement replaced. The caller read it in this
  /// transaction with the row locked, so it is the row the statement matched; one read
  /// without the lock may be stale, and is refused rather than recorded wrongly.
  private func keepVersion(
    _ replaced: VersionedObject, expectedVersion: Int64, replacedAt: Timestamp, deleted: Bool
  ) throws {
    guard replaced.version == expectedVersion else { throw changedMeanwhile(replaced.id) }
    try keepVersion(replaced, replacedAt: replacedAt, deleted: deleted)
  }

  /// Writes `payment` over the stored row only if that row still has `expectedToken`: the
  /// payments' own optimistic concurrency (Square's `version_token`).
  ///
  /// `expectedToken` is the token of the payment as this transaction read it, locked
  /// (`payment(id:versionToken:)`, which decides NOT_FOUND and VERSION_MISMATCH): the UPDATE
  /// then changes exactly that row, and may go with the commit. Should it change none (the
  /// transaction itself changed the row since), nothing is written and the command is
  /// refused as temporary (retry).
  func conditionalUpdate(_ payment: Payment, expectedToken: String) throws {
    try runLater(
      """
      UPDATE payments SET updated_at = \(payment.updatedAt.milliseconds), \
      amount = \(payment.amount), tip = \(payment.tip), refunded = \(payment.refunded), \
      status = \(payment.status.rawValue), refund_ids = \(payment.refundIDs.joinedFast(",")), \
      version_token = \(payment.versionToken) \
      WHERE id = \(payment.id) AND version_token = \(expectedToken)
      """, changes: 1, otherwise: changedMeanwhile(payment.id))
    known?.learn(.payment, payment.sqlValues, read: false)
    recordChange(payment, "updated")
  }

  /// Why a conditional statement changed nothing, read in the same transaction.
  private func conflict(type: ObjectType, id: String, expectedVersion: Int64) throws
    -> OptimistError
  {
    guard
      let actual = try first("SELECT version FROM \(raw: type.table) WHERE id = \(id)")?
        .integer(0)
    else { return .notFound(id: id, field: "id") }
    return .versionMismatch(id: id, expected: expectedVersion, actual: actual)
  }
}
