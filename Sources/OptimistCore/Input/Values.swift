/// Parsers for values given as text at an edge (the command line, a query string) that are
/// not object fields: each turns the text into its typed value once, or refuses it with the
/// error the user sees. Nothing below the edges parses text again.
public enum Values {
  /// A version: a whole number from 0 to 2^63-1.
  public static func version(_ raw: String?, field: String = "version") throws(OptimistError)
    -> Int64?
  {
    guard let raw else { return nil }
    guard let version = wholeNumber(raw) else { throw badVersion(raw, field: field) }
    return try self.version(version, field: field, given: raw)
  }

  /// A version given as a number (a JSON body's): from 0 to 2^63-1.
  public static func version(
    _ number: Int64, field: String = "version", given: String? = nil
  ) throws(OptimistError) -> Int64 {
    guard number >= 0 else { throw badVersion(given ?? String(number), field: field) }
    return number
  }

  private static func badVersion(_ given: String, field: String) -> OptimistError {
    .invalidValue(
      field: field, detail: "`\(field)` must be a whole number of at least 0, not `\(given)`.")
  }

  /// A page size: a whole number from 1 to `ListRequest.maximumLimit`, by default
  /// `ListRequest.defaultLimit`.
  public static func limit(_ raw: String?) throws(OptimistError) -> Int {
    guard let raw else { return ListRequest.defaultLimit }
    guard let number = wholeNumber(raw), (1...Int64(ListRequest.maximumLimit)).contains(number)
    else {
      throw .invalidValue(
        field: "limit",
        detail:
          "`limit` must be a whole number from 1 to \(ListRequest.maximumLimit), not `\(raw)`.")
    }
    return Int(number)
  }

  /// A count of at least 1.
  public static func count(_ raw: String, field: String) throws(OptimistError) -> Int64 {
    guard let count = wholeNumber(raw), count >= 1 else {
      throw .invalidValue(
        field: field, detail: "`\(field)` must be a whole number of at least 1, not `\(raw)`.")
    }
    return count
  }

  /// Digits only (an optional leading minus), within Int64; no spaces, signs or exponents.
  public static func wholeNumber(_ raw: String) -> Int64? {
    let digits = raw.hasPrefix("-") ? raw.dropFirst() : Substring(raw)
    guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
    return Int64(raw)
  }

  /// Optional text checked against its limit; empty text is refused.
  public static func text(_ raw: String?, field: String, maxLength: Int) throws(OptimistError)
    -> String?
  {
    guard let raw else { return nil }
    if raw.isEmpty {
      throw .invalidValue(field: field, detail: "`\(field)` must not be empty.")
    }
    guard raw.unicodeScalars.count <= maxLength else {
      throw .valueTooLong(field: field, maximum: maxLength)
    }
    return raw
  }

  /// `true` or `false`.
  public static func boolean(_ raw: String?, field: String) throws(OptimistError) -> Bool? {
    guard let raw else { return nil }
    switch raw {
    case "true": return true
    case "false": return false
    default: throw .expectedBoolean(field: field, value: raw)
    }
  }
}

extension Values {
  /// A duration such as `90s`, `30m`, `24h` or `7d`, in milliseconds.
  public static func duration(_ raw: String, field: String) throws(OptimistError) -> Int64 {
    let units: [Character: Int64] = ["s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000]
    guard let unit = raw.last.flatMap({ units[$0] }),
      let count = wholeNumber(String(raw.dropLast())),
      !raw.hasPrefix("-"), count <= Int64.max / unit
    else {
      throw .invalidValue(
        field: field,
        detail: "`\(raw)` is not a duration: use a whole number and s, m, h or d, e.g. 24h.")
    }
    return count * unit
  }
}
