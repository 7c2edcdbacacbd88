import OptimistCore

/// A request body: one JSON object, read member by member with Square's type errors. An
/// empty body counts as `{}` where every member is optional, and is EXPECTED_JSON_BODY where
/// one is required. Every endpoint names the members it takes (`only`): anything else is
/// refused rather than silently dropped.
struct Body {
  let members: [JSONValue.Member]
  /// The path of this object in the request, `amount_money.` for a nested one.
  let prefix: String
  /// Whether the request had no body at all (only white space).
  let isEmpty: Bool

  init(_ bytes: [UInt8]) throws(APIError) {
    prefix = ""
    isEmpty = bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D })
    if isEmpty {
      members = []
      return
    }
    let parsed = bytes.withUnsafeBufferPointer { buffer in
      Result { () throws(OptimistError) in try JSONValue.parse(buffer) }
    }
    switch parsed {
    case .success(let value):
      guard let members = value.members else {
        throw .expectedJSONBody("The request body must be a JSON object, not \(value.typeName).")
      }
      self.members = members
    case .failure(let error):
      throw .expectedJSONBody(error.detail)
    }
  }

  init(members: [JSONValue.Member], prefix: String) {
    self.members = members
    self.prefix = prefix
    self.isEmpty = false
  }

  /// The member's value as written (`.null` included); nil when absent.
  func value(_ key: String) -> JSONValue? {
    members.first(where: { $0.key == key })?.value
  }

  /// Refuses any member not in `known`.
  func only(_ known: [String]) throws(APIError) {
    for member in members where !known.contains(member.key) {
      throw .unknownBodyParameter(field: prefix + member.key, known: known.map { prefix + $0 })
    }
  }

  /// A string member; absent or null is nil.
  func string(_ key: String) throws(APIError) -> String? {
    switch value(key) {
    case nil, .null?: return nil
    case .string(let text)?: return text
    case let other?:
      throw .expectedType(field: prefix + key, code: "EXPECTED_STRING", found: other.typeName)
    }
  }

  /// An integer member (no fraction or exponent, within 64 bits); absent or null is nil.
  func integer(_ key: String) throws(APIError) -> Int64? {
    switch value(key) {
    case nil, .null?: return nil
    case let value?:
      guard let integer = value.int64 else {
        // A number that is not a 64-bit integer is shown as written (`1.5`, `1e3`).
        let found: String
        if case .number(let text) = value { found = "`\(text)`" } else { found = value.typeName }
        throw .expectedType(field: prefix + key, code: "EXPECTED_INTEGER", found: found)
      }
      return integer
    }
  }

  /// A boolean member; absent or null is nil.
  func boolean(_ key: String) throws(APIError) -> Bool? {
    switch value(key) {
    case nil, .null?: return nil
    case .bool(let flag)?: return flag
    case let other?:
      throw .expectedType(field: prefix + key, code: "EXPECTED_BOOLEAN", found: other.typeName)
    }
  }

  /// An object member; absent or null is nil.
  func object(_ key: String) throws(APIError) -> Body? {
    switch value(key) {
    case nil, .null?: return nil
    case .object(let members)?: return Body(members: members, prefix: prefix + key + ".")
    case let other?:
      throw .expectedType(field: prefix + key, code: "EXPECTED_OBJECT", found: other.typeName)
    }
  }

  /// An array member; absent or null is nil.
  func array(_ key: String) throws(APIError) -> [JSONValue]? {
    switch value(key) {
    case nil, .null?: return nil
    case .array(let elements)?: return elements
    case let other?:
      throw .expectedType(field: prefix + key, code: "EXPECTED_ARRAY", found: other.typeName)
    }
  }

  /// A member that must be there (and not null); in an empty body, EXPECTED_JSON_BODY.
  func required<T>(_ key: String, _ read: (String) throws(APIError) -> T?) throws(APIError) -> T {
    guard let value = try read(key) else {
      if isEmpty {
        throw .expectedJSONBody(
          "The request body is empty; this endpoint takes a JSON object with `\(key)`.")
      }
      throw .operation(
        .missingRequiredParameter(field: prefix + key, detail: "`\(prefix + key)` is required."))
    }
    return value
  }

  /// `{"amount":N,"currency":"USD"}` (both are required); the amount's sign is the
  /// operation's to check.
  func money(_ key: String) throws(APIError) -> Money? {
    guard let money = try object(key) else { return nil }
    try money.only(["amount", "currency"])
    let amount = try money.required("amount", money.integer)
    let code = try money.required("currency", money.string)
    let currency = try validated { () throws(OptimistError) in try Currency(code) }
    return Money(amount: amount, currency: currency)
  }
}

/// Runs a validation of the operations', its error as the API's.
func validated<T>(_ body: () throws(OptimistError) -> T) throws(APIError) -> T {
  do throws(OptimistError) {
    return try body()
  } catch {
    throw .operation(error)
  }
}

/// The query's parameters, each known name at most once.
struct Query {
  let pairs: [(name: String, value: String)]

  /// Refuses a name not in `known`, and one given twice.
  init(_ pairs: [(name: String, value: String)], known: [String]) throws(APIError) {
    for (index, pair) in pairs.enumerated() {
      guard known.contains(pair.name) else {
        throw .unknownQueryParameter(name: pair.name, known: known)
      }
      if pairs[..<index].contains(where: { $0.name == pair.name }) {
        throw .operation(.invalidValue(field: pair.name, detail: "`\(pair.name)` is given twice."))
      }
    }
    self.pairs = pairs
  }

  subscript(name: String) -> String? { pairs.first(where: { $0.name == name })?.value }
}
