/// The HTTP status of each outcome, for `optimist serve`: the one table, keyed by the exit
/// code the CLI gives the same outcome (so a replayed answer, stored as its exit code, gets
/// the status its first run had).
///
/// As Square: invalid requests, VERSION_MISMATCH, IDEMPOTENCY_KEY_REUSED and the payment
/// state refusals are 400 (Square's SDKs retry 409s, which would resend a write), NOT_FOUND
/// 404, CARD_DECLINED 402, REQUEST_TIMEOUT 408; storage errors 500, a lock or server that is
/// busy or away 503.
public enum HTTPStatus {
  public static func of(exitCode: Int32) -> Int {
    switch exitCode {
    case 0: return 200
    case 2, 3, 5, 7: return 400
    case 4: return 404
    case 6: return 402
    case 8: return 408
    case 75: return 503
    default: return 500
    }
  }
}

extension OptimistError {
  /// The HTTP status the server answers this error with (`HTTPStatus.of(exitCode:)`).
  public var httpStatus: Int { HTTPStatus.of(exitCode: exitCode) }
}
