import Hummingbird
import NIOCore

/// Hummingbird's side: every request, whatever its path, goes to `SquareAPI`, which routes
/// it. The token is checked before the body is read (`refusal(of:)`; `SquareChannel` answers
/// `Expect: 100-continue` only after it), then the body is read up to the limit (`answer`). A
/// refusal that leaves the body unread (401, 413) says `Connection: close`, and
/// `ConnectionGuard` closes the connection after it without reading the rest.
struct SquareResponder: Sendable {
  let api: SquareAPI

  /// The answer decided from the head alone, before any of the body is read: 401 for a
  /// missing or wrong token, 413 for a Content-Length over the limit. Nil: the body is read.
  func refusal(of request: Request) -> Response? {
    guard api.authorizes(request.headers[.authorization]) else {
      return Self.response(APIError.unauthorized.response)
    }
    let limit = SquareAPI.maximumBodySize
    if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
      return Self.response(APIError.bodyTooLarge(limit: limit).response)
    }
    return nil
  }

  /// Whether the client waits for `100 Continue` before it sends the body (`Expect:
  /// 100-continue`, as curl sends for bodies over 1 KiB): it is sent once `refusal(of:)` has
  /// let the request through, so a refused client never sends its body.
  static func expectsContinue(_ request: Request) -> Bool {
    request.headers[.expect]?.lowercased() == "100-continue"
  }

  /// The answer of a request `refusal(of:)` let through: its body read up to the limit, then
  /// the API's answer. Throws only when the connection failed or was closed while the body
  /// was read (a client gone, a body past `--body-timeout`): nothing is answered then.
  func answer(_ request: Request) async throws -> Response {
    let limit = SquareAPI.maximumBodySize
    let body: ByteBuffer
    do {
      body = try await request.body.collect(upTo: limit)
    } catch is NIOTooManyBytesError {
      return Self.response(APIError.bodyTooLarge(limit: limit).response)
    }
    let apiRequest = APIRequest(
      method: request.method.rawValue, target: request.uri.string,
      body: Array(body.readableBytesView))
    return Self.response(await api.respond(to: apiRequest))
  }

  static func response(_ answer: APIResponse) -> Response {
    var headers = HTTPFields()
    headers[.contentType] = "application/json"
    headers[.date] = HTTPDate.now()
    if let allow = answer.headers["Allow"] { headers[.allow] = allow }
    if let connection = answer.headers["Connection"] { headers[.connection] = connection }
    return Response(
      status: HTTPResponse.Status(code: answer.status),
      headers: headers,
      body: ResponseBody(byteBuffer: ByteBuffer(string: answer.body)))
  }
}
