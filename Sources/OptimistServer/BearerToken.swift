import OptimistCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The server's one access token, checked on every request in constant time. Its text is
/// never logged, and no error names it.
public struct BearerToken: Sendable {
  private let secret: [UInt8]

  /// A token of printable ASCII with no spaces (what fits an `Authorization` header), 1 to
  /// 1024 characters; anything else is refused with a reason that does not repeat it.
  public init(_ token: String) throws(OptimistError) {
    let bytes = Array(token.utf8)
    guard !bytes.isEmpty, bytes.count <= 1024, bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
      throw .invalidValue(
        field: "token",
        detail: "The token must be 1 to 1024 printable ASCII characters without spaces.")
    }
    secret = bytes
  }

  /// Whether `header` is `Bearer <this token>` (the scheme in any case, RFC 9110 §11.1).
  ///
  /// Every byte of the token is compared whatever the first difference, so the time taken
  /// does not tell an attacker how much of a guess was right.
  public func accepts(_ header: String?) -> Bool {
    guard let header else { return false }
    let given = Array(header.utf8)
    let scheme = Array("bearer".utf8)
    guard given.count > scheme.count + 1, zip(given, scheme).allSatisfy({ $0 | 0x20 == $1 }),
      given[scheme.count] == UInt8(ascii: " ")
    else { return false }
    let candidate = given[(scheme.count + 1)...]
    var difference = UInt8(candidate.count == secret.count ? 0 : 1)
    for index in 0..<secret.count {
      let byte = index < candidate.count ? candidate[candidate.startIndex + index] : 0
      difference |= byte ^ secret[index]
    }
    return difference == 0
  }

  /// A new token: 32 bytes from /dev/urandom, as 64 hex digits.
  public static func generate() throws(OptimistError) -> String {
    guard let file = fopen("/dev/urandom", "rb") else {
      throw .storage("/dev/urandom cannot be opened to make a token.")
    }
    defer { fclose(file) }
    var bytes = [UInt8](repeating: 0, count: 32)
    guard fread(&bytes, 1, bytes.count, file) == bytes.count else {
      throw .storage("/dev/urandom did not give 32 bytes for a token.")
    }
    let digits = Array("0123456789abcdef".utf8)
    return String(
      decoding: bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0xF)]] }, as: UTF8.self)
  }

  /// The token from `--token-file` (its first line), else `$OPTIMIST_TOKEN`, else a new one;
  /// `generated` says whether it is new (and so must be shown once).
  public static func resolve(
    tokenFile: String?, environment: String?
  ) throws(OptimistError) -> (token: BearerToken, text: String, generated: Bool) {
    if let tokenFile {
      let text = try readFirstLine(tokenFile)
      return (try BearerToken(text), text, false)
    }
    if let environment, !environment.isEmpty {
      return (try BearerToken(environment), environment, false)
    }
    let text = try generate()
    return (try BearerToken(text), text, true)
  }

  /// The first line of a small file, without its line end.
  static func readFirstLine(_ path: String) throws(OptimistError) -> String {
    guard let file = fopen(path, "rb") else {
      throw .storage(
        "The token file `\(path)` cannot be read (\(String(cString: strerror(errno)))).")
    }
    defer { fclose(file) }
    var bytes = [UInt8](repeating: 0, count: 4097)
    let count = fread(&bytes, 1, bytes.count, file)
    var line = bytes[..<count].prefix { $0 != 0x0A }
    if line.last == 0x0D { line = line.dropLast() }
    guard let text = String(validating: line, as: UTF8.self) else {
      throw .invalidValue(field: "token", detail: "The token file `\(path)` is not UTF-8 text.")
    }
    return text
  }
}
