import OptimistCore

/// Square's Events API over the event feed (OptimistCore's Operations/Events.swift).
enum Events {
  /// `POST /v2/events` (SearchEvents): `{"cursor","limit","query":{"filter":{"event_types":
  /// […]},"sort":{"sort_field":"DEFAULT","order":"DESC"|"ASC"}}}` → `{"events":[…],
  /// "cursor":"…"}`, newest first unless `order` is ASC, as Square does; the cursor only while
  /// more events remain; `limit` 1-100, default 100.
  static func search(_ request: APIRequest) throws(APIError) -> Job {
    let body = try Body(request.body)
    try body.only(["cursor", "limit", "query"])
    let cursor = try body.string("cursor")
    let limit = try body.integer("limit") ?? Int64(EventsRequest.squareMaximumLimit)
    var types: [String] = []
    var newestFirst = true
    if let query = try body.object("query") {
      try query.only(["filter", "sort"])
      if let filter = try query.object("filter") {
        try filter.only(["event_types"])
        for (index, element) in (try filter.array("event_types") ?? []).enumerated() {
          guard let type = element.string else {
            throw .expectedType(
              field: "query.filter.event_types[\(index)]", code: "EXPECTED_STRING",
              found: element.typeName)
          }
          types.append(type)
        }
      }
      if let sort = try query.object("sort") {
        try sort.only(["sort_field", "order"])
        if let field = try sort.string("sort_field"), field != "DEFAULT" {
          throw .operation(
            .invalidValue(
              field: "query.sort.sort_field",
              detail: "`\(field)` is not a sort field: events sort by DEFAULT (their order)."))
        }
        switch try sort.string("order") {
        case nil, "DESC"?: newestFirst = true
        case "ASC"?: newestFirst = false
        case let other?:
          throw .operation(
            .invalidValue(
              field: "query.sort.order", detail: "`\(other)` is not an order: use ASC or DESC."))
        }
      }
    }
    guard (1...Int64(EventsRequest.squareMaximumLimit)).contains(limit) else {
      throw .operation(
        .invalidValue(
          field: "limit",
          detail: "`limit` must be from 1 to \(EventsRequest.squareMaximumLimit), not \(limit)."))
    }
    let search = try validated { () throws(OptimistError) in
      try EventsRequest(types: types, cursor: cursor, limit: Int(limit), newestFirst: newestFirst)
    }
    return { store in
      let page = try store.events(search)
      var document = JSONObject()
      document.addRaw("events", jsonArray(page.events.map(\.json)))
      if page.hasMore { document.add("cursor", page.cursor) }
      return APIResponse(status: 200, body: document.text)
    }
  }

  /// `GET /v2/events/types` → `{"event_types":[…],"metadata":[{"event_type","api_version"}]}`.
  static func types(_ request: APIRequest) throws(APIError) -> Job {
    _ = try Query(request.query, known: ["api_version"])
    var metadata: [String] = []
    for type in EventFeed.types {
      var entry = JSONObject(capacity: 64)
      entry.add("event_type", type)
      entry.add("api_version", EventFeed.apiVersion)
      metadata.append(entry.text)
    }
    var document = JSONObject()
    document.addRaw("event_types", jsonArray(EventFeed.types.map(JSONObject.quoted)))
    document.addRaw("metadata", jsonArray(metadata))
    let body = document.text
    return { _ in APIResponse(status: 200, body: body) }
  }
}
