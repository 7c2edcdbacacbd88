import CSQLite

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The database of one command: opened on first use, every command one transaction.
///
/// Writes begin with `BEGIN IMMEDIATE` so that a read-then-write transaction never fails at
/// once with SQLITE_BUSY; every lock waits up to the timeout. See
/// <https://www.sqlite.org/lang_transaction.html>.
public final class Store {
  /// The database file.
  public let path: String
  /// How long to wait for a lock held by another process, in seconds.
  public let timeout: Double
  private var opened: Connection?

  /// A store at `path`; nothing is opened or created until a transaction needs it.
  public init(path: String, timeout: Double) {
    self.path = path
    self.timeout = timeout
  }

  /// Runs `body` in a write transaction with the schema brought up to date.
  ///
  /// `body` returning commits; `body` throwing rolls everything back.
  public func write<T>(_ body: (Connection) throws -> T) throws -> T {
    let connection = try connect()
    try connection.execute("BEGIN IMMEDIATE")
    var createdSchema = false
    let result: T
    do {
      let version = try schemaVersion(connection)
      if version < Migration.latest {
        try Migration.apply(from: version, on: connection)
        createdSchema = version == 0
      }
      result = try body(connection)
      try connection.execute("COMMIT")
    } catch {
      rollback(connection)
      throw error
    }
    if createdSchema { try useWALWhereSafe(connection) }
    return result
  }

  /// Runs `body` in a read transaction; a database that needs its schema gets it first.
  public func read<T>(_ body: (Connection) throws -> T) throws -> T {
    let connection = try connect()
    try connection.execute("BEGIN")
    do {
      if try schemaVersion(connection) < Migration.latest {
        try connection.execute("COMMIT")
        try write { _ in }
        try connection.execute("BEGIN")
      }
      let result = try body(connection)
      try connection.execute("COMMIT")
      return result
    } catch {
      rollback(connection)
      throw error
    }
  }

  private func connect() throws -> Connection {
    if let opened { return opened }
    // A new database and its journal are private to their owner (0600, folders 0700).
    umask(0o077)
    try DatabasePath.prepare(path)
    let connection = try Connection(path: path)
    try connection.setBusyTimeout(milliseconds: Int32(min(timeout * 1000, Double(Int32.max))))
    // A command that printed success has its change on disk.
    try connection.execute("PRAGMA synchronous = FULL")
    opened = connection
    return connection
  }

  private func schemaVersion(_ connection: Connection) throws -> Int {
    let version = Int(try connection.first("PRAGMA user_version")?.integer(0) ?? 0)
    guard version <= Migration.latest else {
      throw OptimistError.storage(
        "The database has schema version \(version), newer than this optimist knows "
          + "(\(Migration.latest)): use a newer optimist.")
    }
    return version
  }

  /// Switches a new database to WAL only where SQLite has fixed the WAL-reset bug
  /// (3.51.3, <https://sqlite.org/wal.html#walresetbug>); older versions keep the rollback
  /// journal, which is safe for many writers.
  private func useWALWhereSafe(_ connection: Connection) throws {
    if Store.walIsSafe { try connection.execute("PRAGMA journal_mode = WAL") }
  }

  /// Whether this SQLite is new enough for WAL with concurrent writers.
  public static var walIsSafe: Bool { Connection.libraryVersionNumber >= 3_051_003 }

  private func rollback(_ connection: Connection) {
    if connection.isInTransaction { try? connection.execute("ROLLBACK") }
  }
}
