/// Square's paths that optimist serves, and which endpoint a request is for.
///
/// A path that exists with another method is 405 (METHOD_NOT_ALLOWED), any other 404.
/// Literal segments win over `{id}` (`POST /v2/payments/cancel` is the cancel by key).
enum Route {
  /// One endpoint: its method, its path with `{id}` for the one variable segment, and how a
  /// request to it becomes a job.
  struct Endpoint: Sendable {
    let method: String
    let pattern: [String]
    let prepare: @Sendable (_ id: String, _ request: APIRequest) throws(APIError) -> Job

    init(
      _ method: String, _ path: String,
      _ prepare: @escaping @Sendable (_ id: String, _ request: APIRequest) throws(APIError) -> Job
    ) {
      self.method = method
      self.pattern = path.split(separator: "/").map(String.init)
      self.prepare = prepare
    }

    init(
      _ method: String, _ path: String,
      _ prepare: @escaping @Sendable (APIRequest) throws(APIError) -> Job
    ) {
      self.init(method, path) { (_: String, request: APIRequest) throws(APIError) -> Job in
        try prepare(request)
      }
    }

    /// The `{id}` segment's value (empty when there is none), or nil when `segments` is not this path.
    func match(_ segments: [String]) -> String? {
      guard segments.count == pattern.count else { return nil }
      var id = ""
      for (segment, part) in zip(segments, pattern) {
        if part == "{id}" {
          guard !segment.isEmpty else { return nil }
          id = segment
        } else if segment != part {
          return nil
        }
      }
      return id
    }

    var literalCount: Int { pattern.filter { $0 != "{id}" }.count }
  }

  /// Every endpoint; README's table lists the same.
  static let endpoints: [Endpoint] = [
    Endpoint("POST", "/v2/customers", Customers.create),
    Endpoint("GET", "/v2/customers", Customers.list),
    Endpoint("GET", "/v2/customers/{id}", Customers.retrieve),
    Endpoint("PUT", "/v2/customers/{id}", Customers.update),
    Endpoint("DELETE", "/v2/customers/{id}", Customers.delete),
    Endpoint("POST", "/v2/catalog/object", Catalog.upsert),
    Endpoint("GET", "/v2/catalog/object/{id}", Catalog.retrieve),
    Endpoint("DELETE", "/v2/catalog/object/{id}", Catalog.delete),
    Endpoint("GET", "/v2/catalog/list", Catalog.list),
    Endpoint("POST", "/v2/catalog/batch-upsert", Catalog.batchUpsert),
    Endpoint("POST", "/v2/catalog/batch-retrieve", Catalog.batchRetrieve),
    Endpoint("POST", "/v2/payments", Payments.create),
    Endpoint("GET", "/v2/payments", Payments.list),
    Endpoint("POST", "/v2/payments/cancel", Payments.cancelByKey),
    Endpoint("GET", "/v2/payments/{id}", Payments.retrieve),
    Endpoint("PUT", "/v2/payments/{id}", Payments.update),
    Endpoint("POST", "/v2/payments/{id}/complete", Payments.complete),
    Endpoint("POST", "/v2/payments/{id}/cancel", Payments.cancel),
    Endpoint("POST", "/v2/refunds", Refunds.create),
    Endpoint("GET", "/v2/refunds", Refunds.list),
    Endpoint("GET", "/v2/refunds/{id}", Refunds.retrieve),
    Endpoint("POST", "/v2/events", Events.search),
    Endpoint("GET", "/v2/events/types", Events.types),
    Endpoint("GET", "/v2/webhooks/event-types", Events.types),
    Endpoint("POST", "/v2/webhooks/subscriptions", Webhooks.create),
    Endpoint("GET", "/v2/webhooks/subscriptions", Webhooks.list),
    Endpoint("GET", "/v2/webhooks/subscriptions/{id}", Webhooks.retrieve),
    Endpoint("PUT", "/v2/webhooks/subscriptions/{id}", Webhooks.update),
    Endpoint("DELETE", "/v2/webhooks/subscriptions/{id}", Webhooks.delete),
    Endpoint("POST", "/v2/webhooks/subscriptions/{id}/signature-key", Webhooks.rotateKey),
    Endpoint("POST", "/v2/webhooks/subscriptions/{id}/test", Webhooks.test),
  ]

  /// The job for `request`, or the reason there is none (404, 405, or the request's own
  /// refusal: a malformed body, a bad value).
  static func job(for request: APIRequest) throws(APIError) -> Job {
    var segments = request.path.split(separator: "/", omittingEmptySubsequences: false).map {
      APIRequest.percentDecoded(String($0))
    }
    // "/v2/customers" splits into "", "v2", "customers"; a trailing slash is allowed.
    if segments.first == "" { segments.removeFirst() }
    if segments.count > 1, segments.last == "" { segments.removeLast() }
    let matches = endpoints.compactMap { endpoint in endpoint.match(segments).map { (endpoint, $0) }
    }
    guard !matches.isEmpty else { throw .noSuchPath(request.path) }
    let method = request.method == "HEAD" ? "GET" : request.method
    let candidates = matches.filter { $0.0.method == method }
    guard let (endpoint, id) = candidates.max(by: { $0.0.literalCount < $1.0.literalCount }) else {
      var allowed: [String] = []
      for (endpoint, _) in matches where !allowed.contains(endpoint.method) {
        allowed.append(endpoint.method)
      }
      throw .methodNotAllowed(method: request.method, path: request.path, allowed: allowed)
    }
    return try endpoint.prepare(id, request)
  }
}
