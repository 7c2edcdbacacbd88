import OptimistCore

/// Everything a request can be refused for: the HTTP layer's own refusals, and every error of
/// the operations (`OptimistError`, whose statuses are `ExitStatus`'s table in OptimistCore).
public enum APIError: Error, Equatable {
  /// No `Authorization: Bearer …`, or another token (401, UNAUTHORIZED).
  case unauthorized
  /// No endpoint at this path (404, NOT_FOUND).
  case noSuchPath(String)
  /// The path exists, but not for this method (405, METHOD_NOT_ALLOWED).
  case methodNotAllowed(method: String, path: String, allowed: [String])
  /// The body is larger than `SquareAPI.maximumBodySize` (413, REQUEST_ENTITY_TOO_LARGE).
  case bodyTooLarge(limit: Int)
  /// The body is not one JSON object (400, EXPECTED_JSON_BODY).
  case expectedJSONBody(String)
  /// A value of the wrong JSON type (400, EXPECTED_STRING, EXPECTED_INTEGER, …).
  case expectedType(field: String, code: String, found: String)
  /// A body member optimist does not know or does not store (400, UNKNOWN_BODY_PARAMETER).
  case unknownBodyParameter(field: String, known: [String])
  /// A query parameter optimist does not know here (400, UNKNOWN_QUERY_PARAMETER).
  case unknownQueryParameter(name: String, known: [String])
  /// A refusal or failure of the operation itself.
  case operation(OptimistError)
  /// Bytes that are not an HTTP/1.1 request, or a head over the size limit (400, BAD_REQUEST);
  /// answered by the connection itself (`ConnectionGuard`), which then closes.
  case malformedHTTP(String)
  /// The body did not arrive within `--body-timeout` (408, REQUEST_TIMEOUT); the connection
  /// is closed after it.
  case requestTimeout(seconds: Double)

  /// The HTTP status.
  public var status: Int {
    switch self {
    case .unauthorized: return 401
    case .noSuchPath: return 404
    case .methodNotAllowed: return 405
    case .bodyTooLarge: return 413
    case .expectedJSONBody, .expectedType, .unknownBodyParameter, .unknownQueryParameter,
      .malformedHTTP:
      return 400
    case .requestTimeout: return 408
    case .operation(let error): return error.httpStatus
    }
  }

  /// The headers that come with the document: the methods a 405's path takes, and
  /// `Connection: close` where the rest of the request is not read (401, 413, 400 for
  /// malformed HTTP, 408).
  public var headers: [String: String] {
    switch self {
    case .methodNotAllowed(_, _, let allowed):
      return ["Allow": allowed.joined(separator: ", ")]
    case .unauthorized, .bodyTooLarge, .malformedHTTP, .requestTimeout:
      return ["Connection": "close"]
    default:
      return [:]
    }
  }

  /// Square's error document for this error.
  public var document: String {
    let invalid = "INVALID_REQUEST_ERROR"
    switch self {
    case .unauthorized:
      return APIError.document(
        category: "AUTHENTICATION_ERROR", code: "UNAUTHORIZED",
        detail:
          "This request needs the header `Authorization: Bearer TOKEN` with the server's token.",
        field: nil)
    case .noSuchPath(let path):
      return APIError.document(
        category: invalid, code: "NOT_FOUND",
        detail: "optimist serves no endpoint at `\(APIError.shown(path))`.",
        field: nil)
    case .methodNotAllowed(let method, let path, let allowed):
      return APIError.document(
        category: invalid, code: "METHOD_NOT_ALLOWED",
        detail:
          "`\(APIError.shown(path))` does not take \(APIError.shown(method)); it takes \(allowed.joined(separator: ", ")).",
        field: nil)
    case .bodyTooLarge(let limit):
      return APIError.document(
        category: invalid, code: "REQUEST_ENTITY_TOO_LARGE",
        detail: "The request body is larger than \(limit) bytes.", field: nil)
    case .expectedJSONBody(let detail):
      return APIError.document(
        category: invalid, code: "EXPECTED_JSON_BODY", detail: detail, field: nil)
    case .expectedType(let field, let code, let found):
      let wanted = code.hasPrefix("EXPECTED_") ? String(code.dropFirst(9)).lowercased() : code
      let article = wanted.first.map { "aeiou".contains($0) } == true ? "an" : "a"
      return APIError.document(
        category: invalid, code: code,
        detail:
          "`\(APIError.shown(field))` must be \(article) \(wanted), not \(APIError.shown(found)).",
        field: field)
    case .unknownBodyParameter(let field, let known):
      return APIError.document(
        category: invalid, code: "UNKNOWN_BODY_PARAMETER",
        detail:
          "optimist does not take or store `\(APIError.shown(field))` here; it takes \(APIError.list(known)).",
        field: field)
    case .unknownQueryParameter(let name, let known):
      return APIError.document(
        category: invalid, code: "UNKNOWN_QUERY_PARAMETER",
        detail:
          "optimist does not take the query parameter `\(APIError.shown(name))` here; it takes "
          + (known.isEmpty ? "none" : APIError.list(known)) + ".",
        field: name)
    case .operation(let error):
      guard
        error.detail.utf8.count > APIError.longestDetail
          || (error.field?.utf8.count ?? 0) > APIError.longestEcho
      else { return error.document }
      return APIError.document(
        category: error.category, code: error.code, detail: error.detail, field: error.field)
    case .malformedHTTP(let detail):
      return APIError.document(
        category: invalid, code: "BAD_REQUEST", detail: detail, field: nil)
    case .requestTimeout(let seconds):
      return APIError.document(
        category: invalid, code: "REQUEST_TIMEOUT",
        detail:
          "The request body did not arrive within \(APIError.seconds(seconds)) seconds (--body-timeout).",
        field: nil)
    }
  }

  /// The most of a client's own text an error repeats (a path, a member's name, a value),
  /// in characters; the rest is cut and marked `…`, so a huge input never makes a huge answer.
  static let longestEcho = 200
  /// The longest `detail` sent, in bytes, whatever it holds.
  static let longestDetail = 1000

  /// `text` as an error repeats it: at most `longestEcho` characters.
  static func shown(_ text: String, limit: Int = longestEcho) -> String {
    guard text.utf8.count > limit else { return text }
    return String(text.prefix(limit)) + "…"
  }

  /// `5`, `2.5`: a number of seconds as an option gives it.
  static func seconds(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
  }

  private static func list(_ names: [String]) -> String {
    names.map { "`\($0)`" }.joined(separator: ", ")
  }

  /// The answer to send.
  public var response: APIResponse {
    APIResponse(status: status, body: document, headers: headers)
  }

  /// The document; `detail` and `field` are cut to `longestDetail` and `longestEcho`.
  static func document(category: String, code: String, detail: String, field: String?) -> String {
    var error = JSONObject()
    error.add("category", category)
    error.add("code", code)
    error.add("detail", shown(detail, limit: longestDetail))
    error.add("field", field.map { shown($0) })
    return #"{"errors":["# + error.text + "]}"
  }
}
