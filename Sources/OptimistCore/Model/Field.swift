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

extension Field {
  /// Every field of every type, customers' then items' (the names are distinct).
  public static var all: [Field] { Customer.fields + CatalogItem.fields }

  /// The field with this JSON name, of whatever type; nil for a name no type has.
  public static func named(_ name: String) -> Field? {
    for field in Customer.fields where field.name == name { return field }
    for field in CatalogItem.fields where field.name == name { return field }
    return nil
  }

  /// Turns a JSON value (`edit`'s output, a `batch` operation) into a stored one, by the
  /// same rules as `parse`: a string for a text field (an empty one clears it), `true` or
  /// `false` for a boolean; `null` clears the field. Anything else is refused, saying what
  /// was expected.
  public func value(json: JSONValue, path: String? = nil) throws(OptimistError) -> FieldValue? {
    let path = path ?? name
    switch (kind, json) {
    case (_, .null):
      return nil
    case (.text, .string(let text)):
      do throws(OptimistError) {
        return try parse(text)
      } catch {
        if case .valueTooLong(_, let maximum) = error {
          throw .valueTooLong(field: path, maximum: maximum)
        }
        throw error
      }
    case (.boolean, .bool(let flag)):
      return .boolean(flag)
    case (.boolean, _):
      throw .expectedBoolean(field: path, value: json.text)
    case (.text, _):
      throw .invalidValue(
        field: path,
        detail: "`\(path)` must be a JSON string, not \(json.typeName) (`\(json.text)`).")
    }
  }
}

extension FieldValues {
  /// The values of a new object of `type` given as text (`create-customer --given-name …`,
  /// a form of the server's), as (JSON field name, value) in the order given: each parsed
  /// by its field (`Field.parse`); an empty value is no value.
  public init(_ type: ObjectType, given: [(String, String?)]) throws(OptimistError) {
    self.init()
    for field in type.fields {
      guard let text = given.first(where: { $0.0 == field.name })?.1 else { continue }
      if let value = try field.parse(text) { self[field.name] = value }
    }
  }
}

/// One typed change of a field: the value to store, or nil to remove it. `update`, `edit`,
/// `batch` and the server all apply lists of these (Update.swift).
public struct FieldChange: Sendable, Equatable {
  public let field: Field
  public let value: FieldValue?

  public init(_ field: Field, _ value: FieldValue?) {
    self.field = field
    self.value = value
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
public struct FieldValues: Sendable, Equatable, Encodable, ExpressibleByDictionaryLiteral {
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

  /// The values by name: `{"given_name":"Ada","note":"VIP"}` (fingerprints sort the names).
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: Name.self)
    for entry in entries { try container.encode(entry.value, forKey: Name(entry.name)) }
  }

  private struct Name: CodingKey {
    let stringValue: String
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    var intValue: Int? { nil }
    init?(intValue: Int) { nil }
  }

  /// The same fields with the same values, in any order.
  public static func == (a: FieldValues, b: FieldValues) -> Bool {
    a.entries.count == b.entries.count && a.entries.allSatisfy { b[$0.name] == $0.value }
  }
}
