import OptimistCore

/// The Customers API: create, retrieve, update (sparse, with `version`), delete (`?version=`)
/// and list, as Square's `/v2/customers` paths.
enum Customers {
  static let fields = Customer.fields.map(\.name)

  /// `POST /v2/customers` → `{"customer":…}`; `idempotency_key` as `create-customer --key`.
  static func create(_ request: APIRequest) throws(APIError) -> Job {
    let body = try Body(request.body)
    try body.only(["idempotency_key"] + fields)
    var given: [(String, String?)] = []
    for name in fields {
      if let value = try body.string(name) { given.append((name, value)) }
    }
    let key = try body.string("idempotency_key")
    let create = try validated { () throws(OptimistError) in
      try CreateRequest(
        type: .customer, values: FieldValues(.customer, given: given), key: IdempotencyKey(key))
    }
    return { store in Reply.wrapped(try store.create(create), in: "customer") }
  }

  /// `GET /v2/customers/{id}` → `{"customer":…}`; an id of another type is NOT_FOUND.
  static func retrieve(_ id: String, _ request: APIRequest) throws(APIError) -> Job {
    _ = try Query(request.query, known: [])
    return { store in Reply.wrapped(try store.get(id: id, type: .customer), in: "customer") }
  }

  /// `PUT /v2/customers/{id}`: Square's sparse update. A field given is set, a field given as
  /// null is removed, others are left; `version` is the one read (VERSION_MISMATCH, 400, when
  /// stale), absent meaning the latest.
  static func update(_ id: String, _ request: APIRequest) throws(APIError) -> Job {
    let body = try Body(request.body)
    try body.only(fields + ["version"])
    var changes: [FieldChange] = []
    for field in Customer.fields {
      guard let value = body.value(field.name) else { continue }
      if value == .null {
        changes.append(FieldChange(field, nil))
      } else if let text = try body.string(field.name) {
        changes.append(
          FieldChange(field, try validated { () throws(OptimistError) in try field.parse(text) }))
      }
    }
    guard !changes.isEmpty else {
      if body.isEmpty {
        throw .expectedJSONBody(
          "The request body is empty; this endpoint takes a JSON object with the fields to change.")
      }
      throw .operation(
        .missingRequiredParameter(
          field: nil, detail: "Nothing to update: give a field's new value, or null to remove it."))
    }
    let number = try body.integer("version")
    let update = try validated { () throws(OptimistError) in
      let version = try number.map { (number) throws(OptimistError) in
        try Values.version(number)
      }
      return try UpdateRequest(id: id, version: version, changes: changes, type: .customer)
    }
    return { store in Reply.wrapped(try store.update(update), in: "customer") }
  }

  /// `DELETE /v2/customers/{id}?version=V` → `{}`.
  static func delete(_ id: String, _ request: APIRequest) throws(APIError) -> Job {
    let query = try Query(request.query, known: ["version"])
    let version = try validated { () throws(OptimistError) in try Values.version(query["version"]) }
    let delete = DeleteRequest(id: id, version: version, type: .customer)
    return { store in
      _ = try store.delete(delete)
      return APIResponse(status: 200, body: "{}")
    }
  }

  /// `GET /v2/customers?limit=&cursor=` → `{"customers":[…],"cursor":"…"}`, in creation order.
  static func list(_ request: APIRequest) throws(APIError) -> Job {
    let query = try Query(request.query, known: ["limit", "cursor"])
    let list = try validated { () throws(OptimistError) in
      try ListRequest(type: .customer, limit: Values.limit(query["limit"]), cursor: query["cursor"])
    }
    return { store in Reply.page(try store.list(list), in: "customers") }
  }
}
