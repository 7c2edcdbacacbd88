/// One operation of a batch, validated: the same fields, versions and rules as the command
/// of the same name.
public enum BatchOperation: Sendable, Equatable, Encodable {
  /// `create-customer` or `create-item`; `temporaryID` (`#name`) lets later operations of
  /// the same batch name the new object.
  case create(type: ObjectType, temporaryID: String?, values: FieldValues)
  /// `update`: the version read (nil: the latest) and the typed changes.
  case update(id: ObjectReference, version: Int64?, changes: [FieldChange])
  /// `delete`.
  case delete(id: ObjectReference, version: Int64?)
}

/// How an operation names its object: a stored id, or the temporary id of an earlier create
/// in the same batch (`#coffee`, as in Square's batch upsert).
public enum ObjectReference: Sendable, Equatable, Encodable {
  case stored(String)
  case temporary(String)
}

/// A validated `batch`: at most 1,000 operations, applied all or none in one transaction.
public struct BatchRequest: IdempotentRequest, Equatable {
  public static let maximumOperations = 1000

  public let operations: [BatchOperation]
  public let key: IdempotencyKey?

  /// Validates the batch as far as it can without the store: every operation's keys, fields
  /// and values, and the temporary ids (each given once, by a create, before it is used). A
  /// refusal of operation `i` is `.batchOperation(index: i, …)`.
  public init(json: JSONValue, key: IdempotencyKey?) throws(OptimistError) {
    guard let elements = json.elements else {
      throw .invalidValue(
        field: nil, detail: "A batch is a JSON array of operations, not \(json.typeName).")
    }
    guard !elements.isEmpty else {
      throw .invalidValue(field: nil, detail: "A batch needs at least one operation.")
    }
    guard elements.count <= Self.maximumOperations else {
      throw .invalidValue(
        field: nil,
        detail: "A batch has at most \(Self.maximumOperations) operations, not \(elements.count).")
    }
    var temporaries: [Temporary] = []
    var operations: [BatchOperation] = []
    operations.reserveCapacity(elements.count)
    for (index, element) in elements.enumerated() {
      do throws(OptimistError) {
        operations.append(try Self.operation(element, temporaries: &temporaries))
      } catch {
        throw .batchOperation(index: index, error: error)
      }
    }
    self.operations = operations
    self.key = key
  }

  /// Whether the batch creates anything (and so may create the store).
  var creates: Bool {
    operations.contains { if case .create = $0 { return true } else { return false } }
  }

  static let ops = ["create-customer", "create-item", "update", "delete"]

  /// An object the batch creates, as it will be when an operation names it: its type and
  /// values, its version (a customer's; nil for an item's, which the catalog clock gives),
  /// whether it was deleted. Operations on it are checked against this before the store is
  /// touched, so that a batch refused for its own objects inserts nothing.
  struct Temporary {
    let name: String
    let type: ObjectType
    var values: FieldValues
    var version: Int64?
    var deleted = false
  }

  private static func operation(
    _ element: JSONValue, temporaries: inout [Temporary]
  ) throws(OptimistError) -> BatchOperation {
    guard let members = element.members else {
      throw .invalidValue(
        field: nil, detail: "An operation is a JSON object with an `op`, not \(element.typeName).")
    }
    guard let opValue = element["op"] else {
      throw .missingRequiredParameter(
        field: "op", detail: "Every operation needs an `op`: \(ops.joinedFast(", ")).")
    }
    guard let op = opValue.string, ops.contains(op) else {
      let hint =
        opValue.string.flatMap { nearestName(to: $0, in: ops) }.map { " Did you mean `\($0)`?" }
        ?? ""
      throw .invalidValue(
        field: "op", detail: "Unknown op \(opValue.text): use \(ops.joinedFast(", ")).\(hint)")
    }
    let type: ObjectType? = op == "create-customer" ? .customer : op == "create-item" ? .item : nil
    let allowed: [String] =
      type.map { ["op", "id"] + $0.fields.map(\.name) }
      ?? (op == "update" ? ["op", "id", "version", "set", "unset"] : ["op", "id", "version"])
    for member in members where !allowed.contains(member.key) {
      let hint = nearestName(to: member.key, in: allowed).map { " Did you mean `\($0)`?" } ?? ""
      throw .invalidValue(
        field: member.key, detail: "Unknown key `\(member.key)` for a `\(op)` operation.\(hint)")
    }
    if let type {
      return try create(type, element, temporaries: &temporaries)
    }
    let id = try reference(element["id"], temporaries: temporaries)
    let version = try Self.version(element["version"])
    let changes = op == "update" ? try changes(set: element["set"], unset: element["unset"]) : nil
    if case .temporary(let name) = id,
      let index = temporaries.firstIndex(where: { $0.name == name })
    {
      try check(&temporaries[index], version: version, changes: changes)
    }
    guard let changes else { return .delete(id: id, version: version) }
    return .update(id: id, version: version, changes: changes)
  }

  /// An update (`changes`) or a delete (nil) of an object the batch creates, by the rules
  /// `Database.update` and `delete` apply, on the object as the batch will have made it.
  private static func check(
    _ object: inout Temporary, version: Int64?, changes: [FieldChange]?
  ) throws(OptimistError) {
    guard !object.deleted else { throw .notFound(id: object.name, field: "id") }
    if let version {
      guard let current = object.version else {
        throw .invalidValue(
          field: "version",
          detail:
            "A new item's version comes from the catalog clock when the batch applies: leave `version` out for `\(object.name)`."
        )
      }
      guard version == current else {
        throw .versionMismatch(id: object.name, expected: version, actual: current)
      }
    }
    guard let changes else {
      object.deleted = true
      return
    }
    for change in changes {
      guard object.type.fields.contains(change.field) else {
        throw .invalidValue(
          field: change.field.name,
          detail: "`\(change.field.name)` is not a field of \(object.type.rawValue) objects.")
      }
      object.values[change.field.name] = change.value
    }
    try VersionedObject.validateNew(type: object.type, values: object.values)
    object.version = object.version.map { $0 + 1 }
  }

  private static func create(
    _ type: ObjectType, _ element: JSONValue, temporaries: inout [Temporary]
  ) throws(OptimistError) -> BatchOperation {
    var temporaryID: String?
    if let id = element["id"] {
      guard let text = id.string, text.hasPrefix("#"), text.count > 1 else {
        throw .invalidValue(
          field: "id",
          detail:
            "A create's `id` is a temporary id such as \"#coffee\" (optimist chooses the real one), not \(id.text)."
        )
      }
      guard !temporaries.contains(where: { $0.name == text }) else {
        throw .invalidValue(
          field: "id", detail: "The temporary id `\(text)` is given twice in this batch.")
      }
      temporaryID = text
    }
    var values = FieldValues()
    for field in type.fields {
      if let json = element[field.name], let value = try field.value(json: json) {
        values[field.name] = value
      }
    }
    try VersionedObject.validateNew(type: type, values: values)
    if let temporaryID {
      temporaries.append(
        Temporary(
          name: temporaryID, type: type, values: values, version: type == .customer ? 0 : nil))
    }
    return .create(type: type, temporaryID: temporaryID, values: values)
  }

  private static func reference(_ id: JSONValue?, temporaries: [Temporary]) throws(OptimistError)
    -> ObjectReference
  {
    guard let id else {
      throw .missingRequiredParameter(field: "id", detail: "The operation needs the object's `id`.")
    }
    guard let text = id.string, !text.isEmpty else {
      throw .invalidValue(field: "id", detail: "`id` must be a JSON string, not \(id.text).")
    }
    guard text.hasPrefix("#") else { return .stored(text) }
    guard temporaries.contains(where: { $0.name == text }) else {
      throw .invalidValue(
        field: "id", detail: "No earlier create in this batch has the temporary id `\(text)`.")
    }
    return .temporary(text)
  }

  private static func version(_ version: JSONValue?) throws(OptimistError) -> Int64? {
    guard let version else { return nil }
    guard let number = version.int64, number >= 0 else {
      throw .invalidValue(
        field: "version",
        detail: "`version` must be a whole number of at least 0, not \(version.text).")
    }
    return number
  }

  private static func changes(set: JSONValue?, unset: JSONValue?) throws(OptimistError)
    -> [FieldChange]
  {
    var given: [(field: String, value: JSONValue?)] = []
    if let set {
      guard let members = set.members else {
        throw .invalidValue(
          field: "set", detail: "`set` must be a JSON object of fields, not \(set.typeName).")
      }
      given += members.map { ($0.key, $0.value) }
    }
    if let unset {
      guard let names = unset.elements else {
        throw .invalidValue(
          field: "unset",
          detail: "`unset` must be a JSON array of field names, not \(unset.typeName).")
      }
      for name in names {
        guard let text = name.string else {
          throw .invalidValue(
            field: "unset", detail: "`unset` lists field names as strings, not \(name.text).")
        }
        given.append((text, nil))
      }
    }
    guard !given.isEmpty else {
      throw .invalidValue(field: nil, detail: "Nothing to update: give `set` or `unset`.")
    }
    return try FieldChange.list(given) { (field, json) throws(OptimistError) in
      try field.value(json: json, path: "set." + field.name)
    }
  }
}

/// What a batch did, in operation order: each operation's answer as its command prints it
/// (the object created or updated; a delete's `{"deleted_object_ids":[…],"deleted_at":…}`),
/// and the real id of each temporary one.
public struct BatchResult: Answer, Equatable {
  public var objects: [BatchObject] = []
  public var idMappings: [(temporaryID: String, id: String)] = []

  public init() {}

  /// `{"objects":[…],"id_mappings":[{"client_object_id":"#coffee","object_id":"…"}]}`.
  public var json: String {
    let objects = objects.map(\.json)
    var document = JSONObject(capacity: objects.reduce(64) { $0 + $1.utf8.count + 1 })
    document.addRaw("objects", jsonArray(objects))
    document.addRaw("id_mappings", idMappingsJSON)
    return document.text
  }

  /// `[{"client_object_id":"#coffee","object_id":"…"}]`.
  public var idMappingsJSON: String {
    jsonArray(
      idMappings.map { mapping in
        var object = JSONObject()
        object.add("client_object_id", mapping.temporaryID)
        object.add("object_id", mapping.id)
        return object.text
      })
  }

  public static func == (a: BatchResult, b: BatchResult) -> Bool {
    a.objects == b.objects && a.idMappings.map(\.temporaryID) == b.idMappings.map(\.temporaryID)
      && a.idMappings.map(\.id) == b.idMappings.map(\.id)
  }
}

/// What one operation of a batch answers: the object created or updated, or a deletion.
public enum BatchObject: Answer, Equatable {
  case object(VersionedObject)
  case deletion(Deletion)

  public var json: String {
    switch self {
    case .object(let object): return object.json
    case .deletion(let deletion): return deletion.json
    }
  }
}

extension StoreEngine {
  /// Applies the batch in one write transaction: all of it, or nothing. With a key, at most
  /// once (the same batch again replays the first answer).
  public func batch(_ request: BatchRequest) throws -> Keyed<BatchResult> {
    try batch(request, scope: .batch) { $0 }
  }

  /// `batch` answering with `answer(result)`, its key in `scope`: the server's catalog
  /// upserts keep keys of their own and store the document they answer with, so that a
  /// replay is that document byte for byte.
  public func batch<Value: Answer>(
    _ request: BatchRequest, scope: KeyScope, answer: (BatchResult) -> Value
  ) throws -> Keyed<Value> {
    try Keyed(
      try write(creating: request.creates) { db in
        try db.idempotent(scope, request) {
          let result = try db.apply(request.operations)
          return (result.idMappings.first?.id ?? "", answer(result))
        }
      })
  }
}

extension WriteTransaction {
  /// Applies `operations` with the one-object create,
  /// update and delete every command uses; the first refusal throws
  /// `.batchOperation(index:error:)` (the caller's rollback undoes the ones before it).
  ///
  /// The operations on stored objects run first, in their order, then the creates and the
  /// operations on the new objects, in theirs: the two sets touch different objects, so the
  /// outcome is the same, and a refusal (which, for the new objects, `BatchRequest` has
  /// already ruled out) comes before anything is inserted, so it leaves even PostgreSQL's
  /// identity sequences as they were. The answers are in operation order.
  func apply(_ operations: [BatchOperation]) throws -> BatchResult {
    var result = BatchResult()
    var answers = [BatchObject?](repeating: nil, count: operations.count)
    let stored = operations.indices.filter { operations[$0].storedID != nil }
    let created = operations.indices.filter { operations[$0].storedID == nil }
    for index in stored + created {
      do {
        switch operations[index] {
        case .create(let type, let temporaryID, let values):
          let object = try create(type: type, values: values)
          if let temporaryID { result.idMappings.append((temporaryID, object.id)) }
          answers[index] = .object(object)
        case .update(let reference, let version, let changes):
          let object = try update(
            id: result.resolve(reference), changes: changes, expectedVersion: version,
            command: "batch")
          answers[index] = .object(object)
        case .delete(let reference, let version):
          answers[index] = .deletion(
            try delete(id: result.resolve(reference), expectedVersion: version, command: "batch"))
        }
      } catch let error as OptimistError {
        throw OptimistError.batchOperation(index: index, error: error)
      }
    }
    result.objects = answers.compactMap { $0 }
    return result
  }
}

extension BatchOperation {
  /// The stored object's id an update or delete names; nil for a create or a temporary id.
  var storedID: String? {
    switch self {
    case .update(.stored(let id), _, _), .delete(.stored(let id), _): return id
    case .create, .update(.temporary, _, _), .delete(.temporary, _): return nil
    }
  }
}

extension BatchResult {
  /// The stored id an operation names.
  fileprivate func resolve(_ reference: ObjectReference) -> String {
    switch reference {
    case .stored(let id): return id
    case .temporary(let name): return idMappings.first { $0.temporaryID == name }?.id ?? name
    }
  }
}
