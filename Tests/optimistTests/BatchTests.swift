import Foundation
import Testing

/// `optimist batch`: all or nothing, temporary ids, the failing operation named by index;
/// real processes, every engine.
@Suite struct BatchTests {
  let sandbox: Sandbox

  init() throws {
    sandbox = try Sandbox()
  }

  /// Runs `optimist batch ARGS` with `input` on stdin.
  func batch(_ input: String, _ arguments: [String] = []) -> CLIResult {
    let process = OptimistProcess.launch(
      ["batch"] + arguments, environment: sandbox.environment, input: true)
    process.write(input)
    process.closeInput()
    return process.finish()
  }

  func json(_ operations: [[String: Any]]) -> String {
    String(
      decoding: (try? JSONSerialization.data(withJSONObject: operations)) ?? Data(), as: UTF8.self)
  }

  @Test func temporaryIdsMapToTheObjectsCreatedAndLaterOperationsUseThem() throws {
    let result = batch(
      json([
        ["op": "create-item", "id": "#coffee", "name": "Coffee", "available_for_pickup": true],
        ["op": "create-customer", "id": "#ada", "given_name": "Ada"],
        ["op": "update", "id": "#coffee", "set": ["description": "House blend"]],
        [
          "op": "update", "id": "#ada", "version": 0, "set": ["note": "VIP"],
          "unset": ["given_name"],
        ],
      ]))
    #expect(
      result.exitCode == 1 || result.exitCode == 2, "removing Ada's only name is refused: \(result)"
    )

    let ok = batch(
      json([
        ["op": "create-item", "id": "#coffee", "name": "Coffee", "available_for_pickup": true],
        ["op": "create-customer", "id": "#ada", "given_name": "Ada"],
        ["op": "update", "id": "#coffee", "set": ["description": "House blend"]],
        [
          "op": "update", "id": "#ada", "version": 0,
          "set": ["note": "VIP", "family_name": "Lovelace"],
        ],
        ["op": "delete", "id": "#ada", "version": 1],
      ]))
    let document = ok.expectSuccess()
    let objects = try #require(document["objects"] as? [[String: Any]])
    let mappings = try #require(document["id_mappings"] as? [[String: Any]])
    #expect(objects.count == 5)
    #expect(mappings.map { $0["client_object_id"] as? String } == ["#coffee", "#ada"])
    let coffee = try #require(mappings[0]["object_id"] as? String)
    let ada = try #require(mappings[1]["object_id"] as? String)
    #expect(objects[0]["id"] as? String == coffee)
    #expect(objects[2]["id"] as? String == coffee)
    #expect((objects[2]["item_data"] as? [String: Any])?["description"] as? String == "House blend")
    #expect(objects[3]["version"] as? Int == 1 && objects[3]["note"] as? String == "VIP")
    #expect(objects[4]["deleted_object_ids"] as? [String] == [ada])
    #expect(sandbox.run("get", coffee).out == sandbox.run("get", coffee).out)
    sandbox.get(coffee)
    sandbox.run("get", ada).expectError(4, "NOT_FOUND")
    // The batch writes through the commands' create, update and delete: each version is in
    // the history, the deletion included.
    let history = sandbox.run("history", ada).expectSuccess()["objects"] as? [[String: Any]] ?? []
    #expect(history.compactMap { $0["version"] as? Int } == [1, 0], "\(history)")
    #expect(history.first?["note"] as? String == "VIP")
  }

  /// Three good operations and a stale version in the last: nothing of it is kept.
  @Test func aStaleVersionInTheLastOperationChangesNothing() throws {
    let shop = Shop(sandbox)
    sandbox.run("update", shop.customer, "--set", "note=moved").expectSuccess()
    let before = try #require(sandbox.snapshot())

    let result = batch(
      json([
        ["op": "create-customer", "given_name": "New"],
        ["op": "update", "id": shop.item, "set": ["name": "Tea"]],
        ["op": "delete", "id": shop.item],
        ["op": "update", "id": shop.customer, "version": 0, "set": ["note": "stale"]],
      ]))

    result.expectError(3, "VERSION_MISMATCH", field: "operations[3].version")
    #expect((result.error?["detail"] as? String)?.hasPrefix("operation 3: ") == true, "\(result)")
    #expect(sandbox.snapshot() == before, "\(result)")
  }

  /// Each failing operation gives its own exit code and is named by its index; the store
  /// stays as it was.
  static let refusals: [(String, Int32, String, String?)] = [
    (
      "[{\"op\":\"update\",\"id\":\"{MISSING}\",\"set\":{\"note\":\"x\"}}]", 4, "NOT_FOUND",
      "operations[0].id"
    ),
    (
      "[{\"op\":\"create-item\",\"name\":\"T\"},{\"op\":\"delete\",\"id\":\"{MISSING}\"}]", 4,
      "NOT_FOUND", "operations[1].id"
    ),
    (
      "[{\"op\":\"delete\",\"id\":\"{C}\",\"version\":5}]", 3, "VERSION_MISMATCH",
      "operations[0].version"
    ),
    (
      "[{\"op\":\"update\",\"id\":\"{P}\",\"set\":{\"note\":\"x\"}}]", 2, "INVALID_VALUE",
      "operations[0].id"
    ),
    (
      "[{\"op\":\"update\",\"id\":\"{C}\",\"set\":{\"name\":\"x\"}}]", 2, "INVALID_VALUE",
      "operations[0].name"
    ),
    (
      "[{\"op\":\"update\",\"id\":\"{I}\",\"unset\":[\"name\"]}]", 2, "MISSING_REQUIRED_PARAMETER",
      "operations[0].name"
    ),
    (
      "[{\"op\":\"update\",\"id\":\"{C}\",\"set\":{\"version\":3}}]", 2, "INVALID_VALUE",
      "operations[0].version"
    ),
    (
      "[{\"op\":\"update\",\"id\":\"{C}\",\"set\":{\"nickname\":\"x\"}}]", 2, "INVALID_VALUE",
      "operations[0].nickname"
    ),
    (
      "[{\"op\":\"update\",\"id\":\"{C}\",\"set\":{\"note\":5}}]", 2, "INVALID_VALUE",
      "operations[0].set.note"
    ),
    ("[{\"op\":\"update\",\"id\":\"{C}\"}]", 2, "INVALID_VALUE", "operations[0]"),
    (
      "[{\"op\":\"update\",\"id\":\"{C}\",\"version\":\"1\",\"set\":{\"note\":\"x\"}}]", 2,
      "INVALID_VALUE", "operations[0].version"
    ),
    (
      "[{\"op\":\"create-customer\",\"note\":\"no name\"}]", 2, "MISSING_REQUIRED_PARAMETER",
      "operations[0]"
    ),
    (
      "[{\"op\":\"create-item\",\"name\":\"T\",\"available_for_pickup\":\"yes\"}]", 2,
      "EXPECTED_BOOLEAN", "operations[0].available_for_pickup"
    ),
    (
      "[{\"op\":\"create-item\",\"name\":\"nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn\"}]",
      2, "VALUE_TOO_LONG", "operations[0].name"
    ),
    (
      "[{\"op\":\"create-item\",\"id\":\"coffee\",\"name\":\"T\"}]", 2, "INVALID_VALUE",
      "operations[0].id"
    ),
    (
      "[{\"op\":\"create-item\",\"id\":\"#c\",\"name\":\"T\"},{\"op\":\"create-item\",\"id\":\"#c\",\"name\":\"U\"}]",
      2, "INVALID_VALUE", "operations[1].id"
    ),
    (
      "[{\"op\":\"update\",\"id\":\"#later\",\"set\":{\"note\":\"x\"}},{\"op\":\"create-customer\",\"id\":\"#later\",\"given_name\":\"A\"}]",
      2, "INVALID_VALUE", "operations[0].id"
    ),
    (
      "[{\"op\":\"create-item\",\"name\":\"T\",\"colour\":\"red\"}]", 2, "INVALID_VALUE",
      "operations[0].colour"
    ),
    ("[{\"op\":\"upsert\",\"id\":\"{C}\"}]", 2, "INVALID_VALUE", "operations[0].op"),
    ("[{\"id\":\"{C}\"}]", 2, "MISSING_REQUIRED_PARAMETER", "operations[0].op"),
    (
      "[{\"op\":\"create-item\",\"name\":\"T\"},{\"op\":\"delete\"}]", 2,
      "MISSING_REQUIRED_PARAMETER", "operations[1].id"
    ),
  ]

  @Test(arguments: refusals)
  func aRefusedOperationIsNamedAndChangesNothing(
    _ operations: String, _ exit: Int32, _ code: String, _ field: String?
  ) throws {
    let shop = Shop(sandbox)
    let before = try #require(sandbox.snapshot())
    let text = shop.fill([operations])[0]

    let result = batch(text)

    result.expectError(exit, code, field: field.map { .some($0) } ?? nil)
    #expect(sandbox.snapshot() == before, "\(result)")
  }

  @Test(arguments: [
    "", "not json", "{}", "[]", "[1]", "[{\"op\":\"create-item\",\"name\":\"T\"},]",
    "[{\"op\":\"create-item\",\"name\":\"T\",\"name\":\"U\"}]",
  ])
  func malformedBatchesAreExitTwoAndCreateNoStore(_ input: String) {
    let result = batch(input)
    #expect(result.exitCode == 2, "\(result)")
    #expect(result.stdout.isEmpty)
    #expect(result.errorCode == "INVALID_VALUE", "\(result)")
    #expect(!sandbox.storeExists())
  }

  @Test func aThousandOperationsApplyAndOneMoreIsRefused() throws {
    let creates = Array(
      repeating: ["op": "create-item", "name": "T"] as [String: Any], count: 1000)
    let refused = batch(json(creates + [["op": "create-item", "name": "U"]]))
    refused.expectError(2, "INVALID_VALUE", field: .some(nil))
    #expect(!sandbox.storeExists())

    let done = batch(json(creates)).expectSuccess()
    #expect((done["objects"] as? [Any])?.count == 1000)
    let doctor = sandbox.run("doctor").expectSuccess()
    #expect((doctor["objects"] as? [String: Any])?["items"] as? Int == 1000)
  }

  @Test func aKeyReplaysTheFirstAnswerAndAppliesNothingAgain() throws {
    let first = batch(
      "[{\"op\":\"create-customer\",\"given_name\":\"Ada\",\"note\":\"1\"}]", ["--key", "K"])
    first.expectSuccess()
    // The same batch written another way (white space, key order) is the same request.
    let again = batch(
      " [ { \"note\": \"1\", \"given_name\": \"Ada\", \"op\": \"create-customer\" } ]\n",
      ["--key", "K"])
    #expect(again.exitCode == 0 && again.stdout == first.stdout, "\(again)")
    let other = batch("[{\"op\":\"create-customer\",\"given_name\":\"Bob\"}]", ["--key", "K"])
    other.expectError(5, "IDEMPOTENCY_KEY_REUSED", field: "idempotency_key")
    let doctor = sandbox.run("doctor").expectSuccess()
    #expect((doctor["objects"] as? [String: Any])?["customers"] as? Int == 1)
  }

  @Test func aRefusedBatchDoesNotUseUpItsKey() throws {
    let shop = Shop(sandbox)
    let stale =
      "[{\"op\":\"update\",\"id\":\"\(shop.customer)\",\"version\":9,\"set\":{\"note\":\"x\"}}]"
    batch(stale, ["--key", "K"]).expectError(3, "VERSION_MISMATCH", field: "operations[0].version")
    let fixed =
      "[{\"op\":\"update\",\"id\":\"\(shop.customer)\",\"version\":0,\"set\":{\"note\":\"x\"}}]"
    batch(fixed, ["--key", "K"]).expectSuccess()
  }

  /// An item's version is its `updated_at` in epoch milliseconds, also for writes in the same
  /// millisecond: a batch writes 40 item versions in one transaction, faster than one a
  /// millisecond, so the clock moves versions past the time; `updated_at` must move with them
  /// (in the answer, in `get`, and in the history). (CatalogClockTests pins the clock.)
  @Test func anItemsVersionIsItsUpdateTimeEvenWithinOneMillisecond() throws {
    var operations: [[String: Any]] = []
    for index in 0..<20 {
      operations.append(["op": "create-item", "id": "#i\(index)", "name": "Item \(index)"])
      operations.append(["op": "update", "id": "#i\(index)", "set": ["description": "d"]])
    }
    let objects = try #require(
      batch(json(operations)).expectSuccess()["objects"] as? [[String: Any]])
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    func milliseconds(_ object: [String: Any]) -> Int64? {
      (object["updated_at"] as? String).flatMap(formatter.date(from:)).map {
        Int64(($0.timeIntervalSince1970 * 1000).rounded())
      }
    }
    var versions: [Int64] = []
    for object in objects {
      let version = try #require(object["version"] as? Int64)
      #expect(milliseconds(object) == version, "\(object)")
      versions.append(version)
    }
    #expect(versions == versions.sorted() && Set(versions).count == versions.count)
    let id = try #require(objects[0]["id"] as? String)
    let current = sandbox.get(id)
    #expect(milliseconds(current) == current["version"] as? Int64)
    let history = sandbox.run("history", id).expectSuccess()["objects"] as? [[String: Any]] ?? []
    #expect(history.count == 2)
    for version in history {
      #expect(milliseconds(version) == version["version"] as? Int64, "\(version)")
    }
  }
}
