import OptimistCore
import Testing

@testable import OptimistServer

/// Square's documents from what the operations print, and the one status table.
@Suite struct ReplyTests {
  @Test func aSuccessIsWrappedInItsKey() {
    let reply = Reply.wrapped(.success(#"{"id":"A"}"#), in: "customer")
    #expect(reply == APIResponse(status: 200, body: #"{"customer":{"id":"A"}}"#))
    #expect(Reply.wrapped(.success("{}"), in: nil) == APIResponse(status: 200, body: "{}"))
  }

  @Test func aDeclineIs402WithTheErrorsAndTheFailedPayment() {
    var output = Output.success(#"{"id":"P","status":"FAILED"}"#)
    output.stderr = OptimistError.cardDeclined.document + "\n"
    output.status = OptimistError.cardDeclined.exitStatus
    let reply = Reply.wrapped(output, in: "payment")
    #expect(reply.status == 402)
    let parsed = try? JSONValue.parse(reply.body)
    #expect(parsed?["payment"]?["status"]?.string == "FAILED")
    #expect(parsed?["errors"]?.elements?.first?["code"]?.string == "CARD_DECLINED")
  }

  @Test func aReplayedRefusalKeepsItsStatus() {
    let refusal = OptimistError.stateRefused(.delayedTransactionCanceled, detail: "canceled")
    let reply = Reply.wrapped(Output(error: refusal), in: "payment")
    #expect(reply == APIResponse(status: 400, body: refusal.document))
  }

  static let statuses: [(OptimistError, Int)] = [
    (.invalidValue(field: nil, detail: ""), 400), (.missingRequiredParameter(field: nil, detail: ""), 400),
    (.valueTooLong(field: "f", maximum: 1), 400), (.expectedBoolean(field: "f", value: "x"), 400),
    (.unsupportedCurrency("XYZ"), 400), (.versionMismatch(id: "A", expected: 1, actual: 2), 400),
    (.staleVersionToken(id: "A", given: "T"), 400), (.idempotencyKeyReused(key: "K"), 400),
    (.stateRefused(.refundAmountInvalid, detail: ""), 400), (.notFound(id: "A", field: nil), 404),
    (.cardDeclined, 402), (.busy(timeout: 1), 503), (.unavailable("down"), 503), (.storage("disk"), 500),
  ]

  /// VERSION_MISMATCH and IDEMPOTENCY_KEY_REUSED are 400, never 409: Square's SDKs retry 409s.
  @Test(arguments: statuses)
  func everyErrorHasSquaresStatus(_ error: OptimistError, _ status: Int) {
    #expect(error.httpStatus == status)
    #expect(APIError.operation(error).response == APIResponse(status: status, body: error.document))
  }

  @Test func theServersOwnRefusalsHaveTheirs() {
    #expect(APIError.unauthorized.status == 401)
    #expect(APIError.unauthorized.document.contains(#""category":"AUTHENTICATION_ERROR","code":"UNAUTHORIZED""#))
    #expect(APIError.bodyTooLarge(limit: 10).status == 413)
    #expect(APIError.noSuchPath("/x").status == 404)
    #expect(APIError.expectedJSONBody("bad").status == 400)
    #expect(APIError.unknownQueryParameter(name: "q", known: []).status == 400)
  }
}
