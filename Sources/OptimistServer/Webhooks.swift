import OptimistCore

/// Square's Webhook Subscriptions API; the subscriptions live in the store, and
/// `WebhookWorker` delivers the feed's events to them.
enum Webhooks {
  /// `POST /v2/webhooks/subscriptions` → `{"subscription":…}` with its `signature_key`.
  static func create(_ request: APIRequest) throws(APIError) -> Job {
    let body = try Body(request.body)
    try body.only(["idempotency_key", "subscription"])
    let key = try body.string("idempotency_key")
    let subscription = try body.required("subscription", body.object)
    let create = try fields(subscription, key: key, creating: true)
    return { store in
      Reply.wrapped(try store.createWebhookSubscription(create), in: "subscription")
    }
  }

  /// `GET /v2/webhooks/subscriptions?include_disabled=&sort_order=&limit=` →
  /// `{"subscriptions":[…]}`, every one fitting in a page (at most 100).
  static func list(_ request: APIRequest) throws(APIError) -> Job {
    let query = try Query(request.query, known: ["include_disabled", "sort_order", "limit"])
    let includeDisabled: Bool
    switch query["include_disabled"] {
    case nil, "false"?: includeDisabled = false
    case "true"?: includeDisabled = true
    case let other?:
      throw .operation(
        .invalidValue(field: "include_disabled", detail: "`\(other)` is not true or false."))
    }
    let newestFirst: Bool
    switch query["sort_order"] {
    case nil, "ASC"?: newestFirst = false
    case "DESC"?: newestFirst = true
    case let other?:
      throw .operation(.invalidValue(field: "sort_order", detail: "`\(other)` is not ASC or DESC."))
    }
    let limit = try validated { () throws(OptimistError) in
      guard let text = query["limit"] else { return 100 }
      return try Values.limit(text)
    }
    guard limit <= 100 else {
      throw .operation(.invalidValue(field: "limit", detail: "`limit` must be from 1 to 100."))
    }
    return { store in
      let found = try store.webhookSubscriptions(
        includeDisabled: includeDisabled, limit: limit, newestFirst: newestFirst)
      var document = JSONObject()
      document.addRaw("subscriptions", jsonArray(found.map(\.json)))
      return APIResponse(status: 200, body: document.text)
    }
  }

  /// `GET /v2/webhooks/subscriptions/{id}` → `{"subscription":…}`.
  static func retrieve(_ id: String, _ request: APIRequest) throws(APIError) -> Job {
    _ = try Query(request.query, known: [])
    return { store in Reply.wrapped(try store.webhookSubscription(id: id), in: "subscription") }
  }

  /// `PUT /v2/webhooks/subscriptions/{id}` `{"subscription":{…}}` → `{"subscription":…}`.
  static func update(_ id: String, _ request: APIRequest) throws(APIError) -> Job {
    let body = try Body(request.body)
    try body.only(["subscription"])
    let update = try fields(
      try body.object("subscription") ?? Body(members: [], prefix: "subscription."), key: nil,
      creating: false)
    return { store in
      Reply.wrapped(try store.updateWebhookSubscription(id: id, update), in: "subscription")
    }
  }

  /// `DELETE /v2/webhooks/subscriptions/{id}` → `{}`.
  static func delete(_ id: String, _ request: APIRequest) throws(APIError) -> Job {
    _ = try Query(request.query, known: [])
    return { store in
      try store.deleteWebhookSubscription(id: id)
      return APIResponse(status: 200, body: "{}")
    }
  }

  /// `POST /v2/webhooks/subscriptions/{id}/signature-key` → `{"signature_key":"…"}`.
  static func rotateKey(_ id: String, _ request: APIRequest) throws(APIError) -> Job {
    let body = try Body(request.body)
    try body.only(["idempotency_key"])
    return { store in
      var document = JSONObject()
      document.add("signature_key", try store.rotateWebhookSignatureKey(id: id))
      return APIResponse(status: 200, body: document.text)
    }
  }

  /// `POST /v2/webhooks/subscriptions/{id}/test` `{"event_type":…}` → sends a test event
  /// now, signed as any delivery, once, and answers `{"subscription_test_result":{"id",
  /// "status_code","payload","created_at","updated_at"}}` (no status code: no answer).
  static func test(_ id: String, _ request: APIRequest) throws(APIError) -> Job {
    let body = try Body(request.body)
    try body.only(["event_type"])
    let type = try body.string("event_type")
    if let type, !EventFeed.types.contains(type) {
      throw .operation(
        .invalidValue(field: "event_type", detail: "`\(type)` is not an event type."))
    }
    return { store in
      let subscription = try store.webhookSubscription(id: id)
      let event = EventFeed.testEvent(type: type ?? subscription.eventTypes.first ?? "")
      let now = Timestamp.now()
      let outcome = WebhookWorker.post(
        event, to: subscription.notificationURL, key: subscription.signatureKey, retry: 0,
        firstAttempt: now)
      var status: Int64?
      switch outcome {
      case .answered(let code): status = Int64(code)
      case .noAnswer(let reason):
        // Square's answer has no room for why: the server's log has it.
        let origin =
          (try? WebhookURL(subscription.notificationURL))?.origin ?? "the subscription's URL"
        Server.write(
          "optimist-serve: webhook test to \(origin) (subscription \(subscription.id)): "
            + "\(reason)\n", to: 2)
      }
      var result = JSONObject()
      result.add("id", "wbhktr_" + ObjectID.make().lowercased())
      result.add("status_code", status)
      result.add("payload", event)
      result.add("created_at", now.rfc3339)
      result.add("updated_at", now.rfc3339)
      return APIResponse(status: 200, body: Reply.wrap(result.text, in: "subscription_test_result"))
    }
  }

  /// A subscription's members: name, enabled, event_types, notification_url, api_version.
  private static func fields(_ body: Body, key: String?, creating: Bool) throws(APIError)
    -> WebhookSubscriptionRequest
  {
    try body.only(["name", "enabled", "event_types", "notification_url", "api_version"])
    var types: [String]?
    if let elements = try body.array("event_types") {
      types = []
      for (index, element) in elements.enumerated() {
        guard let type = element.string else {
          throw .expectedType(
            field: body.prefix + "event_types[\(index)]", code: "EXPECTED_STRING",
            found: element.typeName)
        }
        types?.append(type)
      }
    }
    let name = try body.string("name")
    let enabled = try body.boolean("enabled")
    let url = try body.string("notification_url")
    let version = try body.string("api_version")
    return try validated { () throws(OptimistError) in
      var idempotencyKey: IdempotencyKey?
      if let key { idempotencyKey = try IdempotencyKey(key) }
      var notificationURL: WebhookURL?
      if let url { notificationURL = try WebhookURL(url) }
      return try WebhookSubscriptionRequest(
        key: idempotencyKey, name: name, enabled: enabled, eventTypes: types,
        notificationURL: notificationURL, apiVersion: version, creating: creating)
    }
  }
}
