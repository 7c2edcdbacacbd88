import OptimistCore

struct CreatePayment: Subcommand {
  static let about = About(
    "create-payment", abstract: "Take a payment, at most once per idempotency key.",
    discussion: [
      "Re-running the same command with the same key prints the first answer again and charges nothing; the same key with any other parameter is IDEMPOTENCY_KEY_REUSED (exit 5).",
      "The source cnon:card-nonce-declined is declined: the payment is recorded as FAILED and printed, and CARD_DECLINED goes to stderr (exit 6). Every other source is approved.",
    ],
    examples: [
      "optimist create-payment --key \"$(uuidgen)\" --amount 450 --currency USD --source-id cnon:card-nonce-ok"
    ])

  let request: (key: String, amount: String, currency: String, sourceID: String)
  let customerID: String?
  let referenceID: String?
  let note: String?
  let autocomplete: String?
  let options: StoreOptions

  init(_ arguments: inout Arguments) throws(UsageError) {
    request = (
      arguments.required("key", help: "Idempotency key, 1-45 characters."),
      arguments.required(
        "amount",
        help: "Amount in the currency's smallest unit (cents for USD), a positive whole number."),
      arguments.required("currency", help: "Upper-case ISO 4217 currency code, e.g. USD."),
      arguments.required("source-id", help: "The card nonce or card on file, 1-192 characters.")
    )
    customerID = arguments.option("customer-id", help: "The id of an existing customer.")
    referenceID = arguments.option(
      "reference-id", help: "A second id from another system, at most 40 characters.")
    note = arguments.option("note", help: "A note, at most 500 characters.")
    autocomplete = arguments.option(
      "autocomplete", value: "true|false",
      help: "false leaves the payment APPROVED instead of COMPLETED.",
      completion: .choices { ["true", "false"] })
    options = StoreOptions(&arguments)
  }

  func run() {
    options.run { store in
      let payment = try PaymentRequest(
        key: IdempotencyKey(request.key),
        amount: Money(
          amount: PaymentRequest.amount(request.amount), currency: Currency(request.currency)),
        sourceID: request.sourceID, customerID: customerID, referenceID: referenceID,
        note: note, autocomplete: Values.boolean(autocomplete, field: "autocomplete"))
      return try store.createPayment(payment).printed
    }
  }
}
