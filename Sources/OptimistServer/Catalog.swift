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
    /// Every field of `item_data` given, as the operations' text (`true`/`false` for booleans).
    let values: [(String, String)]

    static func == (a: ItemInput, b: ItemInput) -> Bool {
      a.id == b.id && a.version == b.version && a.values.elementsEqual(b.values, by: { $0 == $1 })
    }

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
        throw .operation(.invalidValue(field: object.prefix + "id", detail: "`id` must not be empty."))
      }
      version = try object.integer("version")
      if try object.boolean("is_deleted") == true {
        throw .operation(
          .invalidValue(field: object.prefix + "is_deleted", detail: "A deleted object cannot be upserted."))
      }
      _ = try object.string("updated_at")
      _ = try object.string("created_at")
      _ = try object.boolean("present_at_all_locations")
      let data = try object.required("item_data", object.object)
      try data.only(itemFields)
      var values: [(String, String)] = []
      for field in CatalogItem.fields {
        switch field.kind {
        case .text:
          if let text = try data.string(field.name) { values.append((field.name, text)) }
        case .boolean:
          if let flag = try data.boolean(field.name) { values.append((field.name, flag ? "true" : "false")) }
        }
      }
      self.values = values
    }

    /// The operation this upsert is: a create for a `#` id, else a whole-object update (a
    /// field left out is removed), at `version` when given.
    func operation(key: String?) throws(APIError) -> Operation {
      if isNew {
        let raw = values.map { ($0.0, Optional($0.1)) }
        return .create(
          try validated { () throws(OptimistError) in try CreateRequest(type: .item, raw: raw, key: key) })
      }
      let set = values.map { $0.0 + "=" + $0.1 }
      let unset = itemFields.filter { name in !values.contains(where: { $0.0 == name }) }
      let version = self.version.map { String($0) }
      return .update(
        try validated { () throws(OptimistError) in
          try UpdateRequest(id: id, version: version, set: set, unset: unset, key: key, type: .item)
        })
    }
  }

  enum Operation {
    case create(CreateRequest)
    case update(UpdateRequest)
  }

  /// `POST /v2/catalog/object` → `{"catalog_object":…,"id_mappings":[…]}`.
  static func upsert(_ request: APIRequest) throws(APIError) -> Job {
    let body = try Body(request.body)
    try body.only(["idempotency_key", "object"])
    let key = try body.required("idempotency_key", body.string)
    let input = try ItemInput(try body.required("object", body.object))
    let operation = try input.operation(key: key)
    let clientID = input.id
    return { store in
      switch operation {
      case .update(let update):
        return Reply.wrapped(try store.update(update), in: "catalog_object")
      case .create(let create):
        let output = try store.create(create)
        var reply = Reply.wrapped(output, in: "catalog_object")
        if reply.status == 200 {
          reply.body = String(reply.body.dropLast()) + ",\"id_mappings\":" + idMappings([(clientID, output.stdout)]) + "}"
        }
        return reply
      }
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
        throw .expectedType(field: "batches[\(index)]", code: "EXPECTED_OBJECT", found: batch.typeName)
      }
      let batchBody = Body(members: members, prefix: "batches[\(index)].")
      try batchBody.only(["objects"])
      for (position, object) in try batchBody.required("objects", batchBody.array).enumerated() {
        guard case .object(let fields) = object else {
          throw .expectedType(
            field: "batches[\(index)].objects[\(position)]", code: "EXPECTED_OBJECT", found: object.typeName)
        }
        inputs.append(try ItemInput(Body(members: fields, prefix: "batches[\(index)].objects[\(position)].")))
      }
    }
    guard !inputs.isEmpty, inputs.count <= batchLimit else {
      throw .operation(
        .invalidValue(field: "batches", detail: "A batch upsert takes 1 to \(batchLimit) objects, not \(inputs.count)."))
    }
    var writes: [BatchWrite] = []
    for input in inputs {
      switch try input.operation(key: nil) {
      case .create(let create): writes.append(.create(create))
      case .update(let update): writes.append(.update(update))
      }
    }
    let clientIDs = inputs.map(\.id)
    let fingerprint = JSONValue.array(batches).text
    let batch = writes
    return { store in
      let output = try store.writeAll(batch, command: "batch-upsert", key: key, request: fingerprint)
      guard output.exitCode == 0 else { return Reply.wrapped(output, in: nil) }
      let printed = try JSONValue.parse(Reply.json(output.stdout)).elements ?? []
      var created: [(clientID: String, printed: String)] = []
      for (clientID, object) in zip(clientIDs, printed) where clientID.hasPrefix("#") {
        created.append((clientID, object.text))
      }
      var document = JSONObject()
      document.addRaw("objects", Reply.json(output.stdout))
      document.add("updated_at", printed.first?["updated_at"]?.string)
      document.addRaw("id_mappings", idMappings(created))
      return APIResponse(status: 200, body: document.text)
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
        throw .expectedType(field: "object_ids[\(index)]", code: "EXPECTED_STRING", found: element.typeName)
      }
      ids.append(id)
    }
    guard !ids.isEmpty, ids.count <= batchLimit else {
      throw .operation(
        .invalidValue(field: "object_ids", detail: "`object_ids` takes 1 to \(batchLimit) ids, not \(ids.count)."))
    }
    let wanted = ids
    return { store in
      APIResponse(status: 200, body: "{\"objects\":" + jsonArray(try store.objects(ids: wanted, type: .item)) + "}")
    }
  }

  /// `[{"client_object_id":"#…","object_id":"…"}]` for new objects and what their creation printed.
  static func idMappings(_ created: [(clientID: String, printed: String)]) -> String {
    jsonArray(
      created.compactMap { clientID, printed in
        guard let objectID = (try? JSONValue.parse(printed))?["id"]?.string else { return nil }
        var mapping = JSONObject()
        mapping.add("client_object_id", clientID)
        mapping.add("object_id", objectID)
        return mapping.text
      })
  }

  /// `GET /v2/catalog/object/{id}` → `{"object":…}`; with `catalog_version=V`, the item as
  /// it was at version V, from its history (a deleted item's last version says
  /// `"is_deleted":true`). `include_related_objects` is accepted: an item has no related
  /// objects here.
  static func retrieve(_ id: String, _ request: APIRequest) throws(APIError) -> Job {
    let query = try Query(
      request.query, known: ["include_related_objects", "include_category_path_to_root", "catalog_version"])
    guard let version = query["catalog_version"] else {
      return { store in Reply.wrapped(try store.get(id: id, type: .item), in: "object") }
    }
    return { store in
      let output: Output
      do {
        output = try store.get(id: id, atVersion: version)
      } catch OptimistError.invalidValue(field: "at_version", let detail) {
        throw OptimistError.invalidValue(field: "catalog_version", detail: detail)
      } catch OptimistError.versionNotFound(field: "at_version", let detail) {
        throw OptimistError.versionNotFound(field: "catalog_version", detail: detail)
      }
      // Customers keep versions too: on the catalog's path only an item is found.
      if output.exitCode == 0, (try? JSONValue.parse(output.stdout))?["type"]?.string != ObjectType.item.rawValue {
        throw OptimistError.notFound(id: id, field: "id")
      }
      return Reply.wrapped(output, in: "object")
    }
  }

  /// `DELETE /v2/catalog/object/{id}` → `{"deleted_object_ids":[…],"deleted_at":"…"}`.
  static func delete(_ id: String, _ request: APIRequest) throws(APIError) -> Job {
    _ = try Query(request.query, known: [])
    return { store in Reply.wrapped(try store.delete(id: id, version: nil, type: .item), in: nil) }
  }

  /// `GET /v2/catalog/list?types=ITEM&cursor=` → `{"objects":[…],"cursor":"…"}`; types other
  /// than ITEM have no objects here.
  static func list(_ request: APIRequest) throws(APIError) -> Job {
    let query = try Query(request.query, known: ["types", "cursor"])
    let types = query["types"].map { $0.split(separator: ",").map { $0.trimmingSpaces.uppercased() } }
    guard types?.contains(ObjectType.item.rawValue) ?? true else {
      return { _ in APIResponse(status: 200, body: #"{"objects":[]}"#) }
    }
    let list = try validated { () throws(OptimistError) in
      try ListRequest(type: ObjectType.item.rawValue, limit: nil, cursor: query["cursor"])
    }
    return { store in Reply.page(try store.listPage(list), in: "objects") }
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
