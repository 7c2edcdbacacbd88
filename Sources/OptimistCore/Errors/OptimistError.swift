/// Every way a command can be refused or fail: its Square error code, category, field and exit
/// status (`ExitStatus`, the table scripts branch on).
public indirect enum OptimistError: Error, Equatable {
  /// A value is malformed or not allowed (exit 2, INVALID_VALUE).
  case invalidValue(field: String?, detail: String)
  /// A required value is missing, or would be removed (exit 2, MISSING_REQUIRED_PARAMETER).
  case missingRequiredParameter(field: String?, detail: String)
  /// A text value is longer than its limit (exit 2, VALUE_TOO_LONG).
  case valueTooLong(field: String, maximum: Int)
  /// A boolean field got something other than `true` or `false` (exit 2, EXPECTED_BOOLEAN).
  case expectedBoolean(field: String, value: String)
  /// A currency outside the built-in list (exit 2, UNSUPPORTED_CURRENCY).
  case unsupportedCurrency(String)
  /// The version given is not the object's current one (exit 3, VERSION_MISMATCH).
  case versionMismatch(id: String, expected: Int64, actual: Int64)
  /// The payment's version_token given is not its current one (exit 3, VERSION_MISMATCH).
  case staleVersionToken(id: String, given: String)
  /// The object's state does not allow this change, and re-reading will not help (exit 7):
  /// completing a canceled payment, refunding more than was paid, …
  case stateRefused(StateRefusal, detail: String)
  /// No object has this id (exit 4, NOT_FOUND).
  case notFound(id: String, field: String?)
  /// The object has no such version, or it was pruned (exit 4, NOT_FOUND): `detail` says which.
  case versionNotFound(field: String?, detail: String)
  /// The idempotency key was used before for a different request (exit 5, IDEMPOTENCY_KEY_REUSED).
  case idempotencyKeyReused(key: String)
  /// The card was declined; the payment is recorded as FAILED (exit 6, CARD_DECLINED).
  case cardDeclined
  /// `wait` saw no change within its timeout (exit 8, REQUEST_TIMEOUT).
  case requestTimeout(id: String, seconds: Double)
  /// The database stayed locked past the timeout (exit 75, TEMPORARY_ERROR).
  case busy(timeout: Double)
  /// The server cannot answer now: unreachable, shutting down, or it aborted the transaction
  /// (deadlock, serialization failure); retrying later is safe (exit 75, TEMPORARY_ERROR).
  case unavailable(String)
  /// The database is unusable, damaged, or an I/O call failed (exit 1, INTERNAL_SERVER_ERROR).
  case storage(String)
  /// `edit`'s command exited non-zero, was killed by a signal or could not be started;
  /// nothing was written (exit 9, EDIT_COMMAND_FAILED). `status` says which, e.g.
  /// "exited with status 1".
  case editCommandFailed(command: String, status: String)
  /// One operation of a batch was refused, so the batch changed nothing: `error` is that
  /// operation's own error (and exit code), `index` its position, from 0.
  case batchOperation(index: Int, error: OptimistError)

  /// How a command that fails with this error exits.
  public var exitStatus: ExitStatus {
    switch self {
    case .invalidValue, .missingRequiredParameter, .valueTooLong, .expectedBoolean,
      .unsupportedCurrency:
      return .invalidRequest
    case .versionMismatch, .staleVersionToken: return .versionMismatch
    case .stateRefused: return .stateRefused
    case .notFound, .versionNotFound: return .notFound
    case .idempotencyKeyReused: return .idempotencyKeyReused
    case .cardDeclined: return .cardDeclined
    case .requestTimeout: return .waitTimedOut
    case .busy, .unavailable: return .temporary
    case .storage: return .storageError
    case .editCommandFailed: return .editCommandFailed
    case .batchOperation(_, let error): return error.exitStatus
    }
  }

  /// The HTTP status the server answers this error with (its exit status's).
  public var httpStatus: Int { exitStatus.httpStatus }

  /// Square's error code.
  public var code: String {
    switch self {
    case .invalidValue: return "INVALID_VALUE"
    case .missingRequiredParameter: return "MISSING_REQUIRED_PARAMETER"
    case .valueTooLong: return "VALUE_TOO_LONG"
    case .expectedBoolean: return "EXPECTED_BOOLEAN"
    case .unsupportedCurrency: return "UNSUPPORTED_CURRENCY"
    case .versionMismatch, .staleVersionToken: return "VERSION_MISMATCH"
    case .stateRefused(let refusal, _): return refusal.rawValue
    case .notFound, .versionNotFound: return "NOT_FOUND"
    case .idempotencyKeyReused: return "IDEMPOTENCY_KEY_REUSED"
    case .cardDeclined: return "CARD_DECLINED"
    case .requestTimeout: return "REQUEST_TIMEOUT"
    case .busy, .unavailable: return "TEMPORARY_ERROR"
    case .storage: return "INTERNAL_SERVER_ERROR"
    case .editCommandFailed: return "EDIT_COMMAND_FAILED"
    case .batchOperation(_, let error): return error.code
    }
  }

  /// Square's error category.
  public var category: String {
    switch self {
    case .busy, .unavailable, .storage: return "API_ERROR"
    case .cardDeclined: return "PAYMENT_METHOD_ERROR"
    case .notFound, .versionNotFound, .invalidValue, .missingRequiredParameter, .valueTooLong,
      .expectedBoolean, .unsupportedCurrency, .versionMismatch, .staleVersionToken, .stateRefused,
      .idempotencyKeyReused, .requestTimeout, .editCommandFailed:
      return "INVALID_REQUEST_ERROR"
    case .batchOperation(_, let error): return error.category
    }
  }

  /// The request field the error is about, when there is one.
  public var field: String? {
    switch self {
    case .invalidValue(let field, _), .missingRequiredParameter(let field, _): return field
    case .valueTooLong(let field, _), .expectedBoolean(let field, _): return field
    case .unsupportedCurrency: return "amount_money.currency"
    case .versionMismatch: return "version"
    case .staleVersionToken: return "version_token"
    case .stateRefused(let refusal, _):
      return refusal == .refundAmountInvalid ? "amount_money.amount" : nil
    case .notFound(_, let field): return field
    case .versionNotFound(let field, _): return field
    case .requestTimeout: return nil
    case .idempotencyKeyReused: return "idempotency_key"
    case .cardDeclined: return "source_id"
    case .busy, .unavailable, .storage: return nil
    case .editCommandFailed: return "command"
    case .batchOperation(let index, let error):
      return "operations[\(index)]" + (error.field.map { "." + $0 } ?? "")
    }
  }

  /// A sentence for the person reading stderr.
  public var detail: String {
    switch self {
    case .invalidValue(_, let detail), .missingRequiredParameter(_, let detail): return detail
    case .valueTooLong(let field, let maximum):
      return "`\(field)` must be at most \(maximum) characters long."
    case .expectedBoolean(let field, let value):
      return "`\(field)` must be `true` or `false`, not `\(value)`."
    case .unsupportedCurrency(let currency):
      return "Currency `\(currency)` is not supported: use an upper-case ISO 4217 code such as USD."
    case .versionMismatch(let id, let expected, let actual):
      return
        "Object `\(id)` is at version \(actual), not \(expected): get it again and retry with the new version."
    case .staleVersionToken(let id, let given):
      return
        "Payment `\(id)` has changed since version_token `\(given)`: get it again and retry with its new version_token."
    case .stateRefused(_, let detail): return detail
    case .notFound(let id, _): return "No object with id `\(id)`."
    case .versionNotFound(_, let detail): return detail
    case .requestTimeout(let id, let seconds):
      return "`\(id)` did not change within \(seconds) seconds."
    case .idempotencyKeyReused(let key):
      return "Idempotency key `\(key)` was already used for a different request."
    case .cardDeclined: return "The card was declined; the payment is recorded as FAILED."
    case .busy(let timeout):
      return "The database stayed locked for more than \(timeout) seconds; retry later."
    case .unavailable(let detail), .storage(let detail): return detail
    case .editCommandFailed(let command, let status):
      return "The command `\(command)` \(status); nothing was written."
    case .batchOperation(let index, let error):
      return "operation \(index): \(error.detail) The batch changed nothing."
    }
  }

  /// Square's error document: `{"errors":[{"category":…,"code":…,"detail":…,"field":…}]}`.
  public var document: String {
    var document = JSONObject()
    document.addRaw("errors", errors)
    return document.text
  }

  /// The document's `errors` array: `[{"category":…,"code":…,"detail":…,"field":…}]`.
  public var errors: String {
    var error = JSONObject()
    error.add("category", category)
    error.add("code", code)
    error.add("detail", detail)
    error.add("field", field)
    return "[\(error.text)]"
  }
}

/// Square's codes for a change that the object's state does not allow (exit 7).
public enum StateRefusal: String, CaseIterable, Sendable {
  /// The payment was canceled: it cannot be completed, updated or canceled again.
  case delayedTransactionCanceled = "DELAYED_TRANSACTION_CANCELED"
  /// The payment was completed (captured): it cannot be canceled, updated or completed again.
  case delayedTransactionCaptured = "DELAYED_TRANSACTION_CAPTURED"
  /// The payment was declined (FAILED): nothing to complete, update or cancel.
  case delayedTransactionFailed = "DELAYED_TRANSACTION_FAILED"
  /// Only a COMPLETED payment is refunded; this one was canceled or declined.
  case paymentNotRefundable = "PAYMENT_NOT_REFUNDABLE"
  /// An APPROVED payment is not refunded: cancel it, or complete it first.
  case refundNeedsCompletion = "REFUND_ERROR_PAYMENT_NEEDS_COMPLETION"
  /// The refunds would add up to more than the payment's total.
  case refundAmountInvalid = "REFUND_AMOUNT_INVALID"
}

extension OptimistError {
  /// Maps any error thrown below a command to the error the user sees.
  public init(_ error: any Error, timeout: Double) {
    switch error {
    case let error as OptimistError:
      self = error
    case let error as any DatabaseError:
      self = error.optimistError(timeout: timeout)
    default:
      self = .storage("Internal error: \(error)")
    }
  }
}
