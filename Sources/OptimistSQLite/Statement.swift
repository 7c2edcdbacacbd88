import CSQLite
import OptimistCore

/// A compiled statement, finalized when released.
///
/// See <https://www.sqlite.org/c3ref/stmt.html>.
public final class Statement {
  private let connection: Connection
  private let handle: OpaquePointer
  let sql: String

  init(connection: Connection, sql: String) throws(SQLiteError) {
    var statement: OpaquePointer?
    let rc = sqlite3_prepare_v2(connection.handle, sql, -1, &statement, nil)
    guard rc == SQLITE_OK, let statement else {
      throw SQLiteError(
        connection: connection.handle, code: rc == SQLITE_OK ? SQLITE_MISUSE : rc, sql: sql)
    }
    self.connection = connection
    self.handle = statement
    self.sql = sql
  }

  deinit {
    sqlite3_finalize(handle)
  }

  /// Binds `values` to the parameters ?1, ?2, … in order.
  public func bind(_ values: [SQLValue]) throws(SQLiteError) {
    for (offset, value) in values.enumerated() {
      let index = Int32(offset + 1)
      let rc: Int32
      switch value {
      case .null:
        rc = sqlite3_bind_null(handle, index)
      case .integer(let number):
        rc = sqlite3_bind_int64(handle, index, number)
      case .text(let text):
        rc = text.withCString {
          sqlite3_bind_text(handle, index, $0, Int32(text.utf8.count), transientDestructor)
        }
      }
      guard rc == SQLITE_OK else { throw error(rc) }
    }
  }

  /// Steps once: the next row, or nil when the statement is done.
  public func step() throws(SQLiteError) -> Row? {
    let rc = sqlite3_step(handle)
    switch rc {
    case SQLITE_ROW:
      return Row(values: (0..<sqlite3_column_count(handle)).map(column))
    case SQLITE_DONE:
      return nil
    default:
      throw error(rc)
    }
  }

  /// All remaining rows.
  public func rows() throws(SQLiteError) -> [Row] {
    var rows: [Row] = []
    while let row = try step() { rows.append(row) }
    return rows
  }

  private func column(_ index: Int32) -> SQLValue {
    switch sqlite3_column_type(handle, index) {
    case SQLITE_NULL:
      return .null
    case SQLITE_INTEGER:
      return .integer(sqlite3_column_int64(handle, index))
    default:
      guard let bytes = sqlite3_column_text(handle, index) else { return .null }
      let count = Int(sqlite3_column_bytes(handle, index))
      return .text(String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self))
    }
  }

  private func error(_ rc: Int32) -> SQLiteError {
    SQLiteError(connection: connection.handle, code: rc, sql: sql)
  }
}

/// SQLITE_TRANSIENT: SQLite copies the bound bytes before the call returns.
private let transientDestructor = unsafeBitCast(
  OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
