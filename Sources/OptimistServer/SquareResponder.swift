import Hummingbird
import NIOCore

/// Hummingbird's side: every request, whatever its path, goes to `SquareAPI`, which routes
/// it. The token is checked before the body is read; the body is read up to the limit.
struct SquareResponder: HTTPResponder {
  typealias Context = BasicRequestContext

  let api: SquareAPI

  func respond(to request: Request, context: Context) async throws -> Response {
    guard api.authorizes(request.headers[.authorization]) else {
      return Self.response(APIError.unauthorized.response)
    }
    let limit = SquareAPI.maximumBodySize
    if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
      return Self.response(APIError.bodyTooLarge(limit: limit).response)
    }
    let body: ByteBuffer
    do {
      body = try await request.body.collect(upTo: limit)
    } catch {
      return Self.response(APIError.bodyTooLarge(limit: limit).response)
    }
    let target = request.uri.string
    let apiRequest = APIRequest(
      method: request.method.rawValue, target: target, body: Array(body.readableBytesView))
    return Self.response(await api.respond(to: apiRequest))
  }

  static func response(_ answer: APIResponse) -> Response {
    var headers = HTTPFields()
    headers[.contentType] = "application/json"
    return Response(
      status: HTTPResponse.Status(code: answer.status),
      headers: headers,
      body: ResponseBody(byteBuffer: ByteBuffer(string: answer.body)))
  }
}
