@testable import OptimistCore

/// Typed requests built from text as the CLI builds them (`Sources/OptimistCLI`): each value
/// goes through the same edge parser (`Values`, `Money.amount`, `Currency`, `IdempotencyKey`,
/// `FieldValues`, `ObjectType.parse`, …) in the same order, so an operation test can say what
/// a user types and get what the command would run.
enum EdgeRequest {
  /// `create-customer`/`create-item` with `--FIELD VALUE` options.
  static func create(
    _ type: ObjectType, _ given: [(String, String?)], key: String? = nil
  ) throws(OptimistError) -> CreateRequest {
    try CreateRequest(type: type, values: FieldValues(type, given: given), key: IdempotencyKey(key))
  }

  /// `update ID [--version V] [--set F=V]… [--unset F]… [--key K]`.
  static func update(
    _ id: String, version: String? = nil, set: [String] = [], unset: [String] = [],
    key: String? = nil, type: ObjectType? = nil
  ) throws -> UpdateRequest {
    let version = try Values.version(version)
    let key = try IdempotencyKey(key)
    return try UpdateRequest(
      id: id, version: version, changes: changes(set: set, unset: unset), key: key, type: type)
  }

  /// `create-payment --key K --amount N --currency C --source-id S …`.
  static func payment(
    key: String = "k", amount: String = "100", currency: String = "USD",
    source: String = "cnon:card-nonce-ok", customerID: String? = nil, referenceID: String? = nil,
    note: String? = nil, autocomplete: String? = nil
  ) throws(OptimistError) -> PaymentRequest {
    try PaymentRequest(
      key: IdempotencyKey(key),
      amount: Money(amount: PaymentRequest.amount(amount), currency: Currency(currency)),
      sourceID: source, customerID: customerID, referenceID: referenceID, note: note,
      autocomplete: Values.boolean(autocomplete, field: "autocomplete"))
  }

  /// `update-payment ID --key K [--amount N] [--tip N]`.
  static func updatePayment(
    _ id: String, key: String, versionToken: String? = nil, amount: String?, tip: String?
  ) throws(OptimistError) -> PaymentUpdateRequest {
    try PaymentUpdateRequest(
      id: id, key: IdempotencyKey(key), versionToken: versionToken,
      amount: amount.map { (raw) throws(OptimistError) in
        try Money.amount(raw, field: "amount_money.amount", positive: true)
      },
      tip: tip.map { (raw) throws(OptimistError) in
        try Money.amount(raw, field: "tip_money.amount", positive: false)
      })
  }

  /// `refund-payment ID --key K --amount N --currency C [--reason R]`.
  static func refund(
    key: String, paymentID: String, amount: String, currency: String, reason: String? = nil
  ) throws(OptimistError) -> RefundRequest {
    try RefundRequest(
      key: IdempotencyKey(key), paymentID: paymentID,
      amount: Money(
        amount: Money.amount(amount, field: "amount_money.amount", positive: true),
        currency: Currency(currency)),
      reason: reason)
  }

  /// `list [--type T] [--limit N] [--cursor C]`.
  static func list(
    type: String? = nil, limit: String? = nil, cursor: String? = nil
  ) throws(OptimistError) -> ListRequest {
    try ListRequest(
      type: type.map { (raw) throws(OptimistError) in try ObjectType.parse(raw) },
      limit: Values.limit(limit), cursor: cursor)
  }

  /// `history ID [--limit N] [--cursor C]`.
  static func history(
    _ id: String, limit: String? = nil, cursor: String? = nil
  ) throws(OptimistError) -> HistoryRequest {
    try HistoryRequest(id: id, limit: Values.limit(limit), cursor: cursor)
  }

  /// `edit ID [--max-attempts N] [--key K] -- COMMAND…`.
  static func edit(
    _ id: String, command: [String] = ["t"], attempts: String? = nil, key: String? = nil
  ) throws(OptimistError) -> EditRequest {
    try EditRequest(
      id: id, command: command,
      maxAttempts: attempts.map { (raw) throws(OptimistError) in try EditRequest.attempts(raw) }
        ?? EditRequest.defaultAttempts,
      key: IdempotencyKey(key))
  }

  /// `batch [--key K]` with `json` on stdin.
  static func batch(_ json: String, key: String? = nil) throws(OptimistError) -> BatchRequest {
    let key = try IdempotencyKey(key)
    return try BatchRequest(json: JSONValue.parse(json), key: key)
  }

  /// `prune-history [--keep N] [--older-than DURATION]`.
  static func pruneHistory(keep: String?, olderThan: String?) throws(OptimistError)
    -> PruneHistoryRequest
  {
    try PruneHistoryRequest(
      keep: keep.map { (raw) throws(OptimistError) in try Values.count(raw, field: "keep") },
      olderThan: olderThan.map { (raw) throws(OptimistError) in
        try Values.duration(raw, field: "older_than")
      })
  }

  /// `wait ID --changed-from V [--timeout S]`.
  static func wait(_ id: String, changedFrom: String, timeout: Double?) throws(OptimistError)
    -> WaitRequest
  {
    WaitRequest(
      id: id, changedFrom: try Values.version(changedFrom, field: "changed_from") ?? 0,
      timeout: timeout)
  }
}
