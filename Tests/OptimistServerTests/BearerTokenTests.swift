import OptimistCore
import Testing

@testable import OptimistServer

@Suite struct BearerTokenTests {
  let token: BearerToken

  init() throws {
    token = try BearerToken("s3cret-token")
  }

  @Test func onlyTheExactTokenIsAccepted() {
    #expect(token.accepts("Bearer s3cret-token"))
    #expect(token.accepts("bearer s3cret-token"))
    #expect(token.accepts("BEARER s3cret-token"))
  }

  @Test(arguments: [
    nil, "", "Bearer", "Bearer ", "Bearer s3cret-toke", "Bearer s3cret-tokenn",
    "Bearer S3CRET-TOKEN",
    "Basic s3cret-token", "Bearer  s3cret-token", "Bearers3cret-token", "s3cret-token",
    "Bearer s3cret-token ", "Bearer\ts3cret-token",
  ])
  func anythingElseIsRefused(_ header: String?) {
    #expect(!token.accepts(header))
  }

  @Test(arguments: ["", "has space", "new\nline", "é", String(repeating: "x", count: 1025)])
  func aTokenThatCannotTravelInAHeaderIsRefusedWithoutBeingRepeated(_ text: String) {
    #expect(throws: OptimistError.self) { try BearerToken(text) }
    do {
      _ = try BearerToken(text)
    } catch {
      #expect(!text.isEmpty ? !error.document.contains(text) : true)
    }
  }

  @Test func generatedTokensAre64HexDigitsAndDiffer() throws {
    let first = try BearerToken.generate()
    let second = try BearerToken.generate()
    #expect(
      first.count == 64
        && first.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) })
    #expect(first != second)
  }

  @Test func theFileComesFirstThenTheEnvironmentThenANewOne() throws {
    let fromEnvironment = try BearerToken.resolve(tokenFile: nil, environment: "env-token")
    #expect(fromEnvironment.text == "env-token" && !fromEnvironment.generated)
    let generated = try BearerToken.resolve(tokenFile: nil, environment: "")
    #expect(generated.generated && generated.token.accepts("Bearer " + generated.text))
    #expect(throws: OptimistError.self) {
      try BearerToken.resolve(tokenFile: "/nonexistent/token", environment: "env-token")
    }
  }
}
