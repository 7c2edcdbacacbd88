import CSQLite

/// One open SQLite database connection; closed when released.
///
/// See <https://www.sqlite.org/c3ref/open.html>.
public final class Connection {
  let handle: OpaquePointer

  /// Opens (and, with `create`, creates) the database file at `path`.
  public init(path: String, create: Bool = true) throws(SQLiteError) {
    var db: OpaquePointer?
    var flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
    if create { flags |= SQLITE_OPEN_CREATE }
    let rc = sqlite3_open_v2(path, &db, flags, nil)
    guard rc == SQLITE_OK, let db else {
      let error = SQLiteError(connection: db, code: rc)
      sqlite3_close_v2(db)
      throw error
    }
    handle = db
  }

  deinit {
    sqlite3_close_v2(handle)
  }

  /// The version of the SQLite library in use, e.g. 3040001 for 3.40.1.
  public static var libraryVersionNumber: Int32 { sqlite3_libversion_number() }

  /// The version of the SQLite library in use, e.g. "3.40.1".
  public static var libraryVersion: String { String(cString: sqlite3_libversion()) }

  /// Runs one or more statements that return no rows of interest.
  public func execute(_ sql: String) throws(SQLiteError) {
    let rc = sqlite3_exec(handle, sql, nil, nil, nil)
    guard rc == SQLITE_OK else { throw SQLiteError(connection: handle, code: rc, sql: sql) }
  }

  /// Compiles one statement.
  public func prepare(_ sql: String) throws(SQLiteError) -> Statement {
    try Statement(connection: self, sql: sql)
  }

  /// Runs one statement with `values` bound and returns its first row, if any.
  public func first(_ sql: String, _ values: [SQLValue] = []) throws(SQLiteError) -> Row? {
    let statement = try prepare(sql)
    try statement.bind(values)
    return try statement.step()
  }

  /// Runs one statement with `values` bound, ignoring any rows, and returns the changes count.
  @discardableResult
  public func run(_ sql: String, _ values: [SQLValue] = []) throws(SQLiteError) -> Int {
    let statement = try prepare(sql)
    try statement.bind(values)
    while try statement.step() != nil {}
    return Int(sqlite3_changes(handle))
  }

  /// Waits up to `milliseconds` for a lock held by another connection before SQLITE_BUSY.
  ///
  /// See <https://www.sqlite.org/c3ref/busy_timeout.html>.
  public func setBusyTimeout(milliseconds: Int32) throws(SQLiteError) {
    let rc = sqlite3_busy_timeout(handle, milliseconds)
    guard rc == SQLITE_OK else { throw SQLiteError(connection: handle, code: rc) }
  }

  /// Whether the connection is inside an explicit transaction.
  public var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }
}
