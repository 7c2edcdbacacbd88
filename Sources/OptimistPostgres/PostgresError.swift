import CLibPQ
import OptimistCore

/// An error reported by PostgreSQL or libpq: its SQLSTATE, message and statement.
///
/// See <https://www.postgresql.org/docs/current/errcodes-appendix.html>.
public struct PostgresError: DatabaseError, Equatable, CustomStringConvertible {
  /// The five-character SQLSTATE, or nil when libpq failed without one (a lost connection).
  public let sqlstate: String?
  /// The primary message (never holding the URL's password).
  public let message: String
  /// The SQL being run, when there was one.
  public let sql: String?
  /// What a failed connection attempt found, when this is one.
  public let connectFailure: ConnectFailure?

  public enum ConnectFailure: Equatable, Sendable {
    /// The server answered but refused this login: credentials, missing database.
    case refused
    /// No server answered, or it is starting up or shutting down.
    case unreachable
    /// The URL or its parameters are not valid.
    case invalidParameters
    /// A server took the login but is not the kind `target_session_attrs` asks for (a
    /// standby where a primary is wanted, during a failover): `reached` says which.
    case notTheKindAsked(reached: String)
  }

  public init(
    sqlstate: String?, message: String, sql: String? = nil, connectFailure: ConnectFailure? = nil
  ) {
    self.sqlstate = sqlstate
    self.message = message
    self.sql = sql
    self.connectFailure = connectFailure
  }

  /// A failed connection attempt, classified by `PQpingParams`.
  init(connectionFailure message: String, serverAnswers: Bool, parametersValid: Bool) {
    self.init(
      sqlstate: nil, message: PostgresError.trimmed(message),
      connectFailure: !parametersValid
        ? .invalidParameters : serverAnswers ? .refused : .unreachable)
  }

  /// The error of a failed statement, or of the connection when there is no result.
  init(connection: OpaquePointer, result: OpaquePointer?, sql: String, secret: PostgresURL) {
    let field = { (code: UInt8) -> String? in
      guard let result, let value = PQresultErrorField(result, Int32(code)) else { return nil }
      return String(cString: value)
    }
    let sqlstate = field(UInt8(ascii: "C"))
    let primary = field(UInt8(ascii: "M")) ?? String(cString: PQerrorMessage(connection))
    self.init(sqlstate: sqlstate, message: secret.redact(PostgresError.trimmed(primary)), sql: sql)
    if sqlstate == nil && PQstatus(connection) != CONNECTION_OK {
      self = PostgresError(sqlstate: "08006", message: message, sql: sql)
    }
  }

  /// libpq's message on one line, runs of white space (newlines, tabs) as one space.
  static func trimmed(_ text: String) -> String {
    text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
  }

  /// lock_not_available: a lock wait outlasted `lock_timeout` (`--timeout`).
  public var isLockTimeout: Bool { sqlstate == "55P03" }

  /// Failures that retrying the whole command can cure: a rolled-back transaction,
  /// serialization failure, deadlock, a lost connection (class 08), the server shutting
  /// down or not yet accepting connections (57P01–57P03), too many connections, a
  /// cancelled statement, a write refused by a read-only server (25006: a standby, until a
  /// failover promotes it or the URL's next host).
  public var isTemporary: Bool {
    guard let sqlstate else { return false }
    return ["40000", "40001", "40P01", "57P01", "57P02", "57P03", "53300", "57014", "25006"]
      .contains(sqlstate)
      || sqlstate.hasPrefix("08")
  }

  public func optimistError(timeout: Double) -> OptimistError {
    switch connectFailure {
    case .unreachable?:
      return .unavailable("The PostgreSQL server cannot be reached now: \(message) Retry later.")
    case .refused?:
      return .storage("PostgreSQL refused the connection: \(message)")
    case .invalidParameters?:
      return .storage("The PostgreSQL URL is not valid: \(message)")
    case .notTheKindAsked(let reached)?:
      return .unavailable(
        "No PostgreSQL server of the kind the URL asks for (target_session_attrs) answers now "
          + "(reached \(reached)): \(message) Retry later, e.g. once a standby is promoted.")
    case nil:
      break
    }
    if isLockTimeout { return .busy(timeout: timeout) }
    if isTemporary {
      return .unavailable(
        "PostgreSQL could not finish the command: \(message) "
          + "(SQLSTATE \(sqlstate ?? "")). Retry it.")
    }
    return .storage(
      "The database could not be used: \(message) (PostgreSQL SQLSTATE \(sqlstate ?? "none")).")
  }

  public var description: String {
    var text = "PostgreSQL error \(sqlstate ?? "-"): \(message)"
    if let sql { text += " (while running: \(sql))" }
    return text
  }
}
