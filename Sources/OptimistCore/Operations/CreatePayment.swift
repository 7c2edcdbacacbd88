/// A validated `create-payment` request.
public struct PaymentRequest: Sendable, Equatable {
  public let key: String
  public let amount: Int64
  public let currency: String
  public let sourceID: String
  public let customerID: String?
  public let referenceID: String?
  public let note: String?
  /// nil when `--autocomplete` was not given (which means true).
  public let autocomplete: Bool?

  /// Validates every value; the key is not looked up until this has passed.
  public init(
    key: String, amount: String, currency: String, sourceID: String, customerID: String? = nil,
    referenceID: String? = nil, note: String? = nil, autocomplete: String? = nil
  ) throws(OptimistError) {
    self.key = try validateIdempotencyKey(key)
    guard let amount = Values.wholeNumber(amount), amount > 0 else {
      throw .invalidValue(
        field: "amount_money.amount",
        detail:
          "`amount` must be a positive whole number of the currency's smallest unit (at most \(Int64.max)), not `\(amount)`."
      )
    }
    self.amount = amount
    self.currency = try Currency.validate(currency)
    self.sourceID = try Values.text(sourceID, field: "source_id", maxLength: 192) ?? ""
    self.customerID = customerID
    self.referenceID = try Values.text(referenceID, field: "reference_id", maxLength: 40)
    self.note = try Values.text(note, field: "note", maxLength: 500)
    self.autocomplete = try Values.boolean(autocomplete, field: "autocomplete")
  }

  /// Every parameter, present or not, for comparing with the request a key was first used for.
  var fingerprint: String {
    var object = JSONObject()
    object.add("amount", amount)
    object.add("currency", currency)
    object.add("source_id", sourceID)
    object.add("customer_id", customerID)
    object.add("reference_id", referenceID)
    object.add("note", note)
    object.add("autocomplete", autocomplete)
    return object.text
  }
}

extension StoreEngine {
  /// Creates a payment and its idempotency row in one transaction, or replays the first
  /// response to this key. A declined source records a FAILED payment and exits 6.
  public func createPayment(_ request: PaymentRequest) throws -> Output {
    // A payment for a customer needs the database that holds the customer.
    try write(creating: request.customerID == nil) { db in
      try db.idempotent(
        command: "create-payment", key: request.key, request: request.fingerprint,
        check: {
          if let customerID = request.customerID, try db.object(id: customerID, type: .customer) == nil {
            throw OptimistError.notFound(id: customerID, field: "customer_id")
          }
        }
      ) {
        let payment = Payment(request: request, now: Timestamp.now())
        try db.insert(payment)
        var output = Output.success(payment.json)
        if payment.status == .failed {
          output.stderr = OptimistError.cardDeclined.document + "\n"
          output.status = OptimistError.cardDeclined.exitStatus
        }
        return (payment.id, output)
      }
    }
  }

  /// Deletes idempotency keys older than `olderThan` (`90s`, `30m`, `24h`, `7d`; `0s` prunes
  /// all) and prints `{"deleted_keys":N}`. Payments are never pruned.
  public func pruneKeys(olderThan raw: String) throws -> Output {
    let age = try Values.duration(raw, field: "older_than")
    return try write(creating: false) { db in
      let cutoff = Timestamp(milliseconds: Timestamp.now().milliseconds - age)
      var document = JSONObject()
      document.add("deleted_keys", Int64(try db.pruneKeys(createdAtOrBefore: cutoff)))
      return .success(document.text)
    }
  }
}
