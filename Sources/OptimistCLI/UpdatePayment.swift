import OptimistCore

struct UpdatePayment: Subcommand {
  static let about = About(
    "update-payment",
    abstract: "Change an APPROVED payment's amount or tip, at most once per idempotency key.",
    discussion: [
      "total_money follows (amount + tip). With --version-token, a stale token is VERSION_MISMATCH (exit 3) and changes nothing; without it the latest is assumed. A payment that is not APPROVED is exit 7 (DELAYED_TRANSACTION_CAPTURED, _CANCELED or _FAILED)."
    ],
    examples: [
      "optimist update-payment 7WPM2YVQ4J5XGTNQ3SZ6ABCDEF --key \"$(uuidgen)\" --version-token \"$TOKEN\" --tip 100"
    ])

  let id: String
  let key: String
  let versionToken: String?
  let amount: String?
  let tip: String?
  let options: StoreOptions

  init(_ arguments: inout Arguments) throws(UsageError) {
    id = arguments.argument("id", help: "The payment's id.")
    key = arguments.required("key", help: "Idempotency key, 1-45 characters.")
    versionToken = arguments.option(
      "version-token", value: "token",
      help: "The version_token you read (from get); without it, the latest.")
    amount = arguments.option(
      "amount", help: "The new amount in the currency's smallest unit, a positive whole number.")
    tip = arguments.option("tip", help: "The new tip in the currency's smallest unit, 0 or more.")
    options = StoreOptions(&arguments)
  }

  func run() {
    options.run { store in
      let request = try PaymentUpdateRequest(
        id: id, key: IdempotencyKey(key), versionToken: versionToken,
        amount: amount.map { (raw) throws(OptimistError) in
          try Money.amount(raw, field: "amount_money.amount", positive: true)
        },
        tip: tip.map { (raw) throws(OptimistError) in
          try Money.amount(raw, field: "tip_money.amount", positive: false)
        })
      return try store.updatePayment(request).printed
    }
  }
}
