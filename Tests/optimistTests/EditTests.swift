import Foundation
import Testing

/// `optimist edit ID -- CMD`: real processes, every engine. CMD is jq or sh, found in PATH.
@Suite struct EditTests {
  let sandbox: Sandbox

  init() throws {
    sandbox = try Sandbox()
  }

  static let increment = ["jq", ".note = ((.note // \"0\") | tonumber + 1 | tostring)"]

  @Test func eightConcurrentEditsLoseNoIncrement() throws {
    let id = sandbox.create("create-customer", "--given-name", "Counter", "--note", "0")
    let failures = Locked<[String]>([])
    let sandbox = self.sandbox
    let perWorker = 5

    runTogether(8) { _ in
      for _ in 0..<perWorker {
        let result = sandbox.run(["edit", id, "--max-attempts", "1000", "--"] + Self.increment)
        if result.exitCode != 0 || result.json == nil {
          failures.withLock { $0.append("\(result)") }
        }
      }
    }

    #expect(failures.withLock { $0 }.isEmpty, "\(failures.withLock { $0.prefix(3) })")
    let final = sandbox.get(id)
    #expect(final["note"] as? String == String(8 * perWorker))
    #expect(final["version"] as? Int == 8 * perWorker)
    // edit writes through update's path, so the history holds every version once.
    let history = sandbox.run("history", id).expectSuccess()["objects"] as? [[String: Any]] ?? []
    #expect(history.compactMap { $0["version"] as? Int } == Array((0...(8 * perWorker)).reversed()))
    #expect(
      history.compactMap { $0["note"] as? String }
        == (0...(8 * perWorker)).reversed().map(String.init))
  }

  @Test func itPrintsTheObjectAsWrittenAndAnItemsFieldsAreInItemData() throws {
    let item = sandbox.create("create-item", "--name", "Coffee", "--description", "House")
    let edited = sandbox.run(
      "edit", item, "--", "jq",
      ".item_data.available_for_pickup = true | del(.item_data.description)"
    ).expectSuccess()
    let data = try #require(edited["item_data"] as? [String: Any])
    #expect(data["available_for_pickup"] as? Bool == true)
    #expect(data["description"] == nil)
    #expect(data["name"] as? String == "Coffee")
    #expect(sandbox.run("get", item).out == sandbox.run("get", item).out)
    #expect(
      try JSONSerialization.jsonObject(with: sandbox.run("get", item).stdout) as? NSDictionary
        == edited as NSDictionary)
  }

  @Test func anUnchangedObjectIsPrintedAndNothingIsWritten() throws {
    let id = sandbox.create("create-customer", "--given-name", "Ada")
    let before = try #require(sandbox.snapshot())
    let result = sandbox.run("edit", id, "--", "cat")
    result.expectSuccess()
    #expect(result.out == sandbox.run("get", id).out)
    #expect(sandbox.snapshot() == before)
  }

  /// (CMD, exit, code, field): each leaves the store as it was.
  static let refusals: [([String], Int32, String, String?)] = [
    (["echo", "not json"], 2, "INVALID_VALUE", "command"),
    (["echo", "[1,2]"], 2, "INVALID_VALUE", "command"),
    (["true"], 2, "INVALID_VALUE", "command"),
    (["jq", ".version = 99"], 2, "INVALID_VALUE", "version"),
    (["jq", ".id = \"X\""], 2, "INVALID_VALUE", "id"),
    (["jq", ".created_at = \"2020-01-01T00:00:00.000Z\""], 2, "INVALID_VALUE", "created_at"),
    (["jq", ".nickname = \"x\""], 2, "INVALID_VALUE", "nickname"),
    (["jq", ".name = \"x\""], 2, "INVALID_VALUE", "name"),
    (["jq", ".note = 5"], 2, "INVALID_VALUE", "note"),
    (["jq", ".note = \"\(String(repeating: "n", count: 501))\""], 2, "VALUE_TOO_LONG", "note"),
    (["jq", "del(.given_name)"], 2, "MISSING_REQUIRED_PARAMETER", nil),
    (["sh", "-c", "cat >/dev/null; exit 1"], 9, "EDIT_COMMAND_FAILED", "command"),
    (["sh", "-c", "kill -9 $$"], 9, "EDIT_COMMAND_FAILED", "command"),
    (["sh", "-c", "echo '{}'; kill -TERM $$"], 9, "EDIT_COMMAND_FAILED", "command"),
    (["optimist-no-such-command"], 9, "EDIT_COMMAND_FAILED", "command"),
  ]

  @Test(arguments: refusals)
  func aRefusedEditChangesNothing(
    _ command: [String], _ exit: Int32, _ code: String, _ field: String?
  ) throws {
    let id = sandbox.create("create-customer", "--given-name", "Ada", "--note", "1")
    let before = try #require(sandbox.snapshot())

    let result = sandbox.run(["edit", id, "--key", "k", "--"] + command)

    result.expectError(exit, code, field: field.map { .some($0) } ?? nil)
    #expect(sandbox.snapshot() == before, "\(result)")
    // Nothing was stored under the key either: the same key works for a good edit.
    sandbox.run(["edit", id, "--key", "k", "--"] + Self.increment).expectSuccess()
  }

  @Test func anItemsWrongJSONTypeIsRefused() throws {
    let item = sandbox.create("create-item", "--name", "Coffee")
    let before = try #require(sandbox.snapshot())
    let result = sandbox.run("edit", item, "--", "jq", ".item_data.available_for_pickup = \"true\"")
    result.expectError(2, "EXPECTED_BOOLEAN", field: "item_data.available_for_pickup")
    #expect(sandbox.snapshot() == before)
  }

  @Test func paymentsAndUnknownIdsAreRefusedWithoutRunningTheCommand() throws {
    let shop = Shop(sandbox)
    let marker = sandbox.root + "/ran"
    let command = ["--", "sh", "-c", "touch \(marker); cat"]
    let before = try #require(sandbox.snapshot())
    sandbox.run(["edit", shop.payment] + command).expectError(2, "INVALID_VALUE", field: "id")
    sandbox.run(["edit", Shop.missing] + command).expectError(4, "NOT_FOUND", field: "id")
    #expect(!sandbox.exists(marker))
    #expect(sandbox.snapshot() == before)
  }

  @Test func theCommandsStderrPassesThrough() throws {
    let id = sandbox.create("create-customer", "--given-name", "Ada")
    let result = sandbox.run("edit", id, "--", "sh", "-c", "echo 'jq: error: nope' >&2; exit 5")
    #expect(result.exitCode == 9)
    #expect(result.stdout.isEmpty)
    let lines = result.err.split(separator: "\n")
    #expect(lines.first == "jq: error: nope", "\(result)")
    #expect(lines.last?.contains("\"code\":\"EDIT_COMMAND_FAILED\"") == true, "\(result)")
    #expect(lines.last?.contains("exited with status 5") == true, "\(result)")
  }

  /// CMD updates the object itself each time, so every attempt finds a newer version.
  @Test func attemptsRunOutWithVersionMismatch() throws {
    let id = sandbox.create("create-customer", "--given-name", "Ada")
    let log = sandbox.root + "/runs"
    let bump =
      "echo run >>\"$3\"; \"$1\" update \"$2\" --set family_name=bump$$ >/dev/null && jq '.note = \"mine\"'"
    let result = sandbox.run(
      "edit", id, "--max-attempts", "3", "--", "sh", "-c", bump, "sh", OptimistProcess.binary, id,
      log)
    result.expectError(3, "VERSION_MISMATCH", field: "version")
    let runs = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
    #expect(runs.split(separator: "\n").count == 3)
    let final = sandbox.get(id)
    #expect(final["note"] == nil)
    #expect(final["version"] as? Int == 3)
  }

  @Test func anObjectDeletedWhileTheCommandRunsIsNotFound() throws {
    let id = sandbox.create("create-customer", "--given-name", "Ada")
    let delete = "\"$1\" delete \"$2\" >/dev/null && jq '.note = \"late\"'"
    let result = sandbox.run("edit", id, "--", "sh", "-c", delete, "sh", OptimistProcess.binary, id)
    result.expectError(4, "NOT_FOUND", field: "id")
  }

  @Test func aKeyReplaysTheFirstSuccessWithoutRunningTheCommandAgain() throws {
    let id = sandbox.create("create-customer", "--given-name", "Ada", "--note", "0")
    let log = sandbox.root + "/runs"
    let command = ["sh", "-c", "echo run >>\"$1\"; jq '.note = \"keyed\"'", "sh", log]
    let first = sandbox.run(["edit", id, "--key", "K", "--"] + command)
    first.expectSuccess()
    sandbox.run("update", id, "--set", "note=moved on").expectSuccess()

    let again = sandbox.run(["edit", id, "--key", "K", "--max-attempts", "2", "--"] + command)

    #expect(again.exitCode == 0)
    #expect(again.stdout == first.stdout)
    #expect(again.stderr.isEmpty)
    #expect(
      ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").count == 1)
    let other = sandbox.run(["edit", id, "--key", "K", "--"] + Self.increment)
    other.expectError(5, "IDEMPOTENCY_KEY_REUSED", field: "idempotency_key")
    #expect(sandbox.get(id)["note"] as? String == "moved on")
  }

  @Test(arguments: [
    ["edit"], ["edit", "X"], ["edit", "X", "jq", "."], ["edit", "X", "--"], ["edit", "--", "jq"],
    ["edit", "X", "--max-attempts"],
  ])
  func malformedCommandLinesAreUsageErrors(_ arguments: [String]) {
    sandbox.run(arguments).expectUsageError()
    #expect(!sandbox.storeExists())
  }

  @Test(arguments: ["0", "1001", "ten", "-1"])
  func aBadMaxAttemptsIsRefusedBeforeTheStore(_ value: String) {
    let result = sandbox.run("edit", "X", "--max-attempts", value, "--", "cat")
    result.expectError(2, "INVALID_VALUE", field: "max_attempts")
    #expect(!sandbox.storeExists())
  }
}
