import OptimistCore

/// The Customers API: create, retrieve, update (sparse, with `version`), delete (`?version=`)
/// and list, as Square's `/v2/customers` paths.
enum Customers {
  static let fields = Customer.fields.map(\.name)

  /// `POST /v2/customers` → `{"customer":…}`; `idempotency_key` as `create-customer --key`.
  static func create(_ request: APIRequest) throws(APIError) -> Job {
    let body = try Body(request.body)
    try body.only(["idempotency_key"] + fields)
    var raw: [(String, String?)] = []
    for name in fields {
      if let value = try body.string(name) { raw.append((name, value)) }
    }
    let key = try body.string("idempotency_key")
    let create = try validated { () throws(OptimistError) in try CreateRequest(type: .customer, raw: raw, key: key) }
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
    var set: [String] = []
    var unset: [String] = []
    for name in fields {
      guard let value = body.value(name) else { continue }
      if value == .null {
        unset.append(name)
      } else if let text = try body.string(name) {
        set.append(name + "=" + text)
      }
    }
    guard !set.isEmpty || !unset.isEmpty else {
      throw .operation(
        .missingRequiredParameter(
          field: nil, detail: "Nothing to update: give a field's new value, or null to remove it."))
    }
    let version = try body.integer("version").map { String($0) }
    let update = try validated { () throws(OptimistError) in
      try UpdateRequest(id: id, version: version, set: set, unset: unset, type: .customer)
    }
    return { store in Reply.wrapped(try store.update(update), in: "customer") }
  }

  /// `DELETE /v2/customers/{id}?version=V` → `{}`.
  static func delete(_ id: String, _ request: APIRequest) throws(APIError) -> Job {
    let query = try Query(request.query, known: ["version"])
    let version = query["version"]
    return { store in
      var reply = Reply.wrapped(try store.delete(id: id, version: version, type: .customer), in: nil)
      if reply.status == 200 { reply.body = "{}" }
      return reply
    }
  }

  /// `GET /v2/customers?limit=&cursor=` → `{"customers":[…],"cursor":"…"}`, in creation order.
  static func list(_ request: APIRequest) throws(APIError) -> Job {
    let query = try Query(request.query, known: ["limit", "cursor"])
    let list = try validated { () throws(OptimistError) in
      try ListRequest(type: ObjectType.customer.rawValue, limit: query["limit"], cursor: query["cursor"])
    }
    return { store in Reply.page(try store.listPage(list), in: "customers") }
  }
}
