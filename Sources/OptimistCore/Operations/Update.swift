/// `update`: typed field changes written with the conditional UPDATE at the version the
/// caller read (ConditionalUpdate.swift).
public struct UpdateRequest: IdempotentRequest, Equatable {
  public let id: String
  /// The version the caller read; nil means the latest.
  public let version: Int64?
  /// The changes, typed, in the order given; whether each field is one of the object's is
  /// checked once the object is read.
  public let changes: [FieldChange]
  /// With a key, a retried update replays its first answer (Idempotency.swift).
  public let key: IdempotencyKey?
  /// Only an object of this type is updated (another is NOT_FOUND); nil: any customer or item.
  public let type: ObjectType?

  public init(
    id: String, version: Int64?, changes: [FieldChange], key: IdempotencyKey? = nil,
    type: ObjectType? = nil
  ) throws(OptimistError) {
    guard !changes.isEmpty else {
      throw .invalidValue(
        field: nil, detail: "Nothing to update: give --set FIELD=VALUE or --unset FIELD.")
    }
    self.id = id
    self.version = version
    self.changes = changes
    self.key = key
    self.type = type
  }
}

extension StoreEngine {
  /// Applies the changes with a conditional UPDATE on the caller's version; with a key, at
  /// most once (a retry after a lost answer replays it, even once the object has moved on).
  public func update(_ request: UpdateRequest) throws -> Keyed<VersionedObject> {
    try Keyed(
      try write(creating: false) { db in
        try db.idempotent(
          .update, request, ahead: db.read(id: request.id, type: request.type ?? .customer)
        ) {
          let updated = try db.update(
            id: request.id, changes: request.changes, expectedVersion: request.version,
            type: request.type)
          return (request.id, updated)
        }
      })
  }
}

extension WriteTransaction {
  /// Applies typed field changes to the customer or item `id` with the conditional UPDATE at
  /// `expectedVersion` (nil: the latest), and returns the
  /// object as written: `update`, `edit`, `batch` and the server all change objects here.
  ///
  /// A field that is not one of the object's type is INVALID_VALUE; the rules across fields
  /// (an item's name, a customer's contact) are checked when the version is the current one,
  /// so a stale version is VERSION_MISMATCH whatever the changes.
  func update(
    id: String, changes: [FieldChange], expectedVersion: Int64?, command: String = "update",
    type: ObjectType? = nil
  ) throws -> VersionedObject {
    let current = try versionedObject(id: id, command: command, type: type)
    var updated = current
    for change in changes {
      guard current.type.fields.contains(change.field) else {
        throw OptimistError.invalidValue(
          field: change.field.name,
          detail: "`\(change.field.name)` is not a field of \(current.type.rawValue) objects.")
      }
      updated.values[change.field.name] = change.value
    }
    let expected = expectedVersion ?? current.version
    if expected == current.version { try updated.validate() }
    updated.updatedAt = Timestamp.now()
    if current.type == .item {
      (updated.version, updated.updatedAt) = try nextCatalogStamp(now: updated.updatedAt)
    } else {
      let (next, overflow) = current.version.addingReportingOverflow(1)
      guard !overflow else {
        throw OptimistError.storage("Customer `\(current.id)` is at the largest version there is.")
      }
      updated.version = next
    }
    updated.render()
    try conditionalUpdate(updated, replacing: current, expectedVersion: expected)
    return updated
  }
}

extension FieldChange {
  /// Typed changes from (field name, value) pairs as given (`--set`/`--unset`, a batch's
  /// `set`/`unset`): read-only, unknown and repeated names are refused; `parse` turns a value
  /// into the field's (nil values unset).
  public static func list<Value>(
    _ given: [(field: String, value: Value?)],
    parse: (Field, Value) throws(OptimistError) -> FieldValue?
  ) throws(OptimistError) -> [FieldChange] {
    var changes: [FieldChange] = []
    for change in given {
      if ObjectType.readOnlyFields.contains(change.field) {
        throw .invalidValue(
          field: change.field, detail: "`\(change.field)` is read-only: only optimist sets it.")
      }
      guard let field = Field.named(change.field) else {
        let known = Field.all.map(\.name)
        let hint = nearestName(to: change.field, in: known).map { " Did you mean `\($0)`?" } ?? ""
        throw .invalidValue(field: change.field, detail: "Unknown field `\(change.field)`.\(hint)")
      }
      guard !changes.contains(where: { $0.field == field }) else {
        throw .invalidValue(field: change.field, detail: "`\(change.field)` is changed twice.")
      }
      var value: FieldValue?
      if let given = change.value { value = try parse(field, given) }
      changes.append(FieldChange(field, value))
    }
    return changes
  }
}
