import OptimistCore
import Testing

@testable import OptimistServer

/// Square's documents from what the operations print (the statuses of real failures are in
/// StatusAgreementTests).
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

  @Test func theServersOwnRefusalsHaveTheirs() {
    #expect(APIError.unauthorized.status == 401)
    #expect(APIError.unauthorized.document.contains(#""category":"AUTHENTICATION_ERROR","code":"UNAUTHORIZED""#))
    #expect(APIError.bodyTooLarge(limit: 10).status == 413)
    #expect(APIError.noSuchPath("/x").status == 404)
    #expect(APIError.expectedJSONBody("bad").status == 400)
    #expect(APIError.unknownQueryParameter(name: "q", known: []).status == 400)
  }
}
