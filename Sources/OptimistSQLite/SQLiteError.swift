import CSQLite
import OptimistCore

/// An error reported by SQLite, with its extended result code, message and statement.
///
/// See <https://www.sqlite.org/rescode.html>.
public struct SQLiteError: DatabaseError, Equatable, CustomStringConvertible {
  /// The extended result code (`sqlite3_extended_errcode`).
  public let code: Int32
  /// The message SQLite gave (`sqlite3_errmsg`), or the generic text of the code.
  public let message: String
  /// The SQL being run, when there was one.
  public let sql: String?

  public init(code: Int32, message: String, sql: String? = nil) {
    self.code = code
    self.message = message
    self.sql = sql
  }

  /// Reads the last error of a connection.
  init(connection: OpaquePointer?, code: Int32, sql: String? = nil) {
    let extended = connection.map { sqlite3_extended_errcode($0) } ?? code
    let text = connection.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
    self.init(
      code: (extended & 0xff) == (code & 0xff) ? extended : code,
      message: text ?? String(cString: sqlite3_errstr(code)),
      sql: sql)
  }

  /// The primary result code (the low byte of the extended one).
  public var primaryCode: Int32 { code & 0xff }

  /// SQLITE_BUSY or SQLITE_LOCKED: another connection holds the lock.
  public var isBusy: Bool { primaryCode == SQLITE_BUSY || primaryCode == SQLITE_LOCKED }

  /// Busy past the timeout is TEMPORARY_ERROR; anything else is a storage error.
  public func optimistError(timeout: Double) -> OptimistError {
    isBusy
      ? .busy(timeout: timeout)
      : .storage("The database could not be used: \(message) (SQLite code \(code)).")
  }

  public var description: String {
    var text = "SQLite error \(code): \(message)"
    if let sql { text += " (while running: \(sql))" }
    return text
  }
}
