import OptimistCore

struct CompletePayment: Subcommand {
  static let about = About(
    "complete-payment", abstract: "Complete (capture) an APPROVED payment.",
    discussion: [
      "APPROVED becomes COMPLETED. A stale --version-token is VERSION_MISMATCH (exit 3); a payment that is not APPROVED is exit 7 (DELAYED_TRANSACTION_CAPTURED, _CANCELED or _FAILED). With --key, a retry replays the first answer."
    ],
    examples: ["optimist complete-payment 7WPM2YVQ4J5XGTNQ3SZ6ABCDEF --version-token \"$TOKEN\""])

  let id: String
  let versionToken: String?
  let key: String?
  let options: StoreOptions

  init(_ arguments: inout Arguments) throws(UsageError) {
    id = arguments.argument("id", help: "The payment's id.")
    versionToken = arguments.option(
      "version-token", value: "token",
      help: "The version_token you read (from get); without it, the latest.")
    key = arguments.option(
      "key", help: "Idempotency key (1-45 characters): a retry with it replays the first answer.")
    options = StoreOptions(&arguments)
  }

  func run() {
    options.run { store in
      let request = PaymentStatusRequest(
        .complete, id: id, versionToken: versionToken, key: try IdempotencyKey(key))
      return try store.changeStatus(request).printed
    }
  }
}
