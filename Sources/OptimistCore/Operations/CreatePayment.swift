/// `create-payment`: a payment and its idempotency row in one transaction, or the first
/// answer to the key replayed. A declined source records a FAILED payment and exits 6.
public struct PaymentRequest: IdempotentRequest, Equatable {
  public let key: IdempotencyKey?
  public let amount: Money
  public let sourceID: String
  public let customerID: String?
  public let referenceID: String?
  public let note: String?
  /// nil when `--autocomplete` was not given (which means true).
  public let autocomplete: Bool?

  /// Validates every value; the key is not looked up until this has passed.
  public init(
    key: IdempotencyKey, amount: Money, sourceID: String, customerID: String? = nil,
    referenceID: String? = nil, note: String? = nil, autocomplete: Bool? = nil
  ) throws(OptimistError) {
    self.key = key
    guard amount.amount > 0 else { throw PaymentRequest.badAmount(String(amount.amount)) }
    self.amount = amount
    self.sourceID = try Values.text(sourceID, field: "source_id", maxLength: 192) ?? ""
    self.customerID = customerID
    self.referenceID = try Values.text(referenceID, field: "reference_id", maxLength: 40)
    self.note = try Values.text(note, field: "note", maxLength: 500)
    self.autocomplete = autocomplete
  }

  /// `--amount` as given: a positive whole number of the currency's smallest unit.
  public static func amount(_ raw: String) throws(OptimistError) -> Int64 {
    guard let amount = Values.wholeNumber(raw), amount > 0 else { throw badAmount(raw) }
    return amount
  }

  private static func badAmount(_ raw: String) -> OptimistError {
    .invalidValue(
      field: "amount_money.amount",
      detail:
        "`amount` must be a positive whole number of the currency's smallest unit (at most "
        + "\(Int64.max)), not `\(raw)`.")
  }
}

/// A payment just created: declined ones are recorded as FAILED and refused with
/// CARD_DECLINED, the payment still in the answer.
public struct NewPayment: Answer, Equatable {
  public let payment: Payment
  /// The payment's JSON, rendered once: its event, its key's stored answer and what the
  /// CLI prints are the same text.
  public let json: String

  init(payment: Payment) {
    self.payment = payment
    json = payment.json
  }

  public var refusal: OptimistError? { payment.status == .failed ? .cardDeclined : nil }
}

extension StoreEngine {
  /// Creates the payment, or replays the first answer to its key.
  public func createPayment(_ request: PaymentRequest) throws -> Keyed<NewPayment> {
    // A payment for a customer needs the database that holds the customer.
    try Keyed(
      try write(creating: request.customerID == nil) { db in
        try db.idempotent(
          .createPayment, request,
          ahead: request.customerID.map { WriteTransaction.containment(id: $0, type: .customer) },
          check: {
            if let customerID = request.customerID {
              try db.require(
                WriteTransaction.containment(id: customerID, type: .customer),
                otherwise: .notFound(id: customerID, field: "customer_id"))
            }
          }
        ) {
          let created = NewPayment(payment: Payment(request: request, now: Timestamp.now()))
          try db.insert(created.payment, json: created.json)
          return (created.payment.id, created)
        }
      })
  }
}

extension Payment {
  /// A new payment for a validated request, declined or approved by its source.
  init(request: PaymentRequest, now: Timestamp) {
    self.init(
      id: ObjectID.make(), createdAt: now, amount: request.amount.amount,
      currency: request.amount.currency.code,
      status: request.sourceID == Payment.declinedSource
        ? .failed : (request.autocomplete ?? true) ? .completed : .approved,
      sourceID: request.sourceID, customerID: request.customerID,
      referenceID: request.referenceID, note: request.note)
  }
}
