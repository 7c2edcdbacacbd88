/// How a command ends: the one table of optimist's exit statuses, the contract scripts branch
/// on.
///
/// Each status knows its number, the words the root help gives it (`summary`, from which the
/// help's list is written) and the README's table (`meaning`, which a test compares with the
/// README), the Square error codes that go with it on stderr, and the HTTP status
/// `optimist serve` answers the same outcome with. Like swift-argument-parser's `ExitCode`:
/// code throws and returns a status, and only the process's last step turns it into a number.
public enum ExitStatus: Int32, CaseIterable, Sendable {
  /// The command did what it was asked.
  case success = 0
  /// The database is unusable, damaged, or an I/O call failed (INTERNAL_SERVER_ERROR).
  case storageError = 1
  /// A value is malformed, missing, too long or not allowed: any value, whichever option or
  /// field it came in (`--timeout` included).
  case invalidRequest = 2
  /// The version given is not the object's current one.
  case versionMismatch = 3
  /// No such object, or no such version of it.
  case notFound = 4
  /// The idempotency key was used before for a different request.
  case idempotencyKeyReused = 5
  /// The card was declined; the payment is recorded as FAILED.
  case cardDeclined = 6
  /// The object's state does not allow the change (`StateRefusal`).
  case stateRefused = 7
  /// `wait` saw no change within its timeout.
  case waitTimedOut = 8
  /// `edit`'s command failed; nothing was written.
  case editCommandFailed = 9
  /// The command line itself is malformed: usage on stderr, not JSON (sysexits' EX_USAGE).
  case malformedCommandLine = 64
  /// The database stayed locked past `--timeout`, or the server is unavailable: retry later
  /// (sysexits' EX_TEMPFAIL).
  case temporary = 75

  /// The process's exit code.
  public var code: Int32 { rawValue }

  /// The status whose exit code is `code`, nil for a number optimist never exits with.
  public init?(code: Int32) {
    self.init(rawValue: code)
  }

  /// The words of the root help's list ("Exit codes: 0 success, 1 storage error, …").
  public var summary: String {
    switch self {
    case .success: return "success"
    case .storageError: return "storage error"
    case .invalidRequest:
      return
        "invalid request: a value optimist refuses, whichever option or field it came in "
        + "(`--limit abc`, `--timeout soon`, `--amount -1`)"
    case .versionMismatch: return "version mismatch"
    case .notFound: return "not found"
    case .idempotencyKeyReused: return "idempotency key reused"
    case .cardDeclined: return "card declined"
    case .stateRefused: return "the object's state does not allow it"
    case .waitTimedOut: return "wait timed out"
    case .editCommandFailed: return "edit's command failed"
    case .malformedCommandLine: return "malformed command line"
    case .temporary: return "database locked past --timeout"
    }
  }

  /// The meaning column of the README's exit-code table (Markdown).
  public var meaning: String {
    switch self {
    case .success: return "success"
    case .storageError:
      return
        "storage or internal error: unusable or damaged database, I/O; PostgreSQL: a URL libpq "
        + "cannot read, a refused login, a missing database, missing privileges, `optimist-pg` "
        + "not installed"
    case .invalidRequest:
      return
        "invalid request: a value optimist refuses, whichever option or field it came in "
        + "(`--limit abc`, `--timeout soon`, `--amount -1`)"
    case .versionMismatch: return "the version is stale: get the object again and retry"
    case .notFound:
      return
        "no such object, or no such version of it (never written, or pruned: the message says "
        + "which)"
    case .idempotencyKeyReused: return "the idempotency key was used for a different request"
    case .cardDeclined: return "the payment was declined (and recorded as `FAILED`)"
    case .stateRefused:
      return "the object's state does not allow this; re-reading and retrying will not help"
    case .waitTimedOut:
      return "`wait`: the object did not change within `--timeout` (nothing on stdout)"
    case .editCommandFailed:
      return
        "`edit`'s command exited non-zero, was killed by a signal, or could not be started; "
        + "nothing was written"
    case .malformedCommandLine:
      return
        "the command line itself is malformed: unknown command or option, missing argument or "
        + "value, an extra argument, options that exclude each other (usage on stderr, not JSON)"
    case .temporary:
      return
        "the database stayed locked past `--timeout`; PostgreSQL: the server cannot be reached "
        + "(or is starting or shutting down), the connection was lost, it aborted the "
        + "transaction (deadlock, serialization failure), or it takes no writes for now (a "
        + "standby; no primary among the URL's hosts during a failover): retry later"
    }
  }

  /// The Square error codes an error document on stderr has with this status; none for
  /// success and for a malformed command line (whose usage is not JSON).
  public var squareCodes: [String] {
    switch self {
    case .success, .malformedCommandLine: return []
    case .storageError: return ["INTERNAL_SERVER_ERROR"]
    case .invalidRequest:
      return [
        "INVALID_VALUE", "MISSING_REQUIRED_PARAMETER", "VALUE_TOO_LONG", "EXPECTED_BOOLEAN",
        "UNSUPPORTED_CURRENCY",
      ]
    case .versionMismatch: return ["VERSION_MISMATCH"]
    case .notFound: return ["NOT_FOUND"]
    case .idempotencyKeyReused: return ["IDEMPOTENCY_KEY_REUSED"]
    case .cardDeclined: return ["CARD_DECLINED"]
    case .stateRefused: return StateRefusal.allCases.map(\.rawValue)
    case .waitTimedOut: return ["REQUEST_TIMEOUT"]
    case .editCommandFailed: return ["EDIT_COMMAND_FAILED"]
    case .temporary: return ["TEMPORARY_ERROR"]
    }
  }

  /// The HTTP status `optimist serve` answers this outcome with; a replayed answer, stored
  /// with its exit code, gets the status its first run had.
  ///
  /// As Square: invalid requests, VERSION_MISMATCH, IDEMPOTENCY_KEY_REUSED and the payment
  /// state refusals are 400 (Square's SDKs retry 409s, which would resend a write), NOT_FOUND
  /// 404, CARD_DECLINED 402, REQUEST_TIMEOUT 408; storage errors 500, a lock or server that
  /// is busy or away 503.
  public var httpStatus: Int {
    switch self {
    case .success: return 200
    case .invalidRequest, .versionMismatch, .idempotencyKeyReused, .stateRefused: return 400
    case .notFound: return 404
    case .cardDeclined: return 402
    case .waitTimedOut: return 408
    case .temporary: return 503
    case .storageError, .editCommandFailed, .malformedCommandLine: return 500
    }
  }

  /// Whether the store failed rather than the request (a lost PostgreSQL connection, a
  /// damaged or vanished file, a lock): the connection is not used again.
  public var isStoreFailure: Bool {
    self == .storageError || self == .temporary
  }
}
