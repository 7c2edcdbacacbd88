import Foundation
import Testing

/// The event feed through the built binary, on every engine: what each command appends, what
/// refused and replayed commands do not, order under concurrent writers, and `--follow`
/// killed and resumed.
@Suite struct EventsCommandTests {
  let sandbox: Sandbox

  init() throws {
    sandbox = try Sandbox()
  }

  /// Every event of the feed, oldest first, read page by page (a small page, so paging is
  /// exercised): (cursor of the page that held it, event).
  func feed(_ arguments: [String] = [], sourceLocation: SourceLocation = #_sourceLocation)
    -> [[String: Any]]
  {
    var events: [[String: Any]] = []
    var cursor: String?
    while true {
      let page = sandbox.run(
        ["events", "--limit", "7"] + arguments + (cursor.map { ["--after", $0] } ?? []))
      let document = page.expectSuccess(sourceLocation: sourceLocation)
      let batch = document["events"] as? [[String: Any]] ?? []
      let next = document["cursor"] as? String
      #expect(next != nil, "the cursor is always printed", sourceLocation: sourceLocation)
      if batch.isEmpty {
        #expect(next == cursor ?? next, "an empty page keeps the cursor")
        return events
      }
      events += batch
      cursor = next
    }
  }

  func types(_ events: [[String: Any]]) -> [String] { events.compactMap { $0["type"] as? String } }

  func object(_ event: [String: Any]) -> [String: Any]? {
    let data = event["data"] as? [String: Any]
    let type = data?["type"] as? String ?? ""
    return (data?["object"] as? [String: Any])?[type] as? [String: Any]
  }

  @Test func eachChangeAppendsItsSquareEventAndNothingElseDoes() throws {
    #expect(feed().isEmpty)
    let created = sandbox.run("create-customer", "--given-name", "Ada", "--key", "c1")
    let id = try #require(created.expectSuccess()["id"] as? String)
    // Replayed: the same answer, no event.
    #expect(sandbox.run("create-customer", "--given-name", "Ada", "--key", "c1").out == created.out)
    sandbox.run("update", id, "--version", "0", "--set", "note=VIP").expectSuccess()
    // Refused: a stale version, a bad value, a reused key: no event.
    sandbox.run("update", id, "--version", "0", "--set", "note=x").expectError(
      3, "VERSION_MISMATCH")
    #expect(sandbox.run("update", id, "--set", "nope=1").exitCode == 2)
    #expect(sandbox.run("create-customer", "--given-name", "Bob", "--key", "c1").exitCode != 0)
    let item = sandbox.create("create-item", "--name", "Tea")
    let payment = try #require(
      sandbox.run(
        "create-payment", "--key", "p1", "--amount", "500", "--currency", "USD", "--source-id",
        "cnon:card-nonce-ok", "--autocomplete", "false"
      ).expectSuccess()["id"] as? String)
    sandbox.run("complete-payment", payment).expectSuccess()
    sandbox.run(
      "refund-payment", "--payment-id", payment, "--key", "r1", "--amount", "100", "--currency",
      "USD"
    ).expectSuccess()
    sandbox.run("delete", item).expectSuccess()
    sandbox.run("delete", id).expectSuccess()

    let events = feed()
    #expect(
      types(events) == [
        "customer.created", "customer.updated", "catalog.version.updated", "payment.created",
        "payment.updated", "refund.created", "payment.updated", "catalog.version.updated",
        "customer.deleted",
      ])
    try #require(events.count == 9)
    let ids = Set(events.compactMap { $0["event_id"] as? String })
    #expect(ids.count == events.count, "event ids are unique")
    for event in events {
      #expect(event["merchant_id"] as? String == "OPTIMISTLOCAL")
      #expect((event["created_at"] as? String)?.hasSuffix("Z") == true)
      #expect(object(event) != nil, "\(event)")
    }
    #expect(object(events[1])?["note"] as? String == "VIP", "the object after the write")
    #expect(object(events[1])?["version"] as? Int == 1)
    #expect((events[2]["data"] as? [String: Any])?["id"] as? String == "", "as Square sends it")
    #expect(object(events[4])?["status"] as? String == "COMPLETED")
    #expect((events[8]["data"] as? [String: Any])?["deleted"] as? Bool == true)
    // A type filter, repeated.
    #expect(
      types(feed(["--type", "payment.updated", "--type", "refund.created"])) == [
        "payment.updated", "refund.created", "payment.updated",
      ])
  }

  @Test func aBatchAppendsOneEventPerObjectOrNoneAtAll() throws {
    let id = sandbox.create("create-customer", "--given-name", "Ada")
    let batch =
      #"[{"op":"create-customer","given_name":"Bo"},"#
      + #"{"op":"update","id":"\#(id)","version":0,"set":{"note":"a"}}]"#
    let refused =
      #"[{"op":"create-customer","given_name":"Cy"},"#
      + #"{"op":"update","id":"\#(id)","version":0,"set":{"note":"b"}}]"#
    OptimistProcessInput.run(sandbox, ["batch"], input: batch).expectSuccess()
    let second = OptimistProcessInput.run(sandbox, ["batch"], input: refused)
    #expect(second.exitCode == 3, "\(second)")
    let events = types(feed())
    #expect(events.first == "customer.created")
    #expect(events.dropFirst().sorted() == ["customer.created", "customer.updated"])
  }

  @Test func badInputIsRefusedWithItsExitCode() throws {
    sandbox.create("create-customer", "--given-name", "Ada")
    sandbox.run("events", "--after", "events-99").expectError(2, "INVALID_VALUE")
    sandbox.run("events", "--after", "nope").expectError(2, "INVALID_VALUE")
    sandbox.run("events", "--type", "customer.create").expectError(2, "INVALID_VALUE")
    sandbox.run("events", "--limit", "0").expectError(2, "INVALID_VALUE")
    sandbox.run("events", "--follow", "--limit", "3").expectUsageError()
    sandbox.run("prune-events", "--older-than", "soon").expectError(2, "INVALID_VALUE")
  }

  @Test func pruneEventsKeepsCursorsValid() throws {
    sandbox.create("create-customer", "--given-name", "Ada")
    let cursor = try #require(sandbox.run("events").expectSuccess()["cursor"] as? String)
    #expect(
      sandbox.run("prune-events", "--older-than", "1d").expectSuccess()["deleted_events"] as? Int
        == 0)
    #expect(
      sandbox.run("prune-events", "--older-than", "0s").expectSuccess()["deleted_events"] as? Int
        == 1)
    #expect(feed().isEmpty)
    // The pruned event's cursor still reads on, and the next event is after it.
    sandbox.create("create-customer", "--given-name", "Bo")
    let after = sandbox.run("events", "--after", cursor).expectSuccess()
    #expect(types(after["events"] as? [[String: Any]] ?? []) == ["customer.created"])
    #expect(after["cursor"] as? String != cursor)
  }

  /// 8 processes update 2 shared customers at once, with retries on VERSION_MISMATCH, while
  /// `events --follow` runs: every successful update appears exactly once, in version order
  /// per customer, and the follower (which reads as the writers commit) saw exactly the feed
  /// read afterwards, in the same order: positions are handed out in commit order.
  @Test func concurrentWritersAppendEveryChangeOnceInVersionOrder() throws {
    let ids = [
      sandbox.create("create-customer", "--given-name", "A"),
      sandbox.create("create-customer", "--given-name", "B"),
    ]
    let start = try #require(sandbox.run("events").expectSuccess()["cursor"] as? String)
    let follower = sandbox.launch(["events", "--follow", "--after", start, "--timeout", "600"])
    let written = Locked<[String: [Int]]>([:])
    let failures = Locked<[String]>([])
    let sandbox = self.sandbox
    runTogether(8) { worker in
      for round in 0..<6 {
        let id = ids[(worker + round) % 2]
        for _ in 0..<500 {
          let read = sandbox.run("get", id)
          guard let version = read.json?["version"] as? Int else {
            failures.withLock { $0.append("get: \(read)") }
            return
          }
          let write = sandbox.run(
            "update", id, "--version", String(version), "--set", "note=\(worker)-\(round)")
          if write.exitCode == 0 {
            written.withLock { $0[id, default: []].append(version + 1) }
            break
          }
          guard write.exitCode == 3 else {
            failures.withLock { $0.append("update: \(write)") }
            return
          }
        }
      }
    }
    #expect(failures.withLock { $0 }.isEmpty, "\(failures.withLock { $0.prefix(3) })")
    let events = feed(["--after", start])
    kill(follower.pid, SIGKILL)
    let followed = follower.finish()
    let lines = followed.out.split(separator: "\n").compactMap {
      (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
    }
    let followedIDs = lines.compactMap { ($0["event"] as? [String: Any])?["event_id"] as? String }
    #expect(followedIDs == events.compactMap { $0["event_id"] as? String })
    #expect(events.count == 48)
    for id in ids {
      let versions = events.filter { ($0["data"] as? [String: Any])?["id"] as? String == id }
        .compactMap { object($0)?["version"] as? Int }
      let expected = (written.withLock { $0[id] } ?? []).sorted()
      #expect(versions == expected, "exactly once each, in version order")
      #expect(versions == Array(1...versions.count))
    }
  }

  /// Writers take their place in the feed's order: while another transaction holds it (on
  /// PostgreSQL only the feed's advisory lock, which every write takes just before it appends
  /// its events; on SQLite the write lock), a write waits and, past `--timeout`, is exit 75
  /// having changed and appended nothing; reading the feed does not wait.
  @Test func aWriteWaitsForTheFeedsOrderAndPastItsTimeoutChangesNothing() throws {
    let id = sandbox.create("create-customer", "--given-name", "Ada")
    let marker = sandbox.root + "/locked"
    let holder: RunningProcess
    switch sandbox.engine {
    case .sqlite:
      holder = OptimistProcess.launch(
        [sandbox.db], environment: ["HOME": sandbox.root + "/home"], executable: "/usr/bin/sqlite3",
        input: true)
      holder.write("BEGIN IMMEDIATE;\n.shell touch '\(marker)'\n")
    case .postgresql:
      holder = OptimistProcess.launch(
        ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", sandbox.db],
        environment: ["HOME": sandbox.root + "/home"], executable: TestServer.psql, input: true)
      // PostgresLocks.namespace ("op") and the key PostgresDialect.serializeInserts("events") uses.
      holder.write(
        "BEGIN;\nSELECT pg_advisory_xact_lock(\(0x6F70), hashtext(current_schema() || '.events'));\n"
          + "\\! touch '\(marker)'\n")
    }
    var polls = 0
    while !sandbox.exists(marker) && polls < 3000 {
      usleep(10_000)
      polls += 1
    }
    try #require(sandbox.exists(marker), "the lock holder never took the lock")
    let before = feed()
    sandbox.run("update", id, "--version", "0", "--set", "note=late", "--timeout", "0.5")
      .expectError(75, "TEMPORARY_ERROR", field: .some(nil), category: "API_ERROR")
    sandbox.run("create-customer", "--given-name", "Bo", "--timeout", "0.5")
      .expectError(75, "TEMPORARY_ERROR", field: .some(nil), category: "API_ERROR")
    #expect(feed().count == before.count, "the feed is read while a write holds its order")
    holder.write(sandbox.engine == .sqlite ? "ROLLBACK;\n.quit\n" : "ROLLBACK;\n\\q\n")
    holder.closeInput()
    #expect(holder.finish().exitCode == 0)
    #expect(sandbox.get(id)["version"] as? Int == 0, "the refused update changed nothing")
    #expect(types(feed()) == ["customer.created"])
    sandbox.run("update", id, "--version", "0", "--set", "note=now").expectSuccess()
    #expect(types(feed()) == ["customer.created", "customer.updated"])
  }

  /// `--follow` SIGKILLed between events and started again from the last cursor it printed
  /// prints every event once.
  @Test func followKilledAndResumedNeitherMissesNorRepeats() throws {
    let follower = sandbox.launch(["events", "--follow", "--timeout", "600"])
    for n in 0..<5 { sandbox.create("create-customer", "--given-name", "A\(n)") }
    // Give the follower the chance to print some of them (the outcome is checked either way).
    var seen = 0
    for _ in 0..<100 where seen < 3 {
      Thread.sleep(forTimeInterval: 0.1)
      seen = sandbox.run("events").json.map { ($0["events"] as? [Any])?.count ?? 0 } ?? 0
    }
    Thread.sleep(forTimeInterval: 1)
    kill(follower.pid, SIGKILL)
    let first = follower.finish()
    #expect(first.exitCode == 128 + SIGKILL)
    let firstLines = first.out.split(separator: "\n").map(String.init)
    let cursor = try #require(
      firstLines.last.flatMap {
        (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
      }?["cursor"] as? String)
    for n in 0..<3 { sandbox.create("create-customer", "--given-name", "B\(n)") }
    let resumed = sandbox.run("events", "--follow", "--after", cursor, "--timeout", "1")
    #expect(resumed.exitCode == 0, "\(resumed)")
    let all = (firstLines + resumed.out.split(separator: "\n").map(String.init)).compactMap {
      ((try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any])?["event"]
        as? [String: Any]
    }
    #expect(
      all.compactMap { $0["event_id"] as? String }
        == feed().compactMap { $0["event_id"] as? String })
    #expect(all.count == 8)
  }
}

/// Runs `optimist` with `input` on its stdin.
enum OptimistProcessInput {
  static func run(_ sandbox: Sandbox, _ arguments: [String], input: String) -> CLIResult {
    let process = OptimistProcess.launch(arguments, environment: sandbox.environment, input: true)
    process.write(input)
    process.closeInput()
    return process.finish()
  }
}
