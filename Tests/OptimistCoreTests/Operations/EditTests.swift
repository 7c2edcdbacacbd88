import Foundation
import Testing

@testable import OptimistCore

/// `edit` with an injected transform: retries on VERSION_MISMATCH, writes nothing on a
/// refusal, replays by key without running the transform.
@Suite struct EditTests {
  let database = TestDatabase()

  /// `edit ID [--max-attempts N] [--key K] -- COMMAND…`, parsed as the CLI parses it.
  func request(_ id: String, attempts: String? = nil, key: String? = nil, command: [String] = ["t"])
    throws
    -> EditRequest
  {
    try EdgeRequest.edit(id, command: command, attempts: attempts, key: key)
  }

  /// A transform that sets the customer's note to `note`.
  static func setNote(_ note: String) -> EditTransform {
    { (object) throws(OptimistError) in
      guard var members = try JSONValue.parse(String(decoding: object, as: UTF8.self)).members
      else { return [] }
      members.removeAll { $0.key == "note" }
      members.append(.init("note", .string(note)))
      return Array(JSONValue.object(members).text.utf8)
    }
  }

  @Test func theTransformSeesWhatGetPrintsAndItsChangeIsWritten() throws {
    let id = try #require(try database.createCustomer([("given_name", "Ada")])["id"] as? String)
    let printed = try database.getText(id)
    var seen: [String] = []
    let output = try database.store.edit(request(id)) { (object) throws(OptimistError) in
      seen.append(String(decoding: object, as: UTF8.self))
      return try Self.setNote("hello")(object)
    }.printed
    #expect(seen == [printed])
    let edited = try TestJSON.success(output)
    #expect(edited["note"] as? String == "hello")
    #expect(TestJSON.int(edited["version"]) == 1)
    #expect(try database.getText(id) == output.stdout)
  }

  @Test func aConcurrentChangeMakesItReadAndRunAgain() throws {
    let id = try #require(try database.createCustomer([("given_name", "Ada")])["id"] as? String)
    var runs = 0
    var pauses: [Int] = []
    let output = try database.store.edit(
      request(id),
      transform: { (object) throws(OptimistError) in
        runs += 1
        if runs <= 2 { _ = try? database.update(id, set: ["family_name=Other\(runs)"]) }
        return try Self.setNote("mine")(object)
      }, pause: { pauses.append($0) }
    ).printed
    let edited = try TestJSON.success(output)
    #expect(runs == 3)
    #expect(pauses == [1, 2])
    #expect(edited["note"] as? String == "mine")
    // The other writer's change is kept: the third run saw it.
    #expect(edited["family_name"] as? String == "Other2")
    #expect(TestJSON.int(edited["version"]) == 3)
  }

  @Test func afterMaxAttemptsItIsVersionMismatch() throws {
    let id = try #require(try database.createCustomer([("given_name", "Ada")])["id"] as? String)
    var runs = 0
    let error = #expect(throws: OptimistError.self) {
      try database.store.edit(
        request(id, attempts: "4"),
        transform: { (object) throws(OptimistError) in
          runs += 1
          _ = try? database.update(id, set: ["family_name=Other\(runs)"])
          return try Self.setNote("mine")(object)
        }, pause: { _ in })
    }
    #expect(error == .versionMismatch(id: id, expected: 3, actual: 4))
    #expect(runs == 4)
    #expect(try database.get(id)["note"] == nil)
    #expect(TestJSON.int(try database.get(id)["version"]) == 4)
  }

  @Test func unchangedWritesNothing() throws {
    let id = try #require(try database.createCustomer([("given_name", "Ada")])["id"] as? String)
    let before = try Data(contentsOf: URL(fileURLWithPath: database.path))
    let output = try database.store.edit(request(id)) { (object) throws(OptimistError) in object }
      .printed
    #expect(output.stdout == (try database.getText(id)))
    #expect(try Data(contentsOf: URL(fileURLWithPath: database.path)) == before)
  }

  @Test func aKeyReplaysTheFirstSuccessWithoutRunningTheTransform() throws {
    let id = try #require(try database.createCustomer([("given_name", "Ada")])["id"] as? String)
    let first = try database.store.edit(request(id, key: "k")) { (object) throws(OptimistError) in
      try Self.setNote("one")(object)
    }
    _ = try database.update(id, set: ["note=moved on"])
    var ran = false
    let again = try database.store.edit(request(id, attempts: "3", key: "k")) {
      (object) throws(OptimistError) in
      ran = true
      return object
    }
    #expect(!ran)
    #expect(again.value == nil, "a replay")
    #expect(again.printed == first.printed)
    let error = #expect(throws: OptimistError.self) {
      try database.store.edit(request(id, key: "k", command: ["other"])) {
        (object) throws(OptimistError) in
        ran = true
        return object
      }
    }
    #expect(error?.code == "IDEMPOTENCY_KEY_REUSED")
    #expect(!ran)
  }

  @Test func aFailedTransformWritesNothingAndKeepsItsError() throws {
    let id = try #require(try database.createCustomer([("given_name", "Ada")])["id"] as? String)
    let before = try Data(contentsOf: URL(fileURLWithPath: database.path))
    let failure = OptimistError.editCommandFailed(command: "t", status: "exited with status 1")
    #expect(throws: failure) {
      try database.store.edit(request(id, key: "k")) { (_) throws(OptimistError) in throw failure }
    }
    #expect(try Data(contentsOf: URL(fileURLWithPath: database.path)) == before)
  }

  @Test func aDeletedObjectIsNotFoundAndAPaymentIsRefused() throws {
    let error = #expect(throws: OptimistError.self) {
      try database.store.edit(request("AAAAAAAAAAAAAAAAAAAAAAAAAA")) {
        (object) throws(OptimistError) in object
      }
    }
    #expect(error?.exitStatus == .notFound)
    let payment = try #require(try database.createPayment(key: "p")["id"] as? String)
    let refused = #expect(throws: OptimistError.self) {
      try database.store.edit(request(payment)) { (object) throws(OptimistError) in object }
    }
    #expect(refused?.exitStatus == .invalidRequest)
    #expect(refused?.detail.contains("`edit`") == true)
  }

  @Test(arguments: ["0", "1001", "x", "-1", ""])
  func maxAttemptsIsAWholeNumberFromOneToAThousand(_ raw: String) {
    let error = #expect(throws: OptimistError.self) { try EditRequest.attempts(raw) }
    #expect(error?.field == "max_attempts")
    #expect(error?.exitStatus == .invalidRequest)
  }

  @Test func backoffGrowsToItsCeiling() {
    #expect(
      (1...9).map(Backoff.ceiling(afterAttempt:)) == [
        1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 64_000, 64_000,
      ])
  }
}
