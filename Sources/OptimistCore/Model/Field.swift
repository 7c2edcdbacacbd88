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

/// An object's values by JSON name; a field without a value is absent.
///
/// A small array, not a `Dictionary`: an object has at most seven fields, found faster by
/// looking than by hashing, and a dictionary's generic storage costs a `get` a runtime
/// protocol-conformance lookup (`String: Hashable`) that walks every conformance record of
/// the static binary (BENCHMARKS.md).
public struct FieldValues: Sendable, Equatable, ExpressibleByDictionaryLiteral {
  private struct Entry: Sendable, Equatable {
    let name: String
    var value: FieldValue
  }

  private var entries: [Entry] = []

  public init() {}

  public init(dictionaryLiteral elements: (String, FieldValue)...) {
    for (name, value) in elements { self[name] = value }
  }

  /// The value of the field with this JSON name; setting nil removes it.
  public subscript(name: String) -> FieldValue? {
    get {
      for entry in entries where entry.name == name { return entry.value }
      return nil
    }
    set {
      if let index = entries.firstIndex(where: { $0.name == name }) {
        if let newValue { entries[index].value = newValue } else { entries.remove(at: index) }
      } else if let newValue {
        entries.append(Entry(name: name, value: newValue))
      }
    }
  }

  public var count: Int { entries.count }

  /// The same fields with the same values, in any order.
  public static func == (a: FieldValues, b: FieldValues) -> Bool {
    a.entries.count == b.entries.count && a.entries.allSatisfy { b[$0.name] == $0.value }
  }
}
