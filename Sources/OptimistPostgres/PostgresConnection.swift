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

  deinit {
    PQfinish(handle)
  }

  /// The server's version, e.g. "15.8".
  public var serverVersion: String {
    let number = Int(PQserverVersion(handle))
    return number >= 100_000
      ? "\(number / 10_000).\(number % 10_000)"
      : "\(number / 10_000).\(number / 100 % 100).\(number % 100)"
  }

  /// Runs one or more statements with the simple query protocol (no parameters).
  public func execute(_ sql: String) throws(PostgresError) {
    PQclear(try result(of: PQexec(handle, sql), sql: sql))
  }

  public func first(_ statement: SQL) throws(PostgresError) -> Row? {
    try rows(statement).first
  }

  public func rows(_ statement: SQL) throws(PostgresError) -> [Row] {
    rows(of: try run(parameterized: statement))
  }

  /// Runs one or more statements without parameters in one round trip; returns the rows
  /// of the last.
  public func rows(ofLast sql: String) throws(PostgresError) -> [Row] {
    rows(of: try result(of: PQexec(handle, sql), sql: sql))
  }

  /// The rows of `result`, which is then cleared.
  private func rows(of result: OpaquePointer) -> [Row] {
    defer { PQclear(result) }
    return (0..<PQntuples(result)).map { row in
      Row(values: (0..<PQnfields(result)).map { column in value(result, row, column) })
    }
  }

  @discardableResult
  public func run(_ statement: SQL) throws(PostgresError) -> Int {
    let result = try run(parameterized: statement)
    defer { PQclear(result) }
    return Int(String(cString: PQcmdTuples(result))) ?? 0
  }

  /// Ends the transaction with COMMIT, and makes sure it committed: the server answers a
  /// COMMIT of a failed transaction with ROLLBACK, and libpq calls that a success.
  public func commit() throws(PostgresError) {
    let result = try self.result(of: PQexec(handle, "COMMIT"), sql: "COMMIT")
    defer { PQclear(result) }
    guard String(cString: PQcmdStatus(result)) == "COMMIT" else {
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
  /// the dialect; integers are sent as `int8`, text as `text`, all in text format.
  /// See <https://www.postgresql.org/docs/current/libpq-exec.html#LIBPQ-PQEXECPARAMS>.
  private func run(parameterized statement: SQL) throws(PostgresError) -> OpaquePointer {
    let sql = statement.text(in: dialect)
    let values = statement.values
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
    let raw = texts.map { UnsafePointer($0) }
    let result = PQexecParams(handle, sql, Int32(values.count), types, raw, nil, nil, 0)
    return try self.result(of: result, sql: sql)
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
