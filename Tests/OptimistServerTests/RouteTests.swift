import Testing

@testable import OptimistServer

/// Which endpoint a method and path reach; 404 and 405 as Square-style errors.
@Suite struct RouteTests {
  func refusal(_ method: String, _ target: String) -> APIError? {
    do throws(APIError) {
      _ = try Route.job(for: APIRequest(method: method, target: target))
      return nil
    } catch {
      return error
    }
  }

  @Test(arguments: [
    ("GET", "/v2/customers/ABC"), ("GET", "/v2/customers"), ("POST", "/v2/catalog/object"),
    ("GET", "/v2/catalog/object/ABC/"), ("GET", "/v2/catalog/list"),
    ("POST", "/v2/payments/cancel"),
    ("POST", "/v2/payments/ABC/complete"), ("POST", "/v2/payments/ABC/cancel"),
    ("GET", "/v2/refunds"),
    ("HEAD", "/v2/refunds/ABC"), ("DELETE", "/v2/customers/A%42C"),
  ])
  func everyServedPathIsRouted(_ method: String, _ path: String) {
    // Routed: a job, or the endpoint's own refusal of an empty body where it needs a member
    // (never 404 or 405).
    switch refusal(method, path) {
    case nil, .expectedJSONBody?: break
    case let other: Issue.record("\(method) \(path): \(String(describing: other))")
    }
  }

  @Test(arguments: [
    "/", "/v2", "/v2/customer", "/v2/customers/A/B", "/v1/customers", "/v2/catalog/objects",
    "/v2/payments//complete", "//v2/customers",
  ])
  func anUnknownPathIs404(_ path: String) {
    let error = refusal("GET", path)
    #expect(error?.status == 404, "\(String(describing: error))")
    #expect(error?.document.contains(#""code":"NOT_FOUND""#) == true)
  }

  @Test func aKnownPathWithAnotherMethodIs405AndSaysWhichItTakes() {
    let error = refusal("PATCH", "/v2/customers/ABC")
    #expect(
      error
        == .methodNotAllowed(
          method: "PATCH", path: "/v2/customers/ABC", allowed: ["GET", "PUT", "DELETE"]))
    #expect(error?.status == 405)
    #expect(error?.response.headers == ["Allow": "GET, PUT, DELETE"])
    #expect(refusal("DELETE", "/v2/payments")?.status == 405)
  }

  @Test func aRefusalThatLeavesTheBodyUnreadClosesTheConnection() {
    for error in [APIError.unauthorized, .bodyTooLarge(limit: 1), .malformedHTTP("x")] {
      #expect(error.response.headers == ["Connection": "close"], "\(error)")
    }
    #expect(refusal("GET", "/v2/nothing")?.response.headers == [:])
  }

  @Test func literalSegmentsWinOverIDs() {
    // POST /v2/payments/cancel is the cancel by key: its body needs `idempotency_key`.
    let error = refusal("POST", "/v2/payments/cancel")
    #expect(error == nil || error?.document.contains("idempotency_key") == true)
    #expect(
      refusal("POST", "/v2/payments/cancel")
        != .methodNotAllowed(method: "POST", path: "/v2/payments/cancel", allowed: ["GET", "PUT"]))
  }

  @Test func theQueryIsSplitAndDecoded() {
    let request = APIRequest(method: "GET", target: "/v2/customers?limit=5&cursor=A%2DB+C&flag")
    #expect(request.path == "/v2/customers")
    #expect(request.query.map(\.name) == ["limit", "cursor", "flag"])
    #expect(request.query.map(\.value) == ["5", "A-B C", ""])
    #expect(APIRequest.percentDecoded("%zz%4") == "%zz%4")
    #expect(APIRequest.percentDecoded("%FF") == "%FF")
    #expect(APIRequest.percentDecoded("a%2Fb") == "a/b")
  }
}
