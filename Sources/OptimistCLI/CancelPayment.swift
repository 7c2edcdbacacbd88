import OptimistCore

struct CancelPayment: Subcommand {
  static let about = About(
    "cancel-payment",
    abstract: "Cancel an APPROVED payment, by its id or by the key it was created with.",
    discussion: [
      "With an id: APPROVED becomes CANCELED; a payment that is not APPROVED is exit 7 (DELAYED_TRANSACTION_CAPTURED, _CANCELED or _FAILED); --key then makes the cancel idempotent.",
      "Without an id, --key is the key of a create-payment whose answer was lost: the payment it created is canceled if it is still APPROVED ({\"payment\":…}; a canceled or declined one is left as it is, a COMPLETED one is exit 7). If no payment has that key it prints {} and takes the key, so that a create-payment with it that arrives later charges nothing (exit 7, DELAYED_TRANSACTION_CANCELED).",
    ],
    examples: [
      "optimist cancel-payment 7WPM2YVQ4J5XGTNQ3SZ6ABCDEF",
      "optimist cancel-payment --key \"$KEY\"",
    ])

  let id: String?
  let key: String?
  let options: StoreOptions

  init(_ arguments: inout Arguments) throws(UsageError) {
    id = arguments.optionalArgument(
      "id", help: "The payment's id (leave it out to cancel by --key).")
    key = arguments.option(
      "key",
      help:
        "Without an id: the idempotency key the payment was created with. With an id: a key that makes this cancel idempotent."
    )
    options = StoreOptions(&arguments)
    guard arguments.isDescribing || id != nil || key != nil else {
      throw UsageError(
        "cancel-payment needs a payment id, or --key with the key it was created with.")
    }
  }

  func run() {
    options.run { store in
      guard let id else { return try store.cancelPayment(byKey: IdempotencyKey(key ?? "")).printed }
      let request = PaymentStatusRequest(.cancel, id: id, key: try IdempotencyKey(key))
      return try store.changeStatus(request).printed
    }
  }
}
