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

  /// The HTTP status.
  public var status: Int {
    switch self {
    case .unauthorized: return 401
    case .noSuchPath: return 404
    case .methodNotAllowed: return 405
    case .bodyTooLarge: return 413
    case .expectedJSONBody, .expectedType, .unknownBodyParameter, .unknownQueryParameter: return 400
    case .operation(let error): return error.httpStatus
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
        category: invalid, code: "NOT_FOUND", detail: "optimist serves no endpoint at `\(path)`.",
        field: nil)
    case .methodNotAllowed(let method, let path, let allowed):
      return APIError.document(
        category: invalid, code: "METHOD_NOT_ALLOWED",
        detail: "`\(path)` does not take \(method); it takes \(allowed.joined(separator: ", ")).",
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
        detail: "`\(field)` must be \(article) \(wanted), not \(found).",
        field: field)
    case .unknownBodyParameter(let field, let known):
      return APIError.document(
        category: invalid, code: "UNKNOWN_BODY_PARAMETER",
        detail:
          "optimist does not take or store `\(field)` here; it takes \(APIError.list(known)).",
        field: field)
    case .unknownQueryParameter(let name, let known):
      return APIError.document(
        category: invalid, code: "UNKNOWN_QUERY_PARAMETER",
        detail:
          "optimist does not take the query parameter `\(name)` here; it takes "
          + (known.isEmpty ? "none" : APIError.list(known)) + ".",
        field: name)
    case .operation(let error):
      return error.document
    }
  }

  private static func list(_ names: [String]) -> String {
    names.map { "`\($0)`" }.joined(separator: ", ")
  }

  /// The answer to send.
  public var response: APIResponse { APIResponse(status: status, body: document) }

  static func document(category: String, code: String, detail: String, field: String?) -> String {
    var error = JSONObject()
    error.add("category", category)
    error.add("code", code)
    error.add("detail", detail)
    error.add("field", field)
    return #"{"errors":["# + error.text + "]}"
  }
}
