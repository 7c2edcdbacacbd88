import OptimistCore

/// The Refunds API: refund a COMPLETED payment (idempotent), retrieve, list.
enum Refunds {
  /// `POST /v2/refunds` → `{"refund":…}`.
  static func create(_ request: APIRequest) throws(APIError) -> Job {
    let body = try Body(request.body)
    try body.only([
      "idempotency_key", "payment_id", "amount_money", "reason", "payment_version_token",
    ])
    let key = try body.required("idempotency_key", body.string)
    let payment = try body.required("payment_id", body.string)
    let money = try body.required("amount_money", body.money)
    let reason = try body.string("reason")
    let token = try body.string("payment_version_token")
    let refund = try validated { () throws(OptimistError) in
      try RefundRequest(
        key: IdempotencyKey(key), paymentID: payment, amount: money, reason: reason,
        paymentVersionToken: token)
    }
    return { store in Reply.wrapped(try store.refundPayment(refund), in: "refund") }
  }

  /// `GET /v2/refunds/{id}` → `{"refund":…}`.
  static func retrieve(_ id: String, _ request: APIRequest) throws(APIError) -> Job {
    _ = try Query(request.query, known: [])
    return { store in Reply.wrapped(try store.get(id: id, type: .refund), in: "refund") }
  }

  /// `GET /v2/refunds?limit=&cursor=` → `{"refunds":[…],"cursor":"…"}`, oldest first.
  static func list(_ request: APIRequest) throws(APIError) -> Job {
    let query = try Query(request.query, known: ["limit", "cursor"])
    let list = try validated { () throws(OptimistError) in
      try ListRequest(type: .refund, limit: Values.limit(query["limit"]), cursor: query["cursor"])
    }
    return { store in Reply.page(try store.list(list), in: "refunds") }
  }
}
