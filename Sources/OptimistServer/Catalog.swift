import OptimistCore

/// The Catalog API for objects of type ITEM: upsert (the whole object; `#temporary` ids
/// create and are mapped in `id_mappings`), retrieve, delete, list, batch retrieve and batch
/// upsert.
enum Catalog {
  static let itemFields = CatalogItem.fields.map(\.name)

  /// A catalog object as a request carries it: all of an ITEM's values.
  struct ItemInput: Equatable {
    /// The object's id, or a client id starting with `#` for a new one.
    let id: String
    let version: Int64?
    /// The members of `item_data`, as given.
    let data: [JSONValue.Member]

    var isNew: Bool { id.hasPrefix("#") }

    /// Reads `{"type":"ITEM","id":…,"version":…,"item_data":{…}}`. Read-only members that a
    /// client sends back from an earlier answer (`updated_at`, `created_at`, `is_deleted`
    /// false, `present_at_all_locations`) are accepted and ignored.
    init(_ object: Body) throws(APIError) {
      try object.only([
        "type", "id", "version", "item_data", "updated_at", "created_at", "is_deleted",
        "present_at_all_locations",
      ])
      let type = try object.required("type", object.string)
      guard type == ObjectType.item.rawValue else {
        throw .operation(
          .invalidValue(
            field: object.prefix + "type",
            detail: "optimist stores catalog objects of type ITEM only, not `\(type)`."))
      }
      id = try object.required("id", object.string)
      guard !id.isEmpty else {
        throw .operation(
          .invalidValue(field: object.prefix + "id", detail: "`id` must not be empty."))
      }
      version = try object.integer("version")
      if try object.boolean("is_deleted") == true {
        throw .operation(
          .invalidValue(
            field: object.prefix + "is_deleted", detail: "A deleted object cannot be upserted."))
      }
      _ = try object.string("updated_at")
      _ = try object.string("created_at")
      _ = try object.boolean("present_at_all_locations")
      let itemData = try object.required("item_data", object.object)
      try itemData.only(itemFields)
      for field in CatalogItem.fields {
        switch field.kind {
        case .text: _ = try itemData.string(field.name)
        case .boolean: _ = try itemData.boolean(field.name)
        }
      }
      data = itemData.members
    }

    /// This upsert as an operation of optimist's `batch`: a create for a `#` id, else an
    /// update of the whole object (a field left out is removed), at `version` when given.
    var operation: JSONValue {
      if isNew {
        return .object([.init("op", .string("create-item")), .init("id", .string(id))] + data)
      }
      var members: [JSONValue.Member] = [.init("op", .string("update")), .init("id", .string(id))]
      if let version { members.append(.init("version", .number(String(version)))) }
      let unset = itemFields.filter { name in !data.contains(where: { $0.key == name }) }
      members.append(.init("set", .object(data)))
      members.append(.init("unset", .array(unset.map(JSONValue.string))))
      return .object(members)
    }
  }

  /// The upserts as one Core `batch` (all or none, in one transaction, temporary ids
  /// mapped), keyed by `key`.
  static func batch(_ inputs: [ItemInput], key: String) throws(APIError) -> BatchRequest {
    try validated { () throws(OptimistError) in
      try BatchRequest(json: JSONValue.array(inputs.map(\.operation)), key: IdempotencyKey(key))
    }
  }

  /// `POST /v2/catalog/object` → `{"catalog_object":…,"id_mappings":[…]}`.
  static func upsert(_ request: APIRequest) throws(APIError) -> Job {
    let body = try Body(request.body)
    try body.only(["idempotency_key", "object"])
    let key = try body.required("idempotency_key", body.string)
    let input = try ItemInput(try body.required("object", body.object))
    let batch = try batch([input], key: key)
    return { store in
      do {
        return Reply.wrapped(
          try store.batch(batch, scope: .upsertCatalogObject) { result in
            UpsertAnswer(result: result, mapped: input.isNew)
          }, in: nil)
      } catch OptimistError.batchOperation(_, let error) {
        throw error  // one object: its own error, not "operation 0"
      }
    }
  }

  /// The document of a catalog upsert: `{"catalog_object":…,"id_mappings":[…]}` (the
  /// mappings for a new object only); what the key stores and replays.
  struct UpsertAnswer: Answer {
    let result: BatchResult
    let mapped: Bool

    var json: String {
      var document = JSONObject()
      document.addRaw("catalog_object", result.objects.first?.json ?? "null")
      if mapped { document.addRaw("id_mappings", result.idMappingsJSON) }
      return document.text
    }
  }

  /// The document of a batch upsert: `{"objects":[…],"updated_at":"…","id_mappings":[…]}`.
  struct BatchUpsertAnswer: Answer {
    let result: BatchResult

    var json: String {
      var document = JSONObject()
      document.addRaw("objects", jsonArray(result.objects.map(\.json)))
      if case .object(let first)? = result.objects.first {
        document.add("updated_at", first.updatedAt.rfc3339)
      }
      document.addRaw("id_mappings", result.idMappingsJSON)
      return document.text
    }
  }

  /// The most objects one batch upsert or batch retrieve takes.
  static let batchLimit = 1000

  /// `POST /v2/catalog/batch-upsert` → `{"objects":[…],"id_mappings":[…],"updated_at":"…"}`.
  ///
  /// Every object of every batch is written in one transaction, in order, or none is (Square
  /// keeps batches apart: there a failed batch leaves the others written). `idempotency_key`
  /// replays the whole answer.
  static func batchUpsert(_ request: APIRequest) throws(APIError) -> Job {
    let body = try Body(request.body)
    try body.only(["idempotency_key", "batches"])
    let key = try body.required("idempotency_key", body.string)
    let batches = try body.required("batches", body.array)
    var inputs: [ItemInput] = []
    for (index, batch) in batches.enumerated() {
      guard case .object(let members) = batch else {
        throw .expectedType(
          field: "batches[\(index)]", code: "EXPECTED_OBJECT", found: batch.typeName)
      }
      let batchBody = Body(members: members, prefix: "batches[\(index)].")
      try batchBody.only(["objects"])
      for (position, object) in try batchBody.required("objects", batchBody.array).enumerated() {
        guard case .object(let fields) = object else {
          throw .expectedType(
            field: "batches[\(index)].objects[\(position)]", code: "EXPECTED_OBJECT",
            found: object.typeName)
        }
        inputs.append(
          try ItemInput(Body(members: fields, prefix: "batches[\(index)].objects[\(position)].")))
      }
    }
    guard !inputs.isEmpty, inputs.count <= batchLimit else {
      throw .operation(
        .invalidValue(
          field: "batches",
          detail: "A batch upsert takes 1 to \(batchLimit) objects, not \(inputs.count)."))
    }
    let batch = try batch(inputs, key: key)
    return { store in
      Reply.wrapped(
        try store.batch(batch, scope: .batchUpsertCatalogObjects) { BatchUpsertAnswer(result: $0) },
        in: nil)
    }
  }

  /// `POST /v2/catalog/batch-retrieve` with `{"object_ids":[…]}` → `{"objects":[…]}`, the
  /// items found, in the order asked.
  static func batchRetrieve(_ request: APIRequest) throws(APIError) -> Job {
    let body = try Body(request.body)
    try body.only(["object_ids", "include_related_objects", "include_deleted_objects"])
    _ = try body.boolean("include_related_objects")
    _ = try body.boolean("include_deleted_objects")
    let elements = try body.required("object_ids", body.array)
    var ids: [String] = []
    for (index, element) in elements.enumerated() {
      guard let id = element.string else {
        throw .expectedType(
          field: "object_ids[\(index)]", code: "EXPECTED_STRING", found: element.typeName)
      }
      ids.append(id)
    }
    guard !ids.isEmpty, ids.count <= batchLimit else {
      throw .operation(
        .invalidValue(
          field: "object_ids",
          detail: "`object_ids` takes 1 to \(batchLimit) ids, not \(ids.count)."))
    }
    let wanted = ids
    return { store in
      let objects = try store.objects(ids: wanted, type: .item)
      return APIResponse(status: 200, body: "{\"objects\":" + jsonArray(objects.map(\.json)) + "}")
    }
  }

  /// `GET /v2/catalog/object/{id}` → `{"object":…}`; with `catalog_version=V`, the item as
  /// it was at version V, from its history (a deleted item's last version says
  /// `"is_deleted":true`). `include_related_objects` is accepted: an item has no related
  /// objects here.
  static func retrieve(_ id: String, _ request: APIRequest) throws(APIError) -> Job {
    let query = try Query(
      request.query,
      known: ["include_related_objects", "include_category_path_to_root", "catalog_version"])
    guard let text = query["catalog_version"] else {
      return { store in Reply.wrapped(try store.get(id: id, type: .item), in: "object") }
    }
    let version = try validated { () throws(OptimistError) in
      try Values.version(text, field: "catalog_version") ?? 0
    }
    return { store in
      let found: ObjectAtVersion
      do {
        found = try store.get(id: id, atVersion: version)
      } catch OptimistError.versionNotFound(field: "at_version", let detail) {
        throw OptimistError.versionNotFound(field: "catalog_version", detail: detail)
      }
      // Customers keep versions too: on the catalog's path only an item is found.
      guard found.type == .item else { throw OptimistError.notFound(id: id, field: "id") }
      return Reply.wrapped(found, in: "object")
    }
  }

  /// `DELETE /v2/catalog/object/{id}` → `{"deleted_object_ids":[…],"deleted_at":"…"}`.
  static func delete(_ id: String, _ request: APIRequest) throws(APIError) -> Job {
    _ = try Query(request.query, known: [])
    let delete = DeleteRequest(id: id, version: nil, type: .item)
    return { store in Reply.wrapped(try store.delete(delete), in: nil) }
  }

  /// `GET /v2/catalog/list?types=ITEM&cursor=` → `{"objects":[…],"cursor":"…"}`; types other
  /// than ITEM have no objects here.
  static func list(_ request: APIRequest) throws(APIError) -> Job {
    let query = try Query(request.query, known: ["types", "cursor"])
    let types = query["types"].map {
      $0.split(separator: ",").map { $0.trimmingSpaces.uppercased() }
    }
    guard types?.contains(ObjectType.item.rawValue) ?? true else {
      return { _ in APIResponse(status: 200, body: #"{"objects":[]}"#) }
    }
    let list = try validated { () throws(OptimistError) in
      try ListRequest(type: .item, limit: ListRequest.defaultLimit, cursor: query["cursor"])
    }
    return { store in Reply.page(try store.list(list), in: "objects") }
  }
}

extension Substring {
  var trimmingSpaces: Substring {
    var text = self
    while text.first == " " { text = text.dropFirst() }
    while text.last == " " { text = text.dropLast() }
    return text
  }
}
