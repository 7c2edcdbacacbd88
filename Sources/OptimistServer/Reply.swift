import OptimistCore

/// A request's work against the store, run on a worker that owns a connection (`StorePool`):
/// one operation, so one transaction.
typealias Job = @Sendable (any StoreEngine) throws -> APIResponse

/// Square's response documents, built from what an operation printed.
enum Reply {
  /// The operation's JSON with its trailing newline removed.
  static func json(_ text: String) -> String {
    text.hasSuffix("\n") ? String(text.dropLast()) : text
  }

  /// `{"<key>":<object>}` for a success (the object as it is when `key` is nil); a refusal the
  /// operation answered (a replayed one among them) as its error document and status.
  ///
  /// A declined payment is 402 with both the errors and the FAILED payment, as Square sends
  /// them: `{"errors":[…],"payment":{…}}`.
  static func wrapped(_ output: Output, in key: String?) -> APIResponse {
    let object = json(output.stdout)
    guard output.status != .success else {
      return APIResponse(status: 200, body: key.map { "{\(JSONObject.quoted($0)):\(object)}" } ?? object)
    }
    let errors = json(output.stderr)
    let status = output.status.httpStatus
    guard let key, !object.isEmpty, errors.hasSuffix("}") else {
      return APIResponse(status: status, body: errors)
    }
    return APIResponse(status: status, body: errors.dropLast() + ",\(JSONObject.quoted(key)):\(object)}")
  }

  /// A success whose document is built here: `{"customers":[…],"cursor":"…"}` and the like.
  static func page(_ page: ListPage, in key: String) -> APIResponse {
    var document = JSONObject()
    document.addRaw(key, jsonArray(page.objects))
    document.add("cursor", page.cursor)
    return APIResponse(status: 200, body: document.text)
  }
}
