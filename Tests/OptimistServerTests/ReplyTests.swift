import OptimistCore
import Testing

@testable import OptimistServer

/// Square's documents from the operations' typed answers (the statuses of real failures are in
/// StatusAgreementTests).
@Suite struct ReplyTests {
  /// An answer as a test gives it: some JSON, and the refusal that comes with it.
  struct Given: Answer {
    let json: String
    var refusal: OptimistError? = nil
  }

  @Test func aSuccessIsWrappedInItsKey() {
    let reply = Reply.wrapped(Given(json: #"{"id":"A"}"#), in: "customer")
    #expect(reply == APIResponse(status: 200, body: #"{"customer":{"id":"A"}}"#))
    #expect(Reply.wrapped(Given(json: "{}"), in: nil) == APIResponse(status: 200, body: "{}"))
  }

  @Test func aDeclineIs402WithTheErrorsAndTheFailedPayment() throws {
    let declined = Given(json: #"{"id":"P","status":"FAILED"}"#, refusal: .cardDeclined)
    for reply in [
      Reply.wrapped(declined, in: "payment"),
      Reply.wrapped(Keyed<Given>.replayed(StoredAnswer(declined)), in: "payment"),
    ] {
      #expect(reply.status == 402)
      let parsed = try JSONValue.parse(reply.body)
      #expect(parsed["payment"]?["status"]?.string == "FAILED")
      #expect(parsed["errors"]?.elements?.first?["code"]?.string == "CARD_DECLINED")
    }
    // The first answer and its replay are the same document.
    #expect(
      Reply.wrapped(declined, in: "payment")
        == Reply.wrapped(Keyed<Given>.replayed(StoredAnswer(declined)), in: "payment"))
  }

  @Test func aReplayedRefusalKeepsItsStatus() {
    let refusal = OptimistError.stateRefused(.delayedTransactionCanceled, detail: "canceled")
    let reply = Reply.wrapped(Keyed<Given>.replayed(StoredAnswer(refusal: refusal)), in: "payment")
    #expect(reply == APIResponse(status: 400, body: refusal.document))
  }

  @Test func theServersOwnRefusalsHaveTheirs() {
    #expect(APIError.unauthorized.status == 401)
    #expect(
      APIError.unauthorized.document.contains(
        #""category":"AUTHENTICATION_ERROR","code":"UNAUTHORIZED""#))
    #expect(APIError.bodyTooLarge(limit: 10).status == 413)
    #expect(APIError.noSuchPath("/x").status == 404)
    #expect(APIError.expectedJSONBody("bad").status == 400)
    #expect(APIError.unknownQueryParameter(name: "q", known: []).status == 400)
  }
}

@Suite struct HTTPDateTests {
  @Test func theDateHeaderIsRFC9110s() {
    #expect(HTTPDate.format(784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
    #expect(HTTPDate.format(0) == "Thu, 01 Jan 1970 00:00:00 GMT")
  }
}
