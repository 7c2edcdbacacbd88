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

  /// `GET /v2/catalog/object/{id}` → `{"object":…}`. `include_related_objects` is accepted:
  /// an item has no related objects here.
  static func retrieve(_ id: String, _ request: APIRequest) throws(APIError) -> Job {
    let query = try Query(request.query, known: ["include_related_objects", "include_category_path_to_root"])
    _ = query
    return { store in Reply.wrapped(try store.get(id: id, type: .item), in: "object") }
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
