/// One SQL statement and the values bound to it, written once for every engine.
///
/// Values are interpolated and bound, never spliced into the text: `"… WHERE id = \(id)"`
/// binds `id`. Names (tables, columns) and the dialect's fragments go in with
/// `\(raw: text)`. The statement keeps where each placeholder stands, so an engine spells
/// them its own way (`SQLDialect.placeholder(at:)`) without scanning the text for them
/// (after vapor/sql-kit's `SQLQueryString` and GRDB's `SQL` literals).
public struct SQL: Sendable, ExpressibleByStringInterpolation {
  /// The text with SQLite's spelling of each placeholder, `?`.
  public private(set) var text: String
  /// The values, in placeholder order.
  public private(set) var values: [SQLValue]
  /// The UTF-8 offset of each placeholder's `?` in `text`.
  private var placeholders: [Int]

  /// A statement without values, or whose text is already complete.
  public init(stringLiteral text: String) {
    self.text = text
    values = []
    placeholders = []
  }

  /// A statement written out with its one placeholder last (`… WHERE id = ?`), and that
  /// placeholder's value: for the hottest reads, whose text is a constant.
  init(endingInPlaceholder text: String, _ value: SQLValue) {
    self.text = text
    values = [value]
    placeholders = [text.utf8.count - 1]
  }

  /// Appends `sql` to the text; it has no placeholders (a lock clause).
  func appending(raw sql: String) -> SQL {
    guard !sql.isEmpty else { return self }
    var joined = self
    joined.text += sql
    return joined
  }

  public init(stringInterpolation: StringInterpolation) {
    text = stringInterpolation.text
    values = stringInterpolation.values
    placeholders = stringInterpolation.placeholders
  }

  /// Builds a statement from literal text, bound values and spliced names.
  public struct StringInterpolation: StringInterpolationProtocol {
    var text: String
    var values: [SQLValue] = []
    var placeholders: [Int] = []

    public init(literalCapacity: Int, interpolationCount: Int) {
      text = ""
      text.reserveCapacity(literalCapacity + interpolationCount * 2)
      values.reserveCapacity(interpolationCount)
      placeholders.reserveCapacity(interpolationCount)
    }

    public mutating func appendLiteral(_ literal: String) { text += literal }

    /// Binds `value` at this place.
    public mutating func appendInterpolation(_ value: SQLValue) {
      placeholders.append(text.utf8.count)
      text += "?"
      values.append(value)
    }

    public mutating func appendInterpolation(_ value: String) { appendInterpolation(.text(value)) }
    public mutating func appendInterpolation(_ value: String?) {
      appendInterpolation(SQLValue(value))
    }
    public mutating func appendInterpolation(_ value: Int64) {
      appendInterpolation(.integer(value))
    }
    public mutating func appendInterpolation(_ value: Int) {
      appendInterpolation(.integer(Int64(value)))
    }

    /// Binds each of `values`, separated by commas (`IN (…)`, `VALUES (…)`).
    public mutating func appendInterpolation(list values: [SQLValue]) {
      for (index, value) in values.enumerated() {
        if index > 0 { text += ", " }
        appendInterpolation(value)
      }
    }

    /// Splices `sql` into the text as it is: a table or column name, or a dialect's fragment;
    /// never a value a user gave.
    public mutating func appendInterpolation(raw sql: String) { text += sql }

    /// Splices another statement, its values and placeholders with it.
    public mutating func appendInterpolation(_ sql: SQL) {
      placeholders += sql.placeholders.map { $0 + text.utf8.count }
      text += sql.text
      values += sql.values
    }
  }

  /// Appends `other`: its text, values and placeholders.
  public mutating func append(_ other: SQL) {
    let offset = text.utf8.count
    text += other.text
    values += other.values
    placeholders += other.placeholders.map { $0 + offset }
  }

  /// The two statements' text one after the other, and their values.
  public static func + (lhs: SQL, rhs: SQL) -> SQL {
    var joined = lhs
    joined.append(rhs)
    return joined
  }

  /// The text with `dialect`'s spelling of placeholders (PostgreSQL's `$1, $2, …`): each `?`
  /// this statement placed replaced, a `?` in a quoted literal left as it is. SQLite runs
  /// `text` as it is.
  public func text(in dialect: any SQLDialect) -> String {
    guard !placeholders.isEmpty else { return text }
    var spelled = ""
    spelled.reserveCapacity(text.utf8.count + placeholders.count * 3)
    let utf8 = Array(text.utf8)
    var start = 0
    for (index, offset) in placeholders.enumerated() {
      spelled += String(decoding: utf8[start..<offset], as: UTF8.self)
      spelled += dialect.placeholder(at: index + 1)
      start = offset + 1
    }
    spelled += String(decoding: utf8[start...], as: UTF8.self)
    return spelled
  }
}
