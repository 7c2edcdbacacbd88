import CLibPQ
import OptimistCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// One libpq connection; closed when released.
///
/// The URL is libpq's own connection string, so URI parameters, the `PG*` variables and
/// `.pgpass` behave as with `psql`. See <https://www.postgresql.org/docs/current/libpq-connect.html>.
public final class PostgresConnection: Database {
  let handle: OpaquePointer
  /// Text to keep out of every message: the URL's password.
  let secret: PostgresURL

  public var dialect: any SQLDialect { PostgresDialect() }

  /// Connects, waiting at most `connectTimeout` seconds unless the URL or
  /// `$PGCONNECT_TIMEOUT` says otherwise. Text is always exchanged as UTF-8.
  public init(url: String, connectTimeout: Int) throws(PostgresError) {
    secret = PostgresURL(url)
    // Entries before the expanded URL are defaults it can override; entries after it win
    // (libpq's PQconnectdbParams rule).
    var parameters: [(String, String)] = [("fallback_application_name", "optimist")]
    if getenv("PGCONNECT_TIMEOUT") == nil {
      parameters.append(("connect_timeout", String(max(2, connectTimeout))))
    }
    parameters += [("dbname", url), ("client_encoding", "UTF8")]
    var attempt = 0
    while true {
      attempt += 1
      let connection = PostgresConnection.withParameters(parameters) { keywords, values in
        PQconnectdbParams(keywords, values, 1)
      }
      if let connection, PQstatus(connection) == CONNECTION_OK {
        // The server's notices and warnings would go to stderr, which carries only Square's
        // error documents; a failure still comes back as an error of its statement.
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
        handle = connection
        return
      }
      let message = connection.map { String(cString: PQerrorMessage($0)) } ?? "out of memory"
      PQfinish(connection)
      // libpq gives no SQLSTATE for a failed login: ask the server whether it takes
      // connections at all. One that just finished starting up (or crash recovery) is
      // tried once more; one that answers and still refuses has refused this login.
      let ping = PostgresConnection.withParameters(parameters) { keywords, values in
        PQpingParams(keywords, values, 1)
      }
      // A server that answers may still take this login: it is then only not the kind
      // `target_session_attrs` asks for (a standby, while a failover promotes another), which
      // PQpingParams cannot tell from a refused login.
      if ping == PQPING_OK, let reached = PostgresConnection.anyKind(parameters) {
        if attempt == 1 { continue }
        throw PostgresError(
          sqlstate: nil, message: secret.redact(PostgresError.trimmed(message)),
          connectFailure: .notTheKindAsked(reached: reached))
      }
      if ping == PQPING_OK && attempt == 1 { continue }
      throw PostgresError(
        connectionFailure: secret.redact(message),
        serverAnswers: ping == PQPING_OK, parametersValid: ping != PQPING_NO_ATTEMPT)
    }
  }

  /// Where a connection of any kind (`target_session_attrs=any`, after the URL so that it
  /// wins) lands with these parameters, and whether that server is read-only now (a hot
  /// standby, or `default_transaction_read_only`); nil when none takes the login.
  private static func anyKind(_ parameters: [(String, String)]) -> String? {
    guard
      let connection = withParameters(
        parameters + [("target_session_attrs", "any")],
        {
          keywords, values in PQconnectdbParams(keywords, values, 1)
        })
    else { return nil }
    defer { PQfinish(connection) }
    guard PQstatus(connection) == CONNECTION_OK else { return nil }
    let place = "\(String(cString: PQhost(connection))):\(String(cString: PQport(connection)))"
    let readOnly = PQparameterStatus(connection, "default_transaction_read_only").map {
      String(cString: $0) == "on"
    }
    let standby = PQparameterStatus(connection, "in_hot_standby").map {
      String(cString: $0) == "on"
    }
    if standby == true { return place + ", a standby" }
    if readOnly == true { return place + ", read-only" }
    return place
  }

  /// The host this connection reached (a name, an address or a socket folder), and its port:
  /// with several hosts in the URL, the one that took it.
  public var host: String { String(cString: PQhost(handle)) }
  public var port: String { String(cString: PQport(handle)) }

  /// The version of the libpq this process runs ("15.20"): for the release helpers, the one
  /// linked in when they were built (statically; only a rebuild changes it).
  public static var libraryVersion: String {
    let number = Int(PQlibVersion())
    return "\(number / 10000).\(number % 10000)"
  }

  deinit {
    for (_, result) in early { PQclear(result) }
    PQfinish(handle)
  }

  /// The server's version, e.g. "15.8".
  public var serverVersion: String {
    let number = Int(PQserverVersion(handle))
    return number >= 100_000
      ? "\(number / 10_000).\(number % 10_000)"
      : "\(number / 10_000).\(number / 100 % 100).\(number % 100)"
  }

  /// How often this connection has waited for the server's answers since it connected (a
  /// pipeline, or one statement run alone): a command's round trips (the tests count them).
  public private(set) var roundTrips = 0

  /// Runs one or more statements with the simple query protocol (no parameters), after
  /// whatever is held back.
  public func execute(_ sql: String) throws {
    dropEarly()
    if !held.isEmpty { try pipeline(then: nil) }
    roundTrips += 1
    PQclear(try result(of: PQexec(handle, sql), sql: sql))
  }

  public func first(_ statement: SQL) throws -> Row? {
    try rows(statement).first
  }

  public func rows(_ statement: SQL) throws -> [Row] {
    rows(of: try run(parameterized: statement))
  }

  /// The rows of `result`, which is then cleared.
  private func rows(of result: OpaquePointer) -> [Row] {
    defer { PQclear(result) }
    return (0..<PQntuples(result)).map { row in
      Row(values: (0..<PQnfields(result)).map { column in value(result, row, column) })
    }
  }

  @discardableResult
  public func run(_ statement: SQL) throws -> Int {
    let result = try run(parameterized: statement)
    defer { PQclear(result) }
    return Int(String(cString: PQcmdTuples(result))) ?? 0
  }

  // MARK: Statements held back: one round trip for many (pipeline mode)

  /// A statement held back, to go in one pipeline with the next one whose result is read
  /// (or the COMMIT). See <https://www.postgresql.org/docs/current/libpq-pipeline-mode.html>.
  private struct Held {
    let sql: String
    let values: [SQLValue]
    /// What the transaction fails with when the server refuses it: nil, the server's error.
    let otherwise: (any Error)?
  }

  /// Statements to send before the next one: the transaction's BEGIN (`begin`), writes
  /// whose results nothing reads (`runLater`).
  private var held: [Held] = []
  /// Reads hinted by `readAhead`: sent after the next statement, in its pipeline.
  private var ahead: [Held] = []
  /// Their results, each served if it is the very next statement run, word for word.
  private var early: [(read: Held, result: OpaquePointer)] = []
  /// A hinted read that failed (a lock wait that timed out): the transaction is aborted on
  /// the server, and every later statement of it says why.
  private var aheadFailure: (any Error)?
  /// Whether the schema check sent with BEGIN failed: the schema is missing, older or newer
  /// than this binary's (`begin`). The transaction is then aborted; the store migrates.
  public private(set) var schemaWasNotCurrent = false

  /// Holds back the BEGIN of a transaction (after the ROLLBACK `rollbackWithNextBegin`
  /// left, if any): `statements` (the lock timeout, the BEGIN), then
  /// a check that the schema is at `version`, go with the transaction's first statement.
  /// The check fails on the server (the transaction aborts there, so nothing after it can
  /// commit) when the schema is missing or at another version, and then every statement of
  /// the transaction throws `SchemaNotCurrent`.
  public func begin(_ statements: [String], schemaVersion version: Int) {
    forgetReadsAhead()
    schemaWasNotCurrent = false
    held += statements.map { Held(sql: $0, values: [], otherwise: nil) }
    held.append(
      Held(
        sql: "SELECT CASE WHEN v = \(version) THEN 0 ELSE "
          + "('optimist schema version ' || coalesce(v::text, 'none'))::int END "
          + "FROM (SELECT (SELECT version FROM optimist_schema) AS v) AS schema",
        values: [], otherwise: SchemaNotCurrent()))
  }

  /// The schema check of `begin` failed: the schema is missing or at another version.
  public struct SchemaNotCurrent: Error {}

  /// Holds `statement` back until the next statement or COMMIT. The server itself checks
  /// that it changes exactly `changes` rows (a data-modifying WITH whose count fails a cast
  /// otherwise), so a COMMIT sent with it never commits a transaction where it did not.
  public func runLater(_ statement: SQL, changes: Int?, otherwise: any Error) throws {
    dropEarly()
    var sql = statement.text(in: dialect)
    if let changes {
      sql =
        "WITH changed AS (\(sql) RETURNING 1) SELECT CASE count(*) WHEN \(changes) THEN 0 ELSE "
        + "('\(PostgresConnection.countMarker) ' || count(*))::int END FROM changed"
    }
    held.append(Held(sql: sql, values: statement.values, otherwise: otherwise))
  }

  /// Holds `query` back like `runLater`; the server fails the transaction (the same cast,
  /// of a text that is not a constant, which the planner would fold and fail at once) when
  /// it finds no row.
  public func requireLater(_ query: SQL, otherwise: any Error) throws {
    dropEarly()
    held.append(
      Held(
        sql: "SELECT CASE count(*) WHEN 0 THEN ('\(PostgresConnection.countMarker) ' || count(*))"
          + "::int ELSE 0 END FROM (\(query.text(in: dialect)) LIMIT 1) AS found",
        values: query.values, otherwise: otherwise))
  }

  /// Sends `statement`, a read the transaction is likely to run as its statement after
  /// next (the locked read after claiming a key), with the next statement, and keeps its
  /// result for then: one round trip for both. Should the transaction run another statement
  /// instead, the result is dropped (the read took its row locks all the same); should the
  /// read fail, so does the rest of the transaction.
  public func readAhead(_ statement: SQL) {
    ahead.append(Held(sql: statement.text(in: dialect), values: statement.values, otherwise: nil))
  }

  private func dropEarly() {
    for (_, result) in early { PQclear(result) }
    early = []
  }

  private func forgetReadsAhead() {
    dropEarly()
    ahead = []
    aheadFailure = nil
  }

  /// In the message of a held statement that changed another number of rows than asked.
  static let countMarker = "optimist rows changed:"

  /// Sends the held statements and `last` in one pipeline ending in one Sync, and reads
  /// every result: one round trip. Returns the result of `last` (the caller clears it).
  /// The first failure is thrown, once every result is read: a held statement's own error
  /// (`otherwise`), or the server's. After a failure the server skipped the rest; an open
  /// transaction is left aborted, for ROLLBACK.
  @discardableResult
  private func pipeline(then last: Held?, ahead reads: [Held] = []) throws -> OpaquePointer? {
    let lastIndex = held.count
    let items = held + (last.map { [$0] + reads } ?? [])
    held = []
    // Only this pipeline's schema check counts (a migration's transaction sends none).
    schemaWasNotCurrent = false
    try send(items)
    roundTrips += 1
    var failure: (any Error)?
    var answer: OpaquePointer?
    for (index, item) in items.enumerated() {
      guard let result = PQgetResult(handle) else {
        failure =
          failure ?? PostgresError(connection: handle, result: nil, sql: item.sql, secret: secret)
        break
      }
      let status = PQresultStatus(result)
      switch status {
      case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
        if index == lastIndex && last != nil && failure == nil {
          answer = result
        } else if index > lastIndex && failure == nil {
          early.append((item, result))
        } else {
          PQclear(result)
        }
      case PGRES_PIPELINE_ABORTED:
        PQclear(result)
      default:
        let error = PostgresError(connection: handle, result: result, sql: item.sql, secret: secret)
        PQclear(result)
        if index > lastIndex && failure == nil {
          aheadFailure = aheadFailure ?? error
        } else if failure == nil {
          if item.otherwise is SchemaNotCurrent && ["42P01", "22P02"].contains(error.sqlstate) {
            schemaWasNotCurrent = true
            failure = SchemaNotCurrent()
          } else if let otherwise = item.otherwise, error.sqlstate == "22P02",
            error.message.contains(PostgresConnection.countMarker)
          {
            failure = otherwise
          } else {
            failure = error
          }
        }
      }
      // Each statement's results end with a null one.
      while let extra = PQgetResult(handle) { PQclear(extra) }
      if PQstatus(handle) != CONNECTION_OK { break }
    }
    drainToSync()
    if let failure {
      dropEarly()
      if let answer { PQclear(answer) }
      if schemaWasNotCurrent { throw SchemaNotCurrent() }
      throw failure
    }
    if last != nil && answer == nil {
      throw PostgresError(connection: handle, result: nil, sql: last?.sql ?? "", secret: secret)
    }
    return answer
  }

  /// Enters pipeline mode and sends `items` with the extended protocol, then a Sync (which
  /// flushes them).
  private func send(_ items: [Held]) throws(PostgresError) {
    guard PQenterPipelineMode(handle) == 1 else {
      throw PostgresError(
        connection: handle, result: nil, sql: items.first?.sql ?? "", secret: secret)
    }
    for item in items {
      let sent = PostgresConnection.withValues(item.values) { count, types, values in
        PQsendQueryParams(handle, item.sql, count, types, values, nil, nil, 0)
      }
      guard sent == 1 else {
        throw PostgresError(connection: handle, result: nil, sql: item.sql, secret: secret)
      }
    }
    guard PQpipelineSync(handle) == 1 else {
      throw PostgresError(connection: handle, result: nil, sql: "Sync", secret: secret)
    }
  }

  /// Reads and drops results up to the Sync's, then leaves pipeline mode: every statement's
  /// results are followed by a null one; two nulls in a row mean nothing is left.
  private func drainToSync() {
    var nulls = 0
    while PQstatus(handle) == CONNECTION_OK && nulls < 2 {
      guard let result = PQgetResult(handle) else {
        nulls += 1
        continue
      }
      nulls = 0
      let status = PQresultStatus(result)
      PQclear(result)
      if status == PGRES_PIPELINE_SYNC { break }
    }
    PQexitPipelineMode(handle)
  }

  /// Sends what is held back and waits for it: a held check that fails throws here, in a
  /// transaction that is about to be rolled back rather than committed.
  public func flush() throws {
    dropEarly()
    if !held.isEmpty { try pipeline(then: nil) }
  }

  /// Drops what is held back and ends the transaction, if one is open, with a ROLLBACK sent
  /// with the next transaction's BEGIN (`begin`), not in a round trip of its own: for a
  /// transaction that runs again at once (a speculative claim found its key taken). Its locks
  /// are held until then; a connection closed meanwhile ends it on the server.
  public func rollbackWithNextBegin() {
    held = []
    forgetReadsAhead()
    if isInTransaction { held = [Held(sql: "ROLLBACK", values: [], otherwise: nil)] }
  }

  /// Ends the transaction with ROLLBACK sent after what is held back, in one round trip:
  /// the held checks still decide the answer (a refusal made from what a speculative write
  /// took as read stands only if that holds). The first that fails is thrown, and its
  /// transaction is left aborted (the server skipped the ROLLBACK), for `rollback` or
  /// `rollbackWithNextBegin`.
  public func rollbackAfterHeld() throws {
    forgetReadsAhead()
    guard !held.isEmpty else { return try rollback() }
    held.append(Held(sql: "ROLLBACK", values: [], otherwise: nil))
    try pipeline(then: nil)
  }

  /// Drops what is held back and ends the transaction, if one is open, with ROLLBACK.
  public func rollback() throws {
    held = []
    forgetReadsAhead()
    if isInTransaction { try execute("ROLLBACK") }
  }

  /// Ends the transaction with COMMIT, sent with every held statement, and makes sure it
  /// committed: the server answers a COMMIT of a failed transaction with ROLLBACK, and libpq
  /// calls that a success. Without `waiting` (a read-only transaction, which a COMMIT cannot
  /// undo) it is held back, to go with the next statement (`flush` sends it at once).
  public func commit(waiting: Bool = true) throws {
    let failed = aheadFailure
    forgetReadsAhead()
    if let failed { throw failed }
    // A transaction that ran no statement has not checked its schema yet: it waits.
    guard waiting || held.contains(where: { $0.otherwise is SchemaNotCurrent }) else {
      if held.isEmpty && !isInTransaction { return }
      // Held back like a write: it goes with the next statement (the next transaction's
      // BEGIN), or, when the connection closes first, is never sent: the server ends a
      // transaction whose client said goodbye, which for a read-only one is the same, and
      // logs nothing. Sent and not waited for, its answer would meet a closed connection
      // (`FATAL: connection to client lost` in the server's log, for every read).
      held.append(Held(sql: "COMMIT", values: [], otherwise: nil))
      return
    }
    let result = try pipeline(then: Held(sql: "COMMIT", values: [], otherwise: nil))
    defer { if let result { PQclear(result) } }
    guard let result, String(cString: PQcmdStatus(result)) == "COMMIT" else {
      throw PostgresError(
        sqlstate: "40000", message: "The transaction was rolled back, not committed.", sql: "COMMIT"
      )
    }
  }

  /// Waits until a notification on `channel` (which this connection LISTENs to) carries
  /// `payload`, or `deadline` passes; returns whether one came. Notifications libpq has
  /// already read (e.g. during the last transaction) count; others are dropped. Sleeps in
  /// poll(2) on the connection's socket; a lost connection is an error.
  /// See <https://www.postgresql.org/docs/current/libpq-notify.html>.
  public func awaitNotification(channel: String, payload: String, until deadline: Deadline)
    throws(PostgresError) -> Bool
  {
    while true {
      while let notice = PQnotifies(handle) {
        let matches =
          String(cString: notice.pointee.relname) == channel
          && String(cString: notice.pointee.extra) == payload
        PQfreemem(notice)
        if matches { return true }
      }
      let left = deadline.remaining
      if left == 0 { return false }
      var socket = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
      guard socket.fd >= 0 else {
        throw PostgresError(sqlstate: "08006", message: "The connection to the server was lost.")
      }
      // Milliseconds, rounded up (so a wait never spins on a sub-millisecond rest); -1: no limit.
      let milliseconds =
        left.map { Int32(min(($0 + 999_999) / 1_000_000, UInt64(Int32.max))) } ?? -1
      let ready = poll(&socket, 1, milliseconds)
      if ready < 0 && errno != EINTR {
        throw PostgresError(
          sqlstate: "08006", message: "poll() on the connection failed (errno \(errno)).")
      }
      if ready > 0 && PQconsumeInput(handle) == 0 {
        throw PostgresError(
          connection: handle, result: nil, sql: "LISTEN \(channel)", secret: secret)
      }
    }
  }

  /// Whether the connection is inside a transaction (also a failed one).
  public var isInTransaction: Bool {
    let status = PQtransactionStatus(handle)
    return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE
  }

  /// Runs one statement with the extended protocol, its placeholders spelled `$1, $2, …` by
  /// the dialect; integers are sent as `int8`, text as `text`, all in text format. With
  /// statements held back, they go first, in the same round trip.
  /// See <https://www.postgresql.org/docs/current/libpq-exec.html#LIBPQ-PQEXECPARAMS>.
  private func run(parameterized statement: SQL) throws -> OpaquePointer {
    let sql = statement.text(in: dialect)
    if let failed = aheadFailure { throw failed }
    let matches = { (read: Held) in read.sql == sql && read.values == statement.values }
    if let index = early.firstIndex(where: { matches($0.read) }) {
      let result = early.remove(at: index).result
      dropEarly()
      return result
    }
    dropEarly()
    let reads = ahead.filter { !matches($0) }
    ahead = []
    if !held.isEmpty || !reads.isEmpty {
      guard
        let result = try pipeline(
          then: Held(sql: sql, values: statement.values, otherwise: nil), ahead: reads)
      else { throw PostgresError(connection: handle, result: nil, sql: sql, secret: secret) }
      return result
    }
    roundTrips += 1
    let result = PostgresConnection.withValues(statement.values) { count, types, values in
      PQexecParams(handle, sql, count, types, values, nil, nil, 0)
    }
    return try self.result(of: result, sql: sql)
  }

  /// Calls `body` with the count, types and texts of `values`: integers as `int8`, text as
  /// `text`, NULL as a null pointer of no type.
  private static func withValues<T>(
    _ values: [SQLValue],
    _ body: (Int32, [Oid], [UnsafePointer<CChar>?]) -> T
  ) -> T {
    let types: [Oid] = values.map {
      switch $0 {
      case .null: return 0
      case .integer: return 20
      case .text: return 25
      }
    }
    let texts: [UnsafeMutablePointer<CChar>?] = values.map {
      switch $0 {
      case .null: return nil
      case .integer(let number): return strdup(String(number))
      case .text(let text): return strdup(text)
      }
    }
    defer { for text in texts { free(text) } }
    return body(Int32(values.count), types, texts.map { UnsafePointer($0) })
  }

  /// The result if the statement succeeded; else its error (the result is cleared).
  private func result(of result: OpaquePointer?, sql: String) throws(PostgresError) -> OpaquePointer
  {
    guard let result else {
      throw PostgresError(connection: handle, result: nil, sql: sql, secret: secret)
    }
    switch PQresultStatus(result) {
    case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
      return result
    default:
      let error = PostgresError(connection: handle, result: result, sql: sql, secret: secret)
      PQclear(result)
      throw error
    }
  }

  /// A column's value: NULL, a whole number (int2, int4, int8, oid; bool as 0 or 1), or text.
  private func value(_ result: OpaquePointer, _ row: Int32, _ column: Int32) -> SQLValue {
    if PQgetisnull(result, row, column) != 0 { return .null }
    guard let bytes = PQgetvalue(result, row, column) else { return .null }
    let count = Int(PQgetlength(result, row, column))
    let text = bytes.withMemoryRebound(to: UInt8.self, capacity: count) {
      String(decoding: UnsafeBufferPointer(start: $0, count: count), as: UTF8.self)
    }
    switch PQftype(result, column) {
    case 20, 21, 23, 26: return Int64(text).map { .integer($0) } ?? .text(text)
    case 16: return .integer(text == "t" ? 1 : 0)
    default: return .text(text)
    }
  }

  /// Calls `body` with C arrays of keywords and values, NULL-terminated.
  private static func withParameters<T>(
    _ parameters: [(String, String)],
    _ body: (UnsafePointer<UnsafePointer<CChar>?>, UnsafePointer<UnsafePointer<CChar>?>) -> T
  ) -> T {
    let keywords = parameters.map { UnsafePointer(strdup($0.0)) } + [nil]
    let values = parameters.map { UnsafePointer(strdup($0.1)) } + [nil]
    defer {
      for pointer in keywords + values { free(UnsafeMutablePointer(mutating: pointer)) }
    }
    return body(keywords, values)
  }
}
