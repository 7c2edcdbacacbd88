/// A value bound to, or read from, a statement.
public enum SQLValue: Equatable, Sendable {
  case null
  case integer(Int64)
  case text(String)
}

extension SQLValue {
  /// `.text(value)`, or `.null` for nil.
  public init(_ value: String?) { self = value.map { .text($0) } ?? .null }
}

/// One row of a result, its columns read by index.
public struct Row {
  let values: [SQLValue]

  public init(values: [SQLValue]) { self.values = values }

  public subscript(_ index: Int) -> SQLValue { values[index] }

  public func text(_ index: Int) -> String? {
    if case .text(let value) = values[index] { return value }
    return nil
  }

  public func integer(_ index: Int) -> Int64? {
    if case .integer(let value) = values[index] { return value }
    return nil
  }
}
