import CSQLite
import OptimistCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The SQLite store of one command (the default engine): opened on first use, every command
/// one transaction.
///
/// Writes begin with `BEGIN IMMEDIATE` so that a read-then-write transaction never fails at
/// once with SQLITE_BUSY; every lock waits up to the timeout. See
/// <https://www.sqlite.org/lang_transaction.html>. Reads run with `PRAGMA query_only` on, so
/// a read transaction cannot change the database (as GRDB's read-only access): a read's new
/// connection sets it with the pragmas every connection runs, and it is switched only when
/// the same connection (the server's workers keep theirs) goes from reads to writes or back.
public final class SQLiteStore: StoreEngine {
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

  /// Opens SQLite stores for `Engines.sqlite`.
  public static func open(path: String, timeout: Double) -> any StoreEngine {
    SQLiteStore(path: path, timeout: timeout)
  }

  /// The schema version this binary writes (`PRAGMA user_version`).
  static var latest: Int { Migration.sqlite.last?.number ?? 0 }

  /// Whether there was no database file, so that an empty in-memory one stood in for it.
  public private(set) var isMissing = false

  /// Runs `body` in a write transaction with the schema brought up to date.
  ///
  /// `body` returning commits; `body` throwing rolls everything back. Without `creating`, a
  /// missing database is not created: `body` runs against an empty one in memory (an update
  /// of an object in a database that does not exist is simply NOT_FOUND).
  public func write<T>(creating: Bool, _ body: (WriteTransaction) throws -> T) throws -> T {
    let connection = try connect(creating: creating, queryOnly: false)
    return try transaction(connection, "BEGIN IMMEDIATE") {
      let createdSchema = try migrate(connection)
      let result = try WriteTransaction.perform(on: connection, body)
      return (result, createdSchema)
    }
  }

  /// Every transaction ends with its COMMIT: nothing is left for later.
  public func idle() {}

  /// Runs `body` in a read transaction, where any write fails (SQLITE_READONLY); a database
  /// that needs its schema gets it first, and a missing one is not created (an empty one in
  /// memory stands in).
  public func read<T>(_ body: (ReadTransaction) throws -> T) throws -> T {
    let connection = try connect(creating: false, queryOnly: true)
    return try transaction(connection, "BEGIN") {
      if try schemaVersion(connection) < SQLiteStore.latest {
        // Reads cannot migrate: take the write lock for that, then read afresh.
        try connection.execute("COMMIT")
        try connection.setQueryOnly(false)
        try transaction(connection, "BEGIN IMMEDIATE") { ((), try migrate(connection)) }
        try connection.setQueryOnly(true)
        try connection.execute("BEGIN")
      }
      return (try body(ReadTransaction(connection)), false)
    }
  }

  /// Runs `body` between `begin` and COMMIT, or ROLLBACK when it throws; `body` also says
  /// whether it created the schema, so that a new file can switch to WAL after COMMIT.
  private func transaction<T>(
    _ connection: Connection, _ begin: String, _ body: () throws -> (T, Bool)
  ) throws -> T {
    try connection.execute(begin)
    let result: T
    let createdSchema: Bool
    do {
      (result, createdSchema) = try body()
      try connection.execute("COMMIT")
    } catch {
      if connection.isInTransaction { try? connection.execute("ROLLBACK") }
      throw error
    }
    if createdSchema && !isMissing && SQLiteStore.walIsSafe {
      // Best effort: the command has committed, and a busy database keeps its journal.
      try? connection.execute("PRAGMA journal_mode = WAL")
    }
    return result
  }

  /// Applies the migrations this database lacks; the caller holds the write lock, and the
  /// version is read again under it. Returns whether the schema was created from nothing.
  private func migrate(_ connection: Connection) throws -> Bool {
    let version = try schemaVersion(connection)
    guard version < SQLiteStore.latest else { return false }
    try Migration.apply(Migration.sqlite, from: version, on: connection)
    return version == 0
  }

  /// The store's connection, opened on first use, with `PRAGMA query_only` as `queryOnly`
  /// says. See <https://www.sqlite.org/pragma.html#pragma_query_only>.
  private func connect(creating: Bool, queryOnly: Bool) throws -> Connection {
    if let opened {
      try opened.setQueryOnly(queryOnly)
      return opened
    }
    // A new database and its journal are private to their owner (0600, folders 0700).
    umask(0o077)
    let state = try DatabasePath.prepare(path, creating: creating)
    isMissing = state == .missing && !creating
    // The stand-in for a missing file is not kept: the next command may find the file.
    let connection = try Connection(path: isMissing ? ":memory:" : path)
    try connection.setBusyTimeout(milliseconds: Int32(min(timeout * 1000, Double(Int32.max))))
    // Whether the file uses WAL, read through SQLite's own file: optimist never opens the
    // database file itself (DatabasePath.prepare says why).
    let usesWAL = state == .existing && connection.headerSaysWAL
    if usesWAL && !SQLiteStore.walIsSafe,
      try connection.first("PRAGMA user_version")?.integer(0) ?? 0 > 0
    {
      // This SQLite has the WAL-reset bug: take an optimist database back to the rollback
      // journal (another program's file is refused, untouched, by the schema check).
      let mode = SQLiteStore.durability.journalMode
      guard try connection.first("PRAGMA journal_mode = \(mode)")?.text(0) == mode else {
        throw OptimistError.storage(
          "`\(path)` uses WAL, which SQLite \(Connection.libraryVersion) can corrupt with "
            + "concurrent writers, and it could not be switched back to the rollback journal.")
      }
    }
    // A command that printed success has its change on disk (Durability.swift). A file in
    // WAL mode is either ours and switched above where WAL is unsafe, or another program's,
    // which the schema check refuses untouched. A read's connection refuses writes from the
    // start: its pragma runs with these, last (the journal mode is set before it).
    let pragmas = SQLiteStore.durability.pragmas(keepingWAL: usesWAL)
    try connection.execute(queryOnly ? pragmas + "; PRAGMA query_only = 1" : pragmas)
    connection.isQueryOnly = queryOnly
    if !isMissing { opened = connection }
    return connection
  }

  private func schemaVersion(_ connection: Connection) throws -> Int {
    let version = Int(try connection.first("PRAGMA user_version")?.integer(0) ?? 0)
    if version == 0, try connection.first("SELECT count(*) FROM sqlite_master")?.integer(0) != 0 {
      throw OptimistError.storage(
        "`\(path)` is a SQLite database of another program (it has tables but no optimist "
          + "schema); optimist leaves it alone.")
    }
    try Migration.refuseNewer(version, than: SQLiteStore.latest)
    return version
  }

  /// Between looks, polls `PRAGMA data_version` (it changes when another connection commits;
  /// each poll is a moment's shared lock, no transaction is held), sleeping 1 ms, then twice
  /// as long each time up to 100 ms, so a change is seen promptly and a long wait costs about
  /// ten polls a second. See <https://www.sqlite.org/pragma.html#pragma_data_version>.
  public func watch<T>(id: String, until deadline: Deadline, _ check: () throws -> T?) throws -> T?
  {
    while true {
      let connection = try connect(creating: false, queryOnly: true)
      let seen = try dataVersion(connection)
      if let found = try check() { return found }
      // At most one look once the deadline has passed, however busy the store. A missing
      // file's stand-in never changes: look again every 100 ms until the file is there
      // (`events --follow` on a store no command has written yet).
      var pause: UInt64 = isMissing ? 100_000_000 : 1_000_000
      while try dataVersion(connection) == seen || deadline.hasPassed {
        let left = deadline.remaining ?? UInt64.max
        guard left > 0 else { return nil }
        var rest = timespec(tv_sec: 0, tv_nsec: Int(min(pause, left)))
        var unslept = timespec()
        while nanosleep(&rest, &unslept) != 0 && errno == EINTR { rest = unslept }
        pause = min(pause * 2, 100_000_000)
        if isMissing { break }
      }
    }
  }

  private func dataVersion(_ connection: Connection) throws -> Int64 {
    try connection.first("PRAGMA data_version")?.integer(0) ?? 0
  }

  /// WAL is used only where SQLite has fixed the WAL-reset bug (3.51.3,
  /// <https://sqlite.org/wal.html#walresetbug>); older versions keep the rollback journal,
  /// which is safe for many writers.
  public static var walIsSafe: Bool { Connection.libraryVersionNumber >= 3_051_003 }
}

extension SQLiteStore {
  /// SQLite's facts and `PRAGMA integrity_check`.
  ///
  /// See <https://www.sqlite.org/pragma.html#pragma_integrity_check>.
  public func diagnose(_ db: ReadTransaction) throws -> Diagnosis {
    guard !isMissing else { throw OptimistError.storage("There is no database at `\(path)`.") }
    let problems = try db.reader.rows("PRAGMA integrity_check").compactMap { $0.text(0) }
    let synchronous = try db.reader.first("PRAGMA synchronous")?.integer(0)
    var facts = JSONObject()
    facts.add("path", path)
    facts.add("sqlite_version", Connection.libraryVersion)
    facts.add("journal_mode", try db.reader.first("PRAGMA journal_mode")?.text(0))
    facts.add("synchronous", synchronous.map { ["off", "normal", "full", "extra"][Int($0) & 3] })
    facts.add("schema_version", try db.reader.first("PRAGMA user_version")?.integer(0))
    return Diagnosis(
      facts: facts, checkName: "integrity_check", problems: problems == ["ok"] ? [] : problems)
  }
}
