/// One HTTP request as the API sees it: no sockets, no Hummingbird types, so that routing,
/// mapping and errors are tested without a server.
public struct APIRequest: Sendable {
  /// `GET`, `POST`, `PUT`, `DELETE`, … as sent.
  public var method: String
  /// The path without the query, percent-escapes still in it (`Routes` decodes segments).
  public var path: String
  /// The query's parameters, decoded, in order.
  public var query: [(name: String, value: String)]
  /// The body's bytes (at most `SquareAPI.maximumBodySize`).
  public var body: [UInt8]

  public init(
    method: String, path: String, query: [(name: String, value: String)] = [], body: [UInt8] = []
  ) {
    self.method = method
    self.path = path
    self.query = query
    self.body = body
  }

  /// `path?query` split, the query decoded (`+` is a space, `%XX` a byte).
  public init(method: String, target: String, body: [UInt8] = []) {
    let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
    self.init(
      method: method, path: String(parts.first ?? ""),
      query: parts.count > 1 ? APIRequest.parseQuery(String(parts[1])) : [], body: body)
  }

  /// `a=1&b=two` into its pairs; a pair without `=` has an empty value.
  public static func parseQuery(_ query: String) -> [(name: String, value: String)] {
    query.split(separator: "&").map { pair in
      let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      return (
        percentDecoded(String(parts[0]), plusIsSpace: true),
        parts.count > 1 ? percentDecoded(String(parts[1]), plusIsSpace: true) : ""
      )
    }
  }

  /// `text` with `%XX` escapes decoded (and `+` as a space in a query); a malformed escape or
  /// bytes that are not UTF-8 are kept as written, so an id is never silently changed into
  /// another valid one.
  public static func percentDecoded(_ text: String, plusIsSpace: Bool = false) -> String {
    guard
      text.utf8.contains(where: {
        $0 == UInt8(ascii: "%") || (plusIsSpace && $0 == UInt8(ascii: "+"))
      })
    else { return text }
    var bytes: [UInt8] = []
    var iterator = Array(text.utf8)[...]
    while let byte = iterator.popFirst() {
      if byte == UInt8(ascii: "+") && plusIsSpace {
        bytes.append(UInt8(ascii: " "))
      } else if byte == UInt8(ascii: "%"), iterator.count >= 2,
        let high = hexValue(iterator[iterator.startIndex]),
        let low = hexValue(iterator[iterator.startIndex + 1])
      {
        bytes.append(high << 4 | low)
        iterator = iterator.dropFirst(2)
      } else {
        bytes.append(byte)
      }
    }
    return String(validating: bytes, as: UTF8.self) ?? text
  }

  private static func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
    default: return nil
    }
  }
}

/// An answer: a status and one JSON document.
public struct APIResponse: Sendable, Equatable {
  public var status: Int
  /// The JSON body, without a trailing newline.
  public var body: String
  /// Headers besides `Content-Type` and `Content-Length`: `Allow`, `Connection` (the only two
  /// `SquareResponder` sends).
  public var headers: [String: String]

  public init(status: Int, body: String, headers: [String: String] = [:]) {
    self.status = status
    self.body = body
    self.headers = headers
  }
}
