import OptimistCore

/// A PostgreSQL store: one connection per command, every command one transaction.
///
/// Writes run in READ COMMITTED and lock what they change: the row about to be updated
/// (`FOR UPDATE`), the catalog clock row, the idempotency key's index entry (claimed with
/// `INSERT … ON CONFLICT DO NOTHING`, so a concurrent same-key caller waits, then replays).
/// Reads run in REPEATABLE READ, one snapshot for the whole command. `lock_timeout` is the
/// command's `--timeout`. See <https://www.postgresql.org/docs/current/transaction-iso.html>.
public final class PostgresStore: StoreEngine {
  /// The URL as given (it may hold a password: show `location` instead).
  let url: PostgresURL
  /// How long any lock wait may last, in seconds.
  public let timeout: Double
  private var opened: PostgresConnection?
  /// The objects this user last saw here, which writes speculate on (KnownStates.swift);
  /// nil: none kept.
  package let known: KnownStates?
  /// Where `known` is kept between commands; nil: in memory only.
  private let file: KnownStatesFile?

  public private(set) var isMissing = false

  /// A store at `url`; nothing is connected until a transaction needs it.
  public convenience init(url: String, timeout: Double) {
    self.init(url: url, timeout: timeout, known: nil)
  }

  /// A store whose writes speculate on the objects `known` holds, which learns the ones the
  /// store's transactions read and write (in memory: a test's).
  package init(url: String, timeout: Double, known: KnownStates?) {
    self.url = PostgresURL(url)
    self.timeout = timeout
    self.known = known
    file = nil
  }

  /// A store that keeps the objects this user last saw in it in a file between commands
  /// (KnownStatesFile.swift), unless switched off: `optimist-pg`'s.
  private init(url: PostgresURL, timeout: Double, file: KnownStatesFile?) {
    self.url = url
    self.timeout = timeout
    self.file = file
    known = file?.load()
  }

  /// How often this store's connection has waited for the server (`PostgresConnection`).
  package var roundTrips: Int { opened?.roundTrips ?? 0 }

  /// The URL with its password masked.
  public var location: String { url.redacted }

  /// The schema version this binary writes.
  static var latest: Int { Migration.postgresql.last?.number ?? 0 }

  /// A write speculates (`WriteTransaction.isSpeculative`): what it would only read to
  /// check goes with its writes, and so does a check that the object it changes is as this
  /// user last saw it (`known`), so a create, and a change of a known object, is one round
  /// trip. When its key turns out to be taken, it runs again reading the claim, and replays
  /// or refuses; when the object has changed, it runs again reading it.
  public func write<T>(creating: Bool, _ body: (WriteTransaction) throws -> T) throws -> T {
    try remembering {
      do {
        return try write(creating: creating, speculative: true, body)
      } catch is Misspeculation {
        return try write(creating: creating, speculative: false, body)
      }
    }
  }

  private func write<T>(
    creating: Bool, speculative: Bool, _ body: (WriteTransaction) throws -> T
  ) throws -> T {
    try transaction(begin: "BEGIN ISOLATION LEVEL READ COMMITTED", creating: creating) {
      known?.discard()
      return try WriteTransaction.perform(on: $0, speculative: speculative, known: known, body)
    }
  }

  public func read<T>(_ body: (ReadTransaction) throws -> T) throws -> T {
    try remembering {
      try transaction(begin: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", creating: false) {
        known?.discard()
        return try body(ReadTransaction($0, known: known))
      }
    }
  }

  /// Runs a transaction (`body`): once it has committed, what it read and wrote is known
  /// (and kept in the file); of a failed one, only what it read.
  private func remembering<T>(_ body: () throws -> T) throws -> T {
    defer {
      if let known, !isMissing, known.keep() { file?.save(known) }
    }
    do {
      return try body()
    } catch {
      known?.discard()
      throw error
    }
  }

  /// Whether `begin` starts a read-only transaction, whose COMMIT waits for the next statement.
  private static func isReadOnly(_ begin: String) -> Bool { begin.hasSuffix("READ ONLY") }

  /// Runs `body` in one transaction begun with `begin` at the latest schema version.
  ///
  /// The BEGIN (with `lock_timeout`) and a check of the schema version are sent with the
  /// transaction's first statement, and the statements whose results nothing reads with
  /// COMMIT (`PostgresConnection.begin`, `runLater`): a read is one round trip, a write that
  /// reads before it writes two. A read's COMMIT goes with the next statement, if any (a
  /// read-only transaction left open when the connection closes ends all the same; `idle`
  /// sends it before the process waits). A store that lacks the schema (or has an older
  /// one) fails the check on the server, which aborts the transaction before anything in it
  /// can commit; it is then migrated in a READ
  /// COMMITTED transaction under the migration lock, and `body` runs again. When `creating`
  /// is false and there was no schema at all, `body` runs against the schema made in that
  /// transaction, which is then rolled back.
  private func transaction<T>(
    begin: String, creating: Bool, migrated: Bool = false, _ body: (PostgresConnection) throws -> T
  ) throws -> T {
    let connection = try connect()
    connection.begin([lockTimeout, begin], schemaVersion: PostgresStore.latest)
    do {
      return try finish(connection, commit: true, waiting: !PostgresStore.isReadOnly(begin)) {
        try body(connection)
      }
    } catch {
      guard connection.schemaWasNotCurrent else { throw error }
    }
    guard !migrated else {
      throw OptimistError.storage(
        "The schema in \(location) did not reach version \(PostgresStore.latest).")
    }
    try connection.execute(lockTimeout + "; BEGIN ISOLATION LEVEL READ COMMITTED")
    let found = try finish(connection, commit: nil) { () throws -> Int in
      try connection.execute(
        "SELECT pg_advisory_xact_lock(\(PostgresLocks.namespace), "
          + "hashtext(coalesce(current_schema(), '') || '.optimist_schema'))")
      return try schemaVersion(connection)
    }
    if found == 0 && !creating {
      isMissing = true
      return try finish(connection, commit: false) {
        try Migration.apply(Migration.postgresql, from: 0, on: connection)
        return try body(connection)
      }
    }
    try finish(connection, commit: true) {
      try Migration.apply(Migration.postgresql, from: found, on: connection)
    }
    return try transaction(begin: begin, creating: creating, migrated: true, body)
  }

  /// Runs `body` in the open transaction, then COMMIT (`commit` true; without `waiting`,
  /// held back for the next statement), ROLLBACK (false) or neither (nil); any error rolls
  /// back. Before a ROLLBACK, what `body` held back is still run: its checks decide the
  /// answer, also when `body` refused.
  private func finish<T>(
    _ connection: PostgresConnection, commit: Bool?, waiting: Bool = true, _ body: () throws -> T
  ) throws -> T {
    let result: T
    do {
      do {
        result = try body()
      } catch let error where !(error is Misspeculation) {
        // A refusal made from what a speculative write took as read (KnownStates), or with
        // its key's claim not yet checked, stands only if those hold: the held checks go
        // with the ROLLBACK, and one that fails decides instead (a Misspeculation runs the
        // write again, reading).
        try connection.rollbackAfterHeld()
        throw error
      }
      switch commit {
      case true?: try connection.commit(waiting: waiting)
      case false?:
        try connection.flush()
        try connection.rollback()
      case nil: break
      }
    } catch {
      if error is Misspeculation {
        connection.rollbackWithNextBegin()
      } else {
        try? connection.rollback()
      }
      throw error
    }
    return result
  }

  /// The version in `optimist_schema`, 0 when there is no optimist schema on the search
  /// path; a table of that name from another program is refused.
  private func schemaVersion(_ connection: PostgresConnection) throws -> Int {
    guard try connection.first("SELECT to_regclass('optimist_schema') IS NOT NULL")?.integer(0) == 1
    else { return 0 }
    guard let version = try connection.first("SELECT version FROM optimist_schema")?.integer(0)
    else {
      throw OptimistError.storage(
        "The table optimist_schema in \(location) is empty: this is not an optimist schema.")
    }
    try Migration.refuseNewer(Int(version), than: PostgresStore.latest)
    return Int(version)
  }

  private func connect() throws -> PostgresConnection {
    if let opened { return opened }
    let connection = try PostgresConnection(
      url: url.url, connectTimeout: Int(min(timeout, 86_400).rounded(.up)))
    opened = connection
    return connection
  }

  /// `--timeout` as `lock_timeout`, sent in the same round trip as every BEGIN (a rolled-back
  /// transaction takes a SET with it). 0 would mean "wait for ever"; `--timeout 0` means
  /// "do not wait". See <https://www.postgresql.org/docs/current/runtime-config-client.html>.
  private var lockTimeout: String {
    "SET lock_timeout = \(max(1, Int(min(timeout * 1000, 2_147_483_647))))"
  }

  /// PostgreSQL's facts and the consistency check.
  public func diagnose(_ db: ReadTransaction) throws -> Diagnosis {
    guard !isMissing else {
      throw OptimistError.storage("There is no optimist schema in `\(location)`.")
    }
    let problems = try db.consistencyProblems()
    var facts = JSONObject()
    facts.add("engine", "postgresql")
    facts.add("database", location)
    // With several hosts in the URL, the one this command reached, and whether it takes
    // writes (a standby is in recovery until it is promoted).
    let connection = try connect()
    facts.add("host", connection.host)
    facts.add("port", Int64(connection.port))
    facts.add(
      "primary", try db.reader.first("SELECT NOT pg_is_in_recovery()")?.integer(0).map { $0 == 1 })
    facts.add("server_version", try db.reader.first("SHOW server_version")?.text(0))
    facts.add("libpq_version", PostgresConnection.libraryVersion)
    // Where this user's known states for this URL are kept (null: none kept).
    facts.addRaw("known_states", file.map { JSONObject.quoted($0.path) } ?? "null")
    facts.add("schema", try db.reader.first("SELECT current_schema()")?.text(0))
    facts.add(
      "schema_version", try db.reader.first("SELECT version FROM optimist_schema")?.integer(0))
    return Diagnosis(facts: facts, checkName: "consistency_check", problems: problems)
  }

  /// Sends a read's held COMMIT and waits for it (`PostgresConnection.flush`).
  public func idle() {
    try? opened?.flush()
  }

  /// The channel every change to a customer or item notifies, with its id as payload
  /// (the triggers of Schema/postgresql/004_history.sql).
  static let changesChannel = "optimist_changes"

  /// LISTENs before the first look, so a change committed after it is either seen by that
  /// look's snapshot or notified; between looks it waits on the socket (no transaction open).
  public func watch<T>(id: String, until deadline: Deadline, _ check: () throws -> T?) throws -> T?
  {
    let connection = try connect()
    try connection.execute("LISTEN \(PostgresStore.changesChannel)")
    while true {
      if let found = try check() { return found }
      if deadline.hasPassed { return nil }
      // Notifications arrive between transactions only: end the look's read first.
      try connection.flush()
      guard
        try connection.awaitNotification(
          channel: PostgresStore.changesChannel, payload: id, until: deadline)
      else { return nil }
    }
  }

  /// Opens PostgreSQL stores for `Engines.postgres` (the server's: no known states kept).
  public static func open(url: String, timeout: Double) -> any StoreEngine {
    PostgresStore(url: url, timeout: timeout)
  }

  /// Opens PostgreSQL stores for `Engines.postgres` that keep the objects this user last saw
  /// in each, in a file between commands (`optimist-pg`'s).
  public static func openRemembering(url: String, timeout: Double) -> any StoreEngine {
    let url = PostgresURL(url)
    return PostgresStore(url: url, timeout: timeout, file: KnownStatesFile(url: url))
  }
}
