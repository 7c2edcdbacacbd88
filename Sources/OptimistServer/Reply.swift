import OptimistCore

/// A request's work against the store, run on a worker that owns a connection (`StorePool`):
/// one operation, so one transaction.
typealias Job = @Sendable (any StoreEngine) throws -> APIResponse

/// Square's response documents, built from the operations' typed answers.
enum Reply {
  /// `{"<key>":<object>}` (the object as it is when `key` is nil), status 200; an answer that
  /// comes with a refusal is that refusal's status and Square's document with both the
  /// errors and the object, as Square sends a declined payment (402):
  /// `{"errors":[…],"payment":{…}}`.
  static func wrapped(_ answer: some Answer, in key: String?) -> APIResponse {
    let object = answer.json
    guard let refusal = answer.refusal else {
      return APIResponse(status: 200, body: key.map { wrap(object, in: $0) } ?? object)
    }
    guard let key, !object.isEmpty else {
      return APIResponse(status: refusal.httpStatus, body: refusal.document)
    }
    var document = JSONObject()
    document.addRaw("errors", refusal.errors)
    document.addRaw(key, object)
    return APIResponse(status: refusal.httpStatus, body: document.text)
  }

  /// A keyed operation's answer: the value produced now, as `wrapped` shows it, or the
  /// first answer to the key, rebuilt from what the CLI printed then (the same bytes on
  /// both surfaces: a key is shared by the CLI and the server).
  static func wrapped<Value>(_ keyed: Keyed<Value>, in key: String?) -> APIResponse {
    switch keyed {
    case .new(let value):
      return wrapped(value, in: key)
    case .replayed(let answer):
      return replayed(answer, in: key)
    }
  }

  /// A stored answer as the server shows it: its JSON lines without their newline, its
  /// status from its exit code.
  static func replayed(_ answer: StoredAnswer, in key: String?) -> APIResponse {
    let object = line(answer.stdout)
    let status = answer.status.httpStatus
    guard answer.status != .success else {
      return APIResponse(status: status, body: key.map { wrap(object, in: $0) } ?? object)
    }
    let errors = line(answer.stderr)
    guard let key, !object.isEmpty, errors.hasSuffix("}") else {
      return APIResponse(status: status, body: errors)
    }
    return APIResponse(status: status, body: errors.dropLast() + "," + member(key, object) + "}")
  }

  /// A success whose document is built here: `{"customers":[…],"cursor":"…"}` and the like.
  static func page(_ page: ListPage, in key: String) -> APIResponse {
    APIResponse(status: 200, body: page.json(key: key))
  }

  /// `{"<key>":<json>}`.
  static func wrap(_ json: String, in key: String) -> String { "{" + member(key, json) + "}" }

  private static func member(_ key: String, _ json: String) -> String {
    JSONObject.quoted(key) + ":" + json
  }

  /// A printed JSON line without its newline.
  private static func line(_ text: String) -> String {
    text.hasSuffix("\n") ? String(text.dropLast()) : text
  }
}
