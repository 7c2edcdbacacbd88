import Foundation
import Testing

/// `history`, `get --at-version` and `prune-history` through the built binary, on every
/// engine: racing writers, deletion, pruning and refused input.
@Suite struct HistoryCommandTests {
  let sandbox: Sandbox

  init() throws {
    sandbox = try Sandbox()
  }

  /// Every version of `id`, newest first, following the cursor `limit` at a time.
  func history(_ id: String, limit: Int, sourceLocation: SourceLocation = #_sourceLocation)
    -> [[String: Any]]
  {
    var entries: [[String: Any]] = []
    var cursor: String?
    var pages = 0
    repeat {
      pages += 1
      let page = sandbox.run(
        ["history", id, "--limit", String(limit)] + (cursor.map { ["--cursor", $0] } ?? [])
      )
      .expectSuccess(sourceLocation: sourceLocation)
      let objects = page["objects"] as? [[String: Any]] ?? []
      cursor = page["cursor"] as? String
      #expect(
        objects.count == limit || cursor == nil, "only the last page is short",
        sourceLocation: sourceLocation)
      entries += objects
    } while cursor != nil && pages <= 1000
    return entries
  }

  /// 8 processes update one object at once: its history holds every version printed, each
  /// exactly once and as printed, newest first; a customer's versions are 0…N without a gap.
  @Test(arguments: ["customer", "item"])
  func racingWritersLeaveEveryVersionOnce(kind: String) throws {
    let created =
      kind == "customer"
      ? sandbox.run("create-customer", "--given-name", "Race").expectSuccess()
      : sandbox.run("create-item", "--name", "Race").expectSuccess()
    let id = try #require(created["id"] as? String)
    let printed = Locked<[Int64: String]>([:])
    let failures = Locked<[String]>([])
    let sandbox = self.sandbox
    let field = kind == "customer" ? "note" : "description"

    runTogether(8) { worker in
      for round in 0..<4 {
        // Without --version the latest is assumed: every one of these succeeds.
        let result = sandbox.run("update", id, "--set", "\(field)=w\(worker)r\(round)")
        if result.exitCode == 0, let version = (result.json?["version"] as? NSNumber)?.int64Value {
          printed.withLock { $0[version] = result.out }
        } else {
          failures.withLock { $0.append("\(result)") }
        }
      }
    }

    #expect(failures.withLock { $0 }.isEmpty, "\(failures.withLock { $0.prefix(3) })")
    let written = printed.withLock { $0 }
    #expect(written.count == 32, "two updates printed the same version")
    let entries = history(id, limit: 7)
    let versions = entries.compactMap { ($0["version"] as? NSNumber)?.int64Value }
    let createdVersion = try #require((created["version"] as? NSNumber)?.int64Value)
    #expect(versions == ([createdVersion] + written.keys).sorted(by: >))
    if kind == "customer" { #expect(versions == Array((0...32).reversed())) }
    for entry in entries {
      let version = (entry["version"] as? NSNumber)?.int64Value ?? -1
      let expected =
        version == createdVersion
        ? created
        : written[version].flatMap { text in
          (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
        }
      #expect(
        expected.map { NSDictionary(dictionary: $0) } == NSDictionary(dictionary: entry),
        "version \(version)")
    }
  }

  @Test(arguments: ["customer", "item"])
  func getAtVersionWorksBeforeAndAfterDelete(kind: String) throws {
    let first =
      kind == "customer"
      ? sandbox.run("create-customer", "--given-name", "Ada")
      : sandbox.run("create-item", "--name", "Tea")
    let id = try #require(first.expectSuccess()["id"] as? String)
    let field = kind == "customer" ? "note" : "description"
    let second = sandbox.run("update", id, "--set", "\(field)=two")
    let versions = [first, second].map { ($0.json?["version"] as? NSNumber)?.int64Value ?? -1 }

    for (version, result) in zip(versions, [first, second]) {
      let got = sandbox.run("get", id, "--at-version", String(version))
      got.expectSuccess()
      #expect(got.out == result.out, "version \(version) as it was printed")
    }
    let deletion = sandbox.run("delete", id).expectSuccess()
    sandbox.run("get", id).expectError(4, "NOT_FOUND", field: "id")

    #expect(sandbox.run("get", id, "--at-version", String(versions[0])).out == first.out)
    let last = sandbox.run("get", id, "--at-version", String(versions[1])).expectSuccess()
    #expect(last["is_deleted"] as? Bool == true)
    #expect(last["deleted_at"] as? String == deletion["deleted_at"] as? String)
    #expect(last["version"] as? NSNumber == versions[1] as NSNumber)
    let entries = history(id, limit: 100)
    #expect(entries.count == 2)
    #expect(entries.first?["is_deleted"] as? Bool == true)
    #expect(entries.last?["is_deleted"] as? Bool != true)

    let never = sandbox.run("get", id, "--at-version", String(versions[1] + 1))
    never.expectError(4, "NOT_FOUND", field: "at_version")
    #expect(
      never.error?["detail"] as? String
        == "`\(id)` never had version \(versions[1] + 1) (its last version is \(versions[1])).")
  }

  @Test func pruningNeverTakesTheCurrentVersionAndSaysWhatItTook() throws {
    let live = sandbox.create("create-customer", "--given-name", "Live")
    for n in 1...4 { sandbox.run("update", live, "--set", "note=\(n)").expectSuccess() }
    let gone = sandbox.create("create-item", "--name", "Gone")
    sandbox.run("update", gone, "--set", "name=Gone2").expectSuccess()
    let goneLast = try #require((sandbox.get(gone)["version"] as? NSNumber)?.int64Value)
    sandbox.run("delete", gone).expectSuccess()

    // Recent versions survive --older-than; with both rules, both must agree.
    #expect(
      sandbox.run("prune-history", "--older-than", "7d").expectSuccess()["deleted_versions"] as? Int
        == 0)
    #expect(
      sandbox.run("prune-history", "--keep", "1", "--older-than", "1d").expectSuccess()[
        "deleted_versions"] as? Int == 0)
    #expect(
      sandbox.run("prune-history", "--keep", "2").expectSuccess()["deleted_versions"] as? Int == 3)
    #expect(history(live, limit: 10).compactMap { $0["version"] as? Int } == [4, 3])
    #expect(history(gone, limit: 10).count == 2)

    let pruned = sandbox.run("get", live, "--at-version", "1")
    pruned.expectError(4, "NOT_FOUND", field: "at_version")
    #expect((pruned.error?["detail"] as? String)?.contains("was pruned") == true, "\(pruned)")
    let never = sandbox.run("get", live, "--at-version", "9")
    never.expectError(4, "NOT_FOUND", field: "at_version")
    #expect((never.error?["detail"] as? String)?.contains("pruned") == false, "\(never)")

    // Everything old enough: the live customer keeps its current version, the deleted item
    // loses all, and then says so.
    #expect(
      sandbox.run("prune-history", "--older-than", "0s").expectSuccess()["deleted_versions"] as? Int
        == 1 + 2)
    #expect(sandbox.get(live)["version"] as? Int == 4)
    #expect(history(live, limit: 10).compactMap { $0["version"] as? Int } == [4])
    let emptied = sandbox.run("history", gone)
    emptied.expectError(4, "NOT_FOUND", field: "id")
    #expect((emptied.error?["detail"] as? String)?.contains("pruned") == true, "\(emptied)")
    let lastPruned = sandbox.run("get", gone, "--at-version", String(goneLast))
    lastPruned.expectError(4, "NOT_FOUND", field: "at_version")
    #expect(
      (lastPruned.error?["detail"] as? String)?.contains("was pruned") == true, "\(lastPruned)")
    #expect(
      sandbox.run("prune-history", "--keep", "1").expectSuccess()["deleted_versions"] as? Int == 0)
  }

  @Test func badCursorsAreInvalidValue() throws {
    let id = sandbox.create("create-customer", "--given-name", "Ada")
    for n in 1...3 { sandbox.run("update", id, "--set", "note=\(n)").expectSuccess() }
    let other = sandbox.create("create-customer", "--given-name", "Bob")
    sandbox.run("update", other, "--set", "note=1").expectSuccess()
    let page = sandbox.run("history", other, "--limit", "1").expectSuccess()
    let otherCursor = try #require(page["cursor"] as? String)
    #expect(otherCursor == "\(other)-1")

    for cursor in [otherCursor, "\(id)-0", "\(id)-4", "\(id)-99", "nope", "\(id)-01", ""] {
      sandbox.run("history", id, "--cursor", cursor).expectError(
        2, "INVALID_VALUE", field: "cursor")
    }
    let last = sandbox.run("history", id, "--limit", "3", "--cursor", "\(id)-3").expectSuccess()
    #expect(
      (last["objects"] as? [[String: Any]])?.compactMap { $0["version"] as? Int } == [2, 1, 0])
    #expect(last["cursor"] == nil)
  }

  /// Payments and refunds have no history; unknown ids are NOT_FOUND.
  @Test func paymentsAreRefusedAndUnknownIdsAreNotFound() throws {
    let shop = Shop(sandbox)
    for arguments in [
      ["history", "{P}"], ["get", "{P}", "--at-version", "0"],
      ["wait", "{P}", "--changed-from", "0"],
    ] {
      sandbox.run(shop.fill(arguments)).expectError(2, "INVALID_VALUE", field: "id")
    }
    for arguments in [
      ["history", "{MISSING}"], ["get", "{MISSING}", "--at-version", "0"],
      ["wait", "{MISSING}", "--changed-from", "0", "--timeout", "60"],
    ] {
      sandbox.run(shop.fill(arguments)).expectError(4, "NOT_FOUND", field: "id")
    }
  }

  static let refused: [CommandLineCase] = [
    CommandLineCase(["history", "{C}", "--limit", "0"], 2, "INVALID_VALUE", field: "limit"),
    CommandLineCase(["history", "{C}", "--limit", "1001"], 2, "INVALID_VALUE", field: "limit"),
    CommandLineCase(["history", "{C}", "--limit", "x"], 2, "INVALID_VALUE", field: "limit"),
    CommandLineCase(["get", "{C}", "--at-version", "-1"], 2, "INVALID_VALUE", field: "at_version"),
    CommandLineCase(["get", "{C}", "--at-version", "v1"], 2, "INVALID_VALUE", field: "at_version"),
    CommandLineCase(["prune-history", "--keep", "0"], 2, "INVALID_VALUE", field: "keep"),
    CommandLineCase(["prune-history", "--keep", "-3"], 2, "INVALID_VALUE", field: "keep"),
    CommandLineCase(
      ["prune-history", "--keep", "1", "--older-than", "5y"], 2, "INVALID_VALUE",
      field: "older_than"),
    CommandLineCase(
      ["prune-history", "--older-than", "1.5h"], 2, "INVALID_VALUE", field: "older_than"),
    CommandLineCase(
      ["wait", "{C}", "--changed-from", "x"], 2, "INVALID_VALUE", field: "changed_from"),
    CommandLineCase(
      ["wait", "{C}", "--changed-from", "-1"], 2, "INVALID_VALUE", field: "changed_from"),
    // A value, however malformed, is optimist's to refuse (exit 2), --timeout's too.
    CommandLineCase(
      ["wait", "{C}", "--changed-from", "0", "--timeout", "soon"], 2, "INVALID_VALUE",
      field: "timeout"),
    CommandLineCase(
      ["wait", "{C}", "--changed-from", "0", "--timeout", "-1"], 2, "INVALID_VALUE",
      field: "timeout"),
  ]

  /// Bad input: the documented exit code, and the store stays exactly as it was.
  @Test(arguments: refused)
  func badInputChangesNothing(_ command: CommandLineCase) throws {
    let shop = Shop(sandbox)
    sandbox.run("update", shop.customer, "--set", "note=v1").expectSuccess()
    let before = sandbox.snapshot()
    sandbox.run(shop.fill(command.arguments)).expectError(
      command.exit, command.code, field: command.field)
    #expect(sandbox.snapshot() == before)
  }

  @Test(arguments: [
    ["prune-history"], ["wait", "{C}"], ["history"],
    ["get", "{C}", "--at-version"],
  ])
  func malformedCommandLinesAreExit64(_ arguments: [String]) throws {
    let shop = Shop(sandbox)
    let before = sandbox.snapshot()
    sandbox.run(shop.fill(arguments)).expectUsageError()
    #expect(sandbox.snapshot() == before)
  }

  /// doctor counts the kept versions and checks them, on every engine: a row changed behind
  /// optimist's back (here: one that is not the object it names) is exit 1, the report
  /// still on stdout.
  @Test func doctorCountsAndChecksTheHistory() throws {
    let shop = Shop(sandbox)
    sandbox.run("update", shop.customer, "--set", "note=v1").expectSuccess()
    sandbox.run("update", shop.customer, "--set", "note=v2").expectSuccess()
    let doctor = sandbox.run("doctor").expectSuccess()
    #expect(doctor["history_versions"] as? Int == 2, "\(doctor)")
    #expect(doctor["history_check"] as? String == "ok", "\(doctor)")
    let damage = "UPDATE history SET object = '{\"id\":\"\(shop.customer)\"}' WHERE version = 1"
    switch sandbox.engine {
    case .sqlite:
      let result = OptimistProcess.run(
        [sandbox.db, damage], environment: [:], executable: "/usr/bin/sqlite3")
      #expect(result.exitCode == 0, "\(result)")
    case .postgresql:
      // psql with the sandbox's URL: its `options` put the store's schema on the search path.
      _ = try TestServer.require(damage, url: sandbox.db)
    }
    let damaged = sandbox.run("doctor")
    #expect(damaged.exitCode == 1, "\(damaged)")
    #expect(
      damaged.json?["history_check"] as? String
        == "1 history rows that are not the object they name", "\(damaged)")
    #expect(damaged.json?[sandbox.engine.checkName] as? String == "ok", "\(damaged)")
    #expect(damaged.errorCode == "INTERNAL_SERVER_ERROR", "\(damaged)")
  }
}
