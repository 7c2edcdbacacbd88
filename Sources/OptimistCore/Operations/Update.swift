/// A validated `update` request: the id, the version the caller saw, and the field changes.
public struct UpdateRequest: Sendable, Equatable {
  public let id: String
  /// The version the caller read; nil means the latest.
  public let version: Int64?
  /// Field name and raw value, nil to unset, in the order given.
  public let changes: [Change]
  /// With a key, a retried update replays its first answer (Idempotency.swift).
  public let key: String?
  /// Only an object of this type is updated (another is NOT_FOUND); nil: any customer or item.
  public let type: ObjectType?

  public struct Change: Sendable, Equatable {
    public let field: String
    public let value: String?
  }

  /// Validates `--set FIELD=VALUE` and `--unset FIELD` as far as it can without the object.
  public init(
    id: String, version: String?, set: [String], unset: [String], key: String? = nil,
    type: ObjectType? = nil
  ) throws(OptimistError) {
    self.id = id
    self.type = type
    self.version = try Values.version(version)
    self.key = try key.map { (key) throws(OptimistError) in try validateIdempotencyKey(key) }
    var changes: [Change] = []
    for assignment in set {
      guard let equals = assignment.firstIndex(of: "=") else {
        throw .invalidValue(
          field: nil, detail: "`--set \(assignment)` needs the form FIELD=VALUE.")
      }
      changes.append(
        Change(
          field: String(assignment[..<equals]),
          value: String(assignment[assignment.index(after: equals)...])))
    }
    changes += unset.map { Change(field: $0, value: nil) }
    guard !changes.isEmpty else {
      throw .invalidValue(field: nil, detail: "Nothing to update: give --set FIELD=VALUE or --unset FIELD.")
    }
    // Arrays, not sets: a handful of names, and no runtime `String: Hashable` lookup.
    let known = ObjectType.allCases.flatMap { $0.fields }.map { $0.name }
    var seen: [String] = []
    for change in changes {
      if ObjectType.readOnlyFields.contains(change.field) {
        throw .invalidValue(
          field: change.field, detail: "`\(change.field)` is read-only: only optimist sets it.")
      }
      guard known.contains(change.field) else {
        let hint = nearestName(to: change.field, in: known).map { " Did you mean `\($0)`?" } ?? ""
        throw .invalidValue(field: change.field, detail: "Unknown field `\(change.field)`.\(hint)")
      }
      guard !seen.contains(change.field) else {
        throw .invalidValue(field: change.field, detail: "`\(change.field)` is changed twice.")
      }
      seen.append(change.field)
    }
    self.changes = changes
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
      jsonArray(changes.map { change in
        jsonArray([JSONObject.quoted(change.field), change.value.map(JSONObject.quoted) ?? "null"])
      }))
    return object.text
  }
}

extension StoreEngine {
  /// Applies the changes with a conditional UPDATE on the caller's version; with a key, at
  /// most once (a retry after a lost answer replays it, even once the object has moved on).
  public func update(_ request: UpdateRequest) throws -> Output {
    try write(creating: false) { db in try db.update(request) }
  }

  /// Deletes the object with a conditional DELETE on the caller's version; with a key, at
  /// most once. With `type`, an object of another type is NOT_FOUND.
  public func delete(id: String, version: String?, key: String? = nil, type: ObjectType? = nil) throws -> Output {
    let version = try Values.version(version)
    let key = try key.map { (key) throws(OptimistError) in try validateIdempotencyKey(key) }
    var fingerprint = JSONObject()
    if key != nil {
      fingerprint.add("id", id)
      fingerprint.add("version", version)
    }
    return try write(creating: false) { db in
      try db.idempotent(command: "delete", key: key, request: fingerprint.text, check: {}) {
        let current = try db.versionedObject(id: id, command: "delete", type: type)
        let deletedAt = Timestamp.now()
        try db.conditionalDelete(current, expectedVersion: version ?? current.version, deletedAt: deletedAt)
        return (id, .success(deletion(id: id, at: deletedAt)))
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
  /// The update inside the caller's transaction; with a key, at most once.
  func update(_ request: UpdateRequest) throws -> Output {
    // The fingerprint only where a key needs it: a plain update builds no more text.
    let fingerprint = request.key == nil ? "" : request.fingerprint
    return try idempotent(command: "update", key: request.key, request: fingerprint, check: {}) {
      (request.id, try applyUpdate(request))
    }
  }

  /// The update itself.
  fileprivate func applyUpdate(_ request: UpdateRequest) throws -> Output {
    let current = try versionedObject(id: request.id, command: "update", type: request.type)
    var updated = current
    for change in request.changes {
      guard let field = current.type.fields.first(where: { $0.name == change.field }) else {
        throw OptimistError.invalidValue(
          field: change.field,
          detail: "`\(change.field)` is not a field of \(current.type.rawValue) objects.")
      }
      updated.values[field.name] = try change.value.flatMap { (raw) throws(OptimistError) in try field.parse(raw) }
    }
    let expected = request.version ?? current.version
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
    return .success(updated.json)
  }
}
