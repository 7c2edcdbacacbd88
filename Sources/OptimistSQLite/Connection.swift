import CSQLite
import OptimistCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// One open SQLite database connection; closed when released.
///
/// See <https://www.sqlite.org/c3ref/open.html>.
public final class Connection: Database {
  let handle: OpaquePointer
  /// The busy handler's state; it lives as long as the connection.
  private let busyWait = UnsafeMutablePointer<BusyWait>.allocate(capacity: 1)

  /// Opens (and, with `create`, creates) the database file at `path`.
  public init(path: String, create: Bool = true) throws(SQLiteError) {
    _ = Connection.configureSQLite
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
    busyWait.deallocate()
  }

  public var dialect: any SQLDialect { SQLiteDialect() }

  /// Process-wide settings, made once, before the first connection (`sqlite3_config` must
  /// come before SQLite initializes): memory statistics off. optimist never reads them
  /// (`sqlite3_memory_used`, a soft heap limit), and without them an allocation takes no
  /// global mutex: opening a store and parsing its schema makes hundreds (SQLite's
  /// recommended SQLITE_DEFAULT_MEMSTATUS=0, <https://www.sqlite.org/compile.html>).
  /// SQLITE_MISUSE means SQLite had initialized already (the power-loss build registers its
  /// VFS first): the statistics then stay on, which changes nothing but speed.
  private static let configureSQLite: Void = {
    let rc = optimist_sqlite3_config_memstatus(0)
    assert(rc == SQLITE_OK || rc == SQLITE_MISUSE, "sqlite3_config(MEMSTATUS): \(rc)")
  }()

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

  /// Runs one statement with `values` bound and returns every row.
  public func rows(_ sql: String, _ values: [SQLValue] = []) throws(SQLiteError) -> [Row] {
    let statement = try prepare(sql)
    try statement.bind(values)
    return try statement.rows()
  }

  /// Runs one statement with `values` bound, ignoring any rows, and returns the changes count.
  @discardableResult
  public func run(_ sql: String, _ values: [SQLValue] = []) throws(SQLiteError) -> Int {
    let statement = try prepare(sql)
    try statement.bind(values)
    while try statement.step() != nil {}
    return Int(sqlite3_changes(handle))
  }

  /// Runs `statement` (the `Database` requirement): SQLite spells placeholders `?`, as
  /// `SQL` writes them.
  public func first(_ statement: SQL) throws(SQLiteError) -> Row? {
    try first(statement.text, statement.values)
  }

  public func rows(_ statement: SQL) throws(SQLiteError) -> [Row] {
    try rows(statement.text, statement.values)
  }

  @discardableResult
  public func run(_ statement: SQL) throws(SQLiteError) -> Int {
    try run(statement.text, statement.values)
  }

  /// Waits up to `milliseconds` for a lock held by another connection before SQLITE_BUSY,
  /// trying again after a random 0.5 ms to 1, 2, 4, 8, then 10 ms.
  ///
  /// SQLite's own `sqlite3_busy_timeout` sleeps 1, 2, 5, 10, … up to 100 ms between tries:
  /// with many processes taking turns at one lock, an unlucky one waits half a second or
  /// more while the lock changes hands many times (BENCHMARKS.md, longest lock wait). The
  /// jitter keeps the waiting processes from waking together. See <https://www.sqlite.org/c3ref/busy_handler.html>.
  public func setBusyTimeout(milliseconds: Int32) throws(SQLiteError) {
    busyWait.pointee = BusyWait(timeout: UInt64(max(0, milliseconds)) * 1_000_000, start: 0)
    let rc = sqlite3_busy_handler(handle, busyHandler, UnsafeMutableRawPointer(busyWait))
    guard rc == SQLITE_OK else { throw SQLiteError(connection: handle, code: rc) }
  }

  /// Whether `PRAGMA query_only` is on: then any statement that would change the database
  /// fails with SQLITE_READONLY. Set by `setQueryOnly`, or by whoever ran the pragma.
  /// See <https://www.sqlite.org/pragma.html#pragma_query_only>.
  var isQueryOnly = false

  /// Turns `PRAGMA query_only` on or off; runs nothing when it already is.
  func setQueryOnly(_ on: Bool) throws(SQLiteError) {
    guard on != isQueryOnly else { return }
    try execute(on ? "PRAGMA query_only = 1" : "PRAGMA query_only = 0")
    isQueryOnly = on
  }

  /// Whether the connection is inside an explicit transaction.
  public var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

  /// Whether the main database's header says WAL (bytes 18 and 19 are 2,
  /// <https://www.sqlite.org/fileformat.html>), read through SQLite's own open file: a
  /// descriptor of our own would drop the process's locks when closed (DatabasePath.prepare
  /// says why). False for a file too short to have a header.
  /// See <https://www.sqlite.org/c3ref/c_fcntl_begin_atomic_write.html#sqlitefcntlfilepointer>.
  public var headerSaysWAL: Bool {
    var file: UnsafeMutablePointer<sqlite3_file>?
    guard sqlite3_file_control(handle, "main", SQLITE_FCNTL_FILE_POINTER, &file) == SQLITE_OK,
      let file, let read = file.pointee.pMethods?.pointee.xRead
    else { return false }
    var versions: (UInt8, UInt8) = (0, 0)
    let rc = withUnsafeMutableBytes(of: &versions) { read(file, $0.baseAddress, 2, 18) }
    return rc == SQLITE_OK && (versions.0 == 2 || versions.1 == 2)
  }
}

/// How long the busy handler may wait, and since when the current lock has been waited for.
struct BusyWait {
  var timeout: UInt64
  var start: UInt64
}

/// Called by SQLite while a lock is held elsewhere: sleep briefly and try again (non-zero),
/// or give up with SQLITE_BUSY (zero) once the timeout has passed since the first try.
private let busyHandler: @convention(c) (UnsafeMutableRawPointer?, Int32) -> Int32 = {
  context, count in
  guard let wait = context?.assumingMemoryBound(to: BusyWait.self) else { return 0 }
  var now = timespec()
  clock_gettime(CLOCK_MONOTONIC, &now)
  let nanoseconds = UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
  if count == 0 { wait.pointee.start = nanoseconds }
  guard nanoseconds - wait.pointee.start < wait.pointee.timeout else { return 0 }
  let ceiling = min(UInt32(1000) << UInt32(min(count, 4)), 10_000)
  usleep(UInt32.random(in: 500...ceiling))
  return 1
}
