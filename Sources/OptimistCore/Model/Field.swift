/// A field that commands may set: its JSON name (also its column name) and what it holds.
public struct Field: Sendable, Equatable {
  public enum Kind: Sendable, Equatable {
    /// Text of at most `maxLength` Unicode scalars.
    case text(maxLength: Int)
    /// `true` or `false`.
    case boolean
  }

  public let name: String
  public let kind: Kind

  public init(_ name: String, _ kind: Kind) {
    self.name = name
    self.kind = kind
  }

  /// Turns a command-line value into a stored one: nil clears the field.
  ///
  /// An empty value clears an optional field, as `--unset` does.
  public func parse(_ raw: String) throws(OptimistError) -> FieldValue? {
    if raw.isEmpty { return nil }
    switch kind {
    case .text(let maxLength):
      return .text(try Values.text(raw, field: name, maxLength: maxLength) ?? raw)
    case .boolean:
      return try Values.boolean(raw, field: name).map(FieldValue.boolean)
    }
  }
}

/// A stored field value.
public enum FieldValue: Sendable, Equatable {
  case text(String)
  case boolean(Bool)

  var sqlValue: SQLValue {
    switch self {
    case .text(let text): return .text(text)
    case .boolean(let flag): return .integer(flag ? 1 : 0)
    }
  }

  init?(_ value: SQLValue, kind: Field.Kind) {
    switch (value, kind) {
    case (.text(let text), .text): self = .text(text)
    case (.integer(let number), .boolean): self = .boolean(number != 0)
    default: return nil
    }
  }
}
