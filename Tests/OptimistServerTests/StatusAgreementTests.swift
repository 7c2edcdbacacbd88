import Foundation
import OptimistCore
import Testing

@testable import OptimistServer

/// optimist's exit status, not Swift Testing's `ExitStatus` (of exit tests), in every file
/// of this test target.
typealias ExitStatus = OptimistCore.ExitStatus

/// Real failures through the API in process: the HTTP status is the one `ExitStatus` gives
/// the Square code in the answer, so the server and the CLI (whose exit code is that same
/// status's) agree on every outcome, a replayed one included.
@Suite struct StatusAgreementTests {
  let folder: String

  init() throws {
    _ = registerSQLite
    folder =
      FileManager.default.temporaryDirectory
      .appendingPathComponent("optimist-status-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
  }

  func api(_ location: String? = nil, timeout: Double = 5) throws -> SquareAPI {
    SquareAPI(
      token: try BearerToken("t"), location: location ?? folder + "/optimist.db",
      timeout: timeout, workers: 1)
  }

  /// Sends a request; returns the HTTP status and the Square code of the answer's first error.
  func send(
    _ api: SquareAPI, _ method: String, _ target: String, _ body: String = ""
  ) async -> (status: Int, code: String?, document: JSONValue?) {
    let response = await api.respond(
      to: APIRequest(method: method, target: target, body: Array(body.utf8)))
    let document = try? JSONValue.parse(response.body)
    return (response.status, document?["errors"]?.elements?.first?["code"]?.string, document)
  }

  /// The status `code` belongs to, and that the answer has that status's HTTP status.
  func expectAgreement(
    _ answer: (status: Int, code: String?, document: JSONValue?), _ expected: ExitStatus,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    let status = ExitStatus.allCases.first { $0.squareCodes.contains(answer.code ?? "") }
    #expect(status == expected, "\(answer)", sourceLocation: sourceLocation)
    #expect(answer.status == expected.httpStatus, "\(answer)", sourceLocation: sourceLocation)
    // Never 409: Square's SDKs retry a 409, which would send a write again.
    #expect(answer.status != 409, "\(answer)", sourceLocation: sourceLocation)
  }

  static let payment =
    #"{"idempotency_key":"k","source_id":"cnon:card-nonce-ok","#
    + #""amount_money":{"amount":450,"currency":"USD"}}"#

  @Test func everyOperationsRefusalHasItsStatussHTTPStatus() async throws {
    let api = try api()
    let created = await send(api, "POST", "/v2/customers", #"{"given_name":"Ada"}"#)
    #expect(created.status == ExitStatus.success.httpStatus)
    let customer = try #require(created.document?["customer"]?["id"]?.string)
    let paid = await send(api, "POST", "/v2/payments", Self.payment)
    let payment = try #require(paid.document?["payment"]?["id"]?.string)

    expectAgreement(
      await send(api, "GET", "/v2/payments?sort_order=DESC"), .invalidRequest)
    expectAgreement(
      await send(api, "PUT", "/v2/customers/\(customer)", #"{"version":9,"note":"x"}"#),
      .versionMismatch)
    expectAgreement(await send(api, "GET", "/v2/customers/AAAAAAAAAAAAAAAAAAAAAAAAAA"), .notFound)
    let reused = Self.payment.replacingOccurrences(of: "450", with: "451")
    expectAgreement(await send(api, "POST", "/v2/payments", reused), .idempotencyKeyReused)
    let declined = Self.payment.replacingOccurrences(of: "\"k\"", with: "\"d\"")
      .replacingOccurrences(of: "card-nonce-ok", with: "card-nonce-declined")
    let decline = await send(api, "POST", "/v2/payments", declined)
    expectAgreement(decline, .cardDeclined)
    #expect(decline.document?["payment"]?["status"]?.string == "FAILED")
    // Replayed from the stored exit code: the same status again.
    expectAgreement(await send(api, "POST", "/v2/payments", declined), .cardDeclined)
    expectAgreement(
      await send(api, "POST", "/v2/payments/\(payment)/complete", "{}"), .stateRefused)
    let refund =
      #"{"idempotency_key":"r","payment_id":"\#(payment)","#
      + #""amount_money":{"amount":451,"currency":"USD"}}"#
    expectAgreement(await send(api, "POST", "/v2/refunds", refund), .stateRefused)
  }

  @Test func aStoreThatIsNoDatabaseIsAStorageError() async throws {
    let path = folder + "/notes.txt"
    try Data("not a database\n".utf8).write(to: URL(fileURLWithPath: path))
    let api = try api(path)
    expectAgreement(await send(api, "GET", "/v2/customers"), .storageError)
  }

  /// Exit 75's outcome: `/usr/bin/sqlite3` holds the write lock past the request's timeout.
  @Test func aLockedStoreIsTemporary() async throws {
    let path = folder + "/optimist.db"
    let api = try api(path, timeout: 0)
    #expect(await send(api, "POST", "/v2/customers", #"{"given_name":"Ada"}"#).status == 200)
    let marker = folder + "/has-lock"
    let holder = Process()
    holder.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
    holder.arguments = [path]
    let input = Pipe()
    holder.standardInput = input
    holder.standardOutput = FileHandle.nullDevice
    try holder.run()
    input.fileHandleForWriting.write(Data("BEGIN IMMEDIATE;\n.shell touch '\(marker)'\n".utf8))
    defer {
      input.fileHandleForWriting.write(Data("ROLLBACK;\n.quit\n".utf8))
      try? input.fileHandleForWriting.close()
      holder.waitUntilExit()
    }
    // Bounded wait for the holder to say it has the lock (not a timing assertion).
    for _ in 0..<3000 where !FileManager.default.fileExists(atPath: marker) { usleep(10_000) }
    try #require(FileManager.default.fileExists(atPath: marker), "sqlite3 never took the lock")

    expectAgreement(
      await send(api, "POST", "/v2/customers", #"{"given_name":"Bob"}"#), .temporary)
  }
}
