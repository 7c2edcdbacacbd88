import OptimistCore

/// The Payments API: create (idempotent; the declined test nonce is 402), retrieve, list,
/// update, complete, cancel, and cancel by idempotency key.
enum Payments {
  /// `POST /v2/payments` → `{"payment":…}`.
  static func create(_ request: APIRequest) throws(APIError) -> Job {
    let body = try Body(request.body)
    try body.only([
      "source_id", "idempotency_key", "amount_money", "autocomplete", "customer_id", "reference_id",
      "note",
    ])
    let key = try body.required("idempotency_key", body.string)
    let source = try body.required("source_id", body.string)
    let money = try body.required("amount_money", body.money)
    let customer = try body.string("customer_id")
    let reference = try body.string("reference_id")
    let note = try body.string("note")
    let autocomplete = try body.boolean("autocomplete")
    let payment = try validated { () throws(OptimistError) in
      try PaymentRequest(
        key: IdempotencyKey(key), amount: money, sourceID: source, customerID: customer,
        referenceID: reference, note: note, autocomplete: autocomplete)
    }
    return { store in Reply.wrapped(try store.createPayment(payment), in: "payment") }
  }

  /// `GET /v2/payments/{id}` → `{"payment":…}`.
  static func retrieve(_ id: String, _ request: APIRequest) throws(APIError) -> Job {
    _ = try Query(request.query, known: [])
    return { store in Reply.wrapped(try store.get(id: id, type: .payment), in: "payment") }
  }

  /// `GET /v2/payments?limit=&cursor=` → `{"payments":[…],"cursor":"…"}`, oldest first
  /// (`sort_order=ASC`; Square's default DESC is not offered).
  static func list(_ request: APIRequest) throws(APIError) -> Job {
    let query = try Query(request.query, known: ["limit", "cursor", "sort_order"])
    if let order = query["sort_order"], order != "ASC" {
      throw .operation(
        .invalidValue(
          field: "sort_order",
          detail: "optimist lists payments oldest first: `sort_order` can only be ASC."))
    }
    let list = try validated { () throws(OptimistError) in
      try ListRequest(type: .payment, limit: Values.limit(query["limit"]), cursor: query["cursor"])
    }
    return { store in Reply.page(try store.list(list), in: "payments") }
  }

  /// `PUT /v2/payments/{id}` with `{"idempotency_key":…,"payment":{"amount_money":…,
  /// "tip_money":…,"version_token":…}}` → `{"payment":…}`: an APPROVED payment's amounts.
  static func update(_ id: String, _ request: APIRequest) throws(APIError) -> Job {
    let body = try Body(request.body)
    try body.only(["idempotency_key", "payment"])
    let key = try body.required("idempotency_key", body.string)
    let payment = try body.required("payment", body.object)
    try payment.only(["amount_money", "tip_money", "version_token"])
    let amount = try payment.money("amount_money")
    let tip = try payment.money("tip_money")
    if let amount, let tip, amount.currency != tip.currency {
      throw .operation(
        .invalidValue(
          field: "payment.tip_money.currency",
          detail:
            "`tip_money` must be in the currency of `amount_money` (\(amount.currency.code)), "
            + "not \(tip.currency.code)."))
    }
    let token = try payment.string("version_token")
    let update = try validated { () throws(OptimistError) in
      try PaymentUpdateRequest(
        id: id, key: IdempotencyKey(key), versionToken: token, amount: amount?.amount,
        tip: tip?.amount, currency: amount?.currency ?? tip?.currency)
    }
    return { store in Reply.wrapped(try store.updatePayment(update), in: "payment") }
  }

  /// `POST /v2/payments/{id}/complete` with an optional `version_token` → `{"payment":…}`.
  static func complete(_ id: String, _ request: APIRequest) throws(APIError) -> Job {
    let body = try Body(request.body)
    try body.only(["version_token"])
    let token = try body.string("version_token")
    let complete = PaymentStatusRequest(.complete, id: id, versionToken: token, key: nil)
    return { store in Reply.wrapped(try store.changeStatus(complete), in: "payment") }
  }

  /// `POST /v2/payments/{id}/cancel` → `{"payment":…}`.
  static func cancel(_ id: String, _ request: APIRequest) throws(APIError) -> Job {
    try Body(request.body).only([])
    let cancel = PaymentStatusRequest(.cancel, id: id, key: nil)
    return { store in Reply.wrapped(try store.changeStatus(cancel), in: "payment") }
  }

  /// `POST /v2/payments/cancel` with `{"idempotency_key":…}` → `{}` (Square's
  /// CancelPaymentByIdempotencyKey; optimist also puts the canceled payment in it).
  static func cancelByKey(_ request: APIRequest) throws(APIError) -> Job {
    let body = try Body(request.body)
    try body.only(["idempotency_key"])
    let text = try body.required("idempotency_key", body.string)
    let key = try validated { () throws(OptimistError) in try IdempotencyKey(text) }
    return { store in Reply.wrapped(try store.cancelPayment(byKey: key), in: nil) }
  }
}
