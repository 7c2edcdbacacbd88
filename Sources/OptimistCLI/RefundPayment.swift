import OptimistCore

struct RefundPayment: Subcommand {
  static let about = About(
    "refund-payment", abstract: "Refund part or all of a COMPLETED payment, at most once per key.",
    discussion: [
      "The refunds of a payment never add up to more than its total_money (REFUND_AMOUNT_INVALID, exit 7), however many processes refund at once. An APPROVED payment is REFUND_ERROR_PAYMENT_NEEDS_COMPLETION (exit 7: cancel it instead); a canceled or declined one PAYMENT_NOT_REFUNDABLE (exit 7). The currency must be the payment's. Prints the PaymentRefund; the payment gets refunded_money, refund_ids and a new version_token."
    ],
    examples: [
      "optimist refund-payment --key \"$(uuidgen)\" --payment-id 7WPM2YVQ4J5XGTNQ3SZ6ABCDEF --amount 100 --currency USD --reason 'Cold coffee'"
    ])

  let request: (key: String, paymentID: String, amount: String, currency: String)
  let reason: String?
  let paymentVersionToken: String?
  let options: StoreOptions

  init(_ arguments: inout Arguments) throws(UsageError) {
    request = (
      arguments.required("key", help: "Idempotency key, 1-45 characters."),
      arguments.required("payment-id", value: "id", help: "The COMPLETED payment to refund."),
      arguments.required(
        "amount", help: "Amount in the currency's smallest unit, a positive whole number."),
      arguments.required("currency", help: "The payment's currency, e.g. USD.")
    )
    reason = arguments.option("reason", help: "Why, at most 192 characters.")
    paymentVersionToken = arguments.option(
      "payment-version-token", value: "token",
      help: "The payment's version_token you read; a stale one is VERSION_MISMATCH (exit 3).")
    options = StoreOptions(&arguments)
  }

  func run() {
    options.run { store in
      let refund = try RefundRequest(
        key: IdempotencyKey(request.key), paymentID: request.paymentID,
        amount: Money(
          amount: Money.amount(request.amount, field: "amount_money.amount", positive: true),
          currency: Currency(request.currency)),
        reason: reason, paymentVersionToken: paymentVersionToken)
      return try store.refundPayment(refund).printed
    }
  }
}
