/// A PostgreSQL URL as optimist shows it: never with its password.
///
/// libpq reads the password from the URL (`postgresql://user:secret@host/db`), its
/// `password=` parameter, `$PGPASSWORD` or `.pgpass`; only the first two are in the text
/// optimist holds, and both are masked wherever the URL or a message could repeat them.
public struct PostgresURL: Sendable {
  /// The URL as given.
  let url: String
  /// The passwords in it, as written and percent-decoded.
  let secrets: [String]

  public init(_ url: String) {
    self.url = url
    var secrets: [String] = []
    if let scheme = url.firstRange(of: "://") {
      let rest = url[scheme.upperBound...]
      let authority = rest.prefix { $0 != "/" && $0 != "?" }
      if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") {
        secrets.append(String(authority[authority.index(after: colon)..<at]))
      }
    }
    if let query = url.firstIndex(of: "?") {
      for pair in url[url.index(after: query)...].split(separator: "&") {
        if pair.hasPrefix("password=") { secrets.append(String(pair.dropFirst(9))) }
      }
    }
    self.secrets = (secrets + secrets.map(PostgresURL.percentDecoded)).filter { !$0.isEmpty }
  }

  /// The URL with every password replaced by `***`.
  public var redacted: String { redact(url) }

  /// `text` with every password replaced by `***`.
  public func redact(_ text: String) -> String {
    var text = text
    for secret in secrets.sorted(by: { $0.count > $1.count }) {
      text = text.replacing(secret, with: "***")
    }
    return text
  }

  static func percentDecoded(_ text: String) -> String {
    var bytes: [UInt8] = []
    var iterator = Array(text.utf8)[...]
    while let byte = iterator.popFirst() {
      if byte == UInt8(ascii: "%"), iterator.count >= 2,
        let value = UInt8(String(decoding: iterator.prefix(2), as: UTF8.self), radix: 16)
      {
        bytes.append(value)
        iterator = iterator.dropFirst(2)
      } else {
        bytes.append(byte)
      }
    }
    return String(decoding: bytes, as: UTF8.self)
  }
}
