/// A validated `update` request: the id, the version the caller saw, and the field changes.
public struct UpdateRequest: Sendable, Equatable {
  public let id: String
  /// The version the caller read; nil means the latest.
  public let version: Int64?
  /// The changes, typed, in the order given; whether each field is one of the object's is
  /// checked once the object is read.
  public let changes: [FieldChange]
  /// With a key, a retried update replays its first answer (Idempotency.swift).
  public let key: String?
  /// Only an object of this type is updated (another is NOT_FOUND); nil: any customer or item.
  public let type: ObjectType?
  /// Field name and raw value (nil to unset) as given, for the fingerprint.
  private let given: [(field: String, value: String?)]

  /// Validates `--set FIELD=VALUE` and `--unset FIELD` as far as it can without the object.
  public init(
    id: String, version: String?, set: [String], unset: [String], key: String? = nil,
    type: ObjectType? = nil
  ) throws(OptimistError) {
    self.id = id
    self.type = type
    self.version = try Values.version(version)
    self.key = try key.map { (key) throws(OptimistError) in try validateIdempotencyKey(key) }
    var given: [(field: String, value: String?)] = []
    for assignment in set {
      guard let equals = assignment.firstIndex(of: "=") else {
        throw .invalidValue(
          field: nil, detail: "`--set \(assignment)` needs the form FIELD=VALUE.")
      }
      given.append(
        (String(assignment[..<equals]), String(assignment[assignment.index(after: equals)...])))
    }
    given += unset.map { ($0, nil) }
    guard !given.isEmpty else {
      throw .invalidValue(field: nil, detail: "Nothing to update: give --set FIELD=VALUE or --unset FIELD.")
    }
    let changes = try FieldChange.list(given) { (field, raw) throws(OptimistError) in try field.parse(raw) }
    self.changes = changes
    self.given = given
  }

  public static func == (a: UpdateRequest, b: UpdateRequest) -> Bool {
    a.id == b.id && a.version == b.version && a.changes == b.changes && a.key == b.key
  }
}

extension FieldChange {
  /// Typed changes from (field name, value) pairs as given (`--set`/`--unset`, a batch's
  /// `set`/`unset`): read-only, unknown and repeated names are refused; `parse` turns a value
  /// into the field's (nil values unset).
  static func list<Value>(
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
      changes.append(FieldChange(field, try change.value.map { (value) throws(OptimistError) in try parse(field, value) } ?? nil))
    }
    return changes
  }
}

extension UpdateRequest {
  /// The request as given, for comparing with the one a key was first used for.
  var fingerprint: String {
    var object = JSONObject()
    object.add("id", id)
    object.add("version", version)
    object.addRaw(
      "changes",
      jsonArray(given.map { change in
        jsonArray([JSONObject.quoted(change.field), change.value.map(JSONObject.quoted) ?? "null"])
      }))
    return object.text
  }
}

extension StoreEngine {
  /// Applies the changes with a conditional UPDATE on the caller's version; with a key, at
  /// most once (a retry after a lost answer replays it, even once the object has moved on).
  public func update(_ request: UpdateRequest) throws -> Output {
    try write(creating: false) { db in
      // The fingerprint only where a key needs it: a plain update builds no more text.
      let fingerprint = request.key == nil ? "" : request.fingerprint
      return try db.idempotent(command: "update", key: request.key, request: fingerprint, check: {}) {
        let updated = try db.update(
          id: request.id, changes: request.changes, expectedVersion: request.version,
          type: request.type)
        return (request.id, .success(updated.json))
      }
    }
  }

  /// Deletes the object with a conditional DELETE on the caller's version; with a key, at
  /// most once.
  /// With `type`, an object of another type is NOT_FOUND.
  public func delete(
    id: String, version: String?, key: String? = nil, type: ObjectType? = nil
  ) throws -> Output {
    let version = try Values.version(version)
    let key = try key.map { (key) throws(OptimistError) in try validateIdempotencyKey(key) }
    var fingerprint = JSONObject()
    if key != nil {
      fingerprint.add("id", id)
      fingerprint.add("version", version)
    }
    return try write(creating: false) { db in
      try db.idempotent(command: "delete", key: key, request: fingerprint.text, check: {}) {
        (id, .success(try db.delete(id: id, expectedVersion: version, type: type)))
      }
    }
  }
}

/// What `delete` prints (and `wait` prints for a deletion): `{"deleted_object_ids":[…],"deleted_at":…}`.
func deletion(id: String, at deletedAt: Timestamp) -> String {
  var document = JSONObject()
  document.addRaw("deleted_object_ids", jsonArray([JSONObject.quoted(id)]))
  document.add("deleted_at", deletedAt.rfc3339)
  return document.text
}

extension Database {
  /// Applies typed field changes to the customer or item `id` with the conditional UPDATE at
  /// `expectedVersion` (nil: the latest), inside the caller's transaction, and returns the
  /// object as written: `update`, `edit`, `batch` and the server all change objects here.
  ///
  /// A field that is not one of the object's type is INVALID_VALUE; the rules across fields
  /// (an item's name, a customer's contact) are checked when the version is the current one,
  /// so a stale version is VERSION_MISMATCH whatever the changes.
  public func update(
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
      updated.version = try nextCatalogVersion(now: updated.updatedAt)
    } else {
      let (next, overflow) = current.version.addingReportingOverflow(1)
      guard !overflow else {
        throw OptimistError.storage("Customer `\(current.id)` is at the largest version there is.")
      }
      updated.version = next
    }
    try conditionalUpdate(updated, replacing: current, expectedVersion: expected)
    return updated
  }

  /// Deletes the customer or item `id` with the conditional DELETE at `expectedVersion` (nil:
  /// the latest), inside the caller's transaction, keeping its last version in the history;
  /// returns what `delete` prints: `{"deleted_object_ids":[…],"deleted_at":…}`.
  public func delete(
    id: String, expectedVersion: Int64?, command: String = "delete", type: ObjectType? = nil
  ) throws -> String {
    let current = try versionedObject(id: id, command: command, type: type)
    let deletedAt = Timestamp.now()
    try conditionalDelete(current, expectedVersion: expectedVersion ?? current.version, deletedAt: deletedAt)
    return deletion(id: id, at: deletedAt)
  }
}
