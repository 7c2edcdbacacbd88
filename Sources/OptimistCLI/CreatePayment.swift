import ArgumentParser
import OptimistCore

struct CreatePayment: FastParsable {
  static let configuration = CommandConfiguration(
    commandName: "create-payment",
    _superCommandName: "optimist",
    abstract: "Take a payment, at most once per idempotency key.",
    discussion: """
      Re-running the same command with the same key prints the first answer again and charges
      nothing; the same key with any other parameter is IDEMPOTENCY_KEY_REUSED (exit 5). The
      source cnon:card-nonce-declined is declined: the payment is recorded as FAILED (exit 6).

      Example:
        optimist create-payment --key "$(uuidgen)" --amount 450 --currency USD --source-id cnon:card-nonce-ok
      """)

  @Option(parsing: .unconditional, help: "Idempotency key, 1-45 characters.") var key: String
  @Option(
    parsing: .unconditional,
    help: "Amount in the currency's smallest unit (cents for USD), a positive whole number.")
  var amount: String
  @Option(parsing: .unconditional, help: "Upper-case ISO 4217 currency code, e.g. USD.")
  var currency: String
  @Option(parsing: .unconditional, help: "The card nonce or card on file, 1-192 characters.")
  var sourceId: String
  @Option(parsing: .unconditional, help: "The id of an existing customer.") var customerId: String?
  @Option(parsing: .unconditional, help: "A second id from another system, at most 40 characters.")
  var referenceId: String?
  @Option(parsing: .unconditional, help: "A note, at most 500 characters.") var note: String?
  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "false leaves the payment APPROVED instead of COMPLETED.", valueName: "true|false"))
  var autocomplete: String?
  @OptionGroup var options: StoreOptions

  func run() {
    options.run { store in
      try store.createPayment(
        PaymentRequest(
          key: key, amount: amount, currency: currency, sourceID: sourceId,
          customerID: customerId, referenceID: referenceId, note: note, autocomplete: autocomplete))
    }
  }

  static var syntax: FastSyntax<CreatePayment> {
    FastSyntax(
      options: [
        "--key": .required({ $0.key = $1 }), "--amount": .required({ $0.amount = $1 }),
        "--currency": .required({ $0.currency = $1 }),
        "--source-id": .required({ $0.sourceId = $1 }),
        "--customer-id": .optional({ $0.customerId = $1 }),
        "--reference-id": .optional({ $0.referenceId = $1 }),
        "--note": .optional({ $0.note = $1 }),
        "--autocomplete": .optional({ $0.autocomplete = $1 }),
      ], store: { $0.options = $1 })
  }
}
