import OptimistCore
import Testing

@testable import OptimistServer

/// Request bodies: one JSON object, Square's type errors, and nothing unknown taken silently.
@Suite struct BodyTests {
  func body(_ text: String) throws(APIError) -> Body { try Body(Array(text.utf8)) }

  @Test(arguments: ["", "  \n"])
  func anEmptyBodyIsAnEmptyObject(_ text: String) throws {
    #expect(try body(text).members.isEmpty)
  }

  @Test func aMemberRequiredOfAnEmptyBodyIsExpectedJSONBody() throws {
    let empty = try body("")
    #expect(
      throws: APIError.expectedJSONBody(
        "The request body is empty; this endpoint takes a JSON object with `source_id`.")
    ) {
      try empty.required("source_id", empty.string)
    }
    let object = try body("{}")
    #expect {
      try object.required("source_id", object.string)
    } throws: { error in
      guard case .operation(.missingRequiredParameter)? = error as? APIError else { return false }
      return true
    }
  }

  @Test func anErrorRepeatsAtMost200CharactersOfTheInput() throws {
    let name = String(repeating: "k", count: 1 << 20)
    let error = #expect(throws: APIError.self) {
      try body("{\"\(name)\":1}").only(["given_name"])
    }
    let document = try #require(error?.document)
    #expect(document.utf8.count < 1000, "\(document.utf8.count) bytes")
    #expect(document.contains(String(repeating: "k", count: 200) + "…"))
    #expect(!document.contains(String(repeating: "k", count: 201)))
    let path = APIError.noSuchPath("/" + name).document
    #expect(path.utf8.count < 1000)
  }

  @Test(arguments: ["[]", "1", "\"x\"", "{", "{\"a\":1,}", "{\"a\":1,\"a\":2}", "nul"])
  func anythingButOneObjectIsExpectedJSONBody(_ text: String) {
    #expect {
      try body(text)
    } throws: { error in
      guard case .expectedJSONBody = error as? APIError else { return false }
      return (error as? APIError)?.status == 400
    }
  }

  @Test func typesAreCheckedWithTheFieldsPath() throws {
    let parsed = try body(
      #"{"s":1,"n":"1","f":1.5,"b":"true","o":[],"m":{"amount":"5","currency":"USD"}}"#)
    #expect(throws: APIError.expectedType(field: "s", code: "EXPECTED_STRING", found: "a number")) {
      try parsed.string("s")
    }
    #expect(throws: APIError.expectedType(field: "n", code: "EXPECTED_INTEGER", found: "a string"))
    { try parsed.integer("n") }
    #expect(throws: APIError.expectedType(field: "f", code: "EXPECTED_INTEGER", found: "`1.5`")) {
      try parsed.integer("f")
    }
    #expect(throws: APIError.expectedType(field: "b", code: "EXPECTED_BOOLEAN", found: "a string"))
    { try parsed.boolean("b") }
    #expect(throws: APIError.expectedType(field: "o", code: "EXPECTED_OBJECT", found: "an array")) {
      try parsed.object("o")
    }
    #expect(
      throws: APIError.expectedType(field: "m.amount", code: "EXPECTED_INTEGER", found: "a string")
    ) {
      try parsed.money("m")
    }
  }

  @Test func nullAndAbsentAreNilAndRequiredSaysWhich() throws {
    let parsed = try body(#"{"a":null,"m":{"amount":5}}"#)
    #expect(try parsed.string("a") == nil)
    #expect(try parsed.string("missing") == nil)
    #expect(parsed.value("a") == .null)
    #expect(
      throws: APIError.operation(.missingRequiredParameter(field: "a", detail: "`a` is required."))
    ) {
      try parsed.required("a", parsed.string)
    }
    #expect(
      throws: APIError.operation(
        .missingRequiredParameter(field: "m.currency", detail: "`m.currency` is required."))
    ) { try parsed.money("m") }
  }

  @Test func unknownMembersAreRefusedByName() throws {
    let parsed = try body(#"{"given_name":"Ada","nickname":"A"}"#)
    #expect(throws: APIError.unknownBodyParameter(field: "nickname", known: ["given_name"])) {
      try parsed.only(["given_name"])
    }
    let error = APIError.unknownBodyParameter(field: "nickname", known: ["given_name"])
    #expect(error.document.contains(#""code":"UNKNOWN_BODY_PARAMETER""#))
    #expect(error.document.contains(#""field":"nickname""#))
  }
}
