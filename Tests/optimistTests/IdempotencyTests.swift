import Foundation
import Testing

/// Idempotency keys with real processes: replays, reuse, refusals that keep the key, races.
@Suite struct IdempotencyTests {
  let sandbox: Sandbox

  init() throws {
    sandbox = try Sandbox()
  }

  static let racers = 8

  enum Folder: String, CaseIterable, Sendable {
    case existing, missing
  }

  static let keyedCreates: [(command: [String], type: String)] = [
    (
      [
        "create-payment", "--key", "race-key", "--amount", "1250", "--currency", "EUR",
        "--source-id",
        "cnon:card-nonce-ok", "--note", "race",
      ], "PAYMENT"
    ),
    (["create-customer", "--key", "race-key", "--given-name", "Ada"], "CUSTOMER"),
    (["create-item", "--key", "race-key", "--name", "Coffee"], "ITEM"),
  ]

  private func objects(_ type: String, environment: [String: String]? = nil) -> [[String: Any]] {
    sandbox.run(["list", "--type", type], environment: environment).expectSuccess()["objects"]
      as? [[String: Any]]
      ?? []
  }

  @Test(arguments: Folder.allCases, 0..<keyedCreates.count)
  func simultaneousSameKeyCreatesExactlyOnce(_ folder: Folder, _ index: Int) throws {
    let (command, type) = Self.keyedCreates[index]
    let db = try sandbox.freshStore(folder == .existing ? "race.db" : "new/folders/race.db")
    let environment = sandbox.environment(store: db)
    #expect(!sandbox.storeExists(db))
    let results = Locked<[CLIResult]>([])

    runTogether(Self.racers) { _ in
      let result = OptimistProcess.run(command, environment: environment)
      results.withLock { $0.append(result) }
    }

    let all = results.withLock { $0 }
    #expect(all.count == Self.racers)
    for result in all {
      result.expectSuccess()
      #expect(result.stdout == all[0].stdout, "\(result) differs from \(all[0])")
    }
    let listed = objects(type, environment: environment)
    #expect(listed.count == 1)
    #expect(listed.first?["id"] as? String == all.first?.json?["id"] as? String)
    #expect(
      sandbox.run(["doctor"], environment: environment).expectSuccess()["idempotency_keys"] as? Int
        == 1)
  }

  @Test func replayReturnsStoredBytesAfterTheCustomerIsDeleted() throws {
    let customer = sandbox.create("create-customer", "--given-name", "Ada")
    let arguments = [
      "create-payment", "--key", "order-17", "--amount", "700", "--currency", "USD", "--source-id",
      "cnon:ok",
      "--customer-id", customer,
    ]
    let first = sandbox.run(arguments)
    first.expectSuccess()

    sandbox.run("update", customer, "--set", "note=changed").expectSuccess()
    let changed = sandbox.run(arguments)
    #expect(changed.exitCode == 0)
    #expect(changed.stdout == first.stdout)

    sandbox.run("delete", customer).expectSuccess()
    let replay = sandbox.run(arguments)
    #expect(replay.exitCode == 0, "\(replay)")
    #expect(replay.stdout == first.stdout)
    #expect(replay.stderr.isEmpty)
    #expect(objects("PAYMENT").count == 1)

    // A new key for the deleted customer is refused.
    var fresh = arguments
    fresh[2] = "order-18"
    sandbox.run(fresh).expectError(4, "NOT_FOUND", field: "customer_id")
  }

  @Test func differentRequestWithSameKeyExitsFiveAndCreatesNothing() throws {
    let first = sandbox.run(
      "create-payment", "--key", "k-1", "--amount", "100", "--currency", "USD", "--source-id", "s")
    first.expectSuccess()
    let before = try #require(sandbox.snapshot())

    for changed in [
      ["--amount", "101", "--currency", "USD", "--source-id", "s"],
      ["--amount", "100", "--currency", "CAD", "--source-id", "s"],
      ["--amount", "100", "--currency", "USD", "--source-id", "t"],
      ["--amount", "100", "--currency", "USD", "--source-id", "s", "--reference-id", "r"],
      ["--amount", "100", "--currency", "USD", "--source-id", "s", "--autocomplete", "false"],
    ] {
      sandbox.run(["create-payment", "--key", "k-1"] + changed)
        .expectError(
          5, "IDEMPOTENCY_KEY_REUSED", field: "idempotency_key", category: "INVALID_REQUEST_ERROR")
    }
    #expect(sandbox.snapshot() == before)
    // Leaving a parameter out is a different request too.
    let noted = [
      "create-payment", "--key", "k-2", "--amount", "1", "--currency", "USD", "--source-id", "s",
    ]
    sandbox.run(noted + ["--note", "n"]).expectSuccess()
    let withNote = try #require(sandbox.snapshot())
    sandbox.run(noted).expectError(5, "IDEMPOTENCY_KEY_REUSED")
    #expect(sandbox.snapshot() == withNote)

    sandbox.run("create-customer", "--key", "c-1", "--given-name", "Ada").expectSuccess()
    sandbox.run("create-customer", "--key", "c-1", "--given-name", "Bob").expectError(
      5, "IDEMPOTENCY_KEY_REUSED")
    sandbox.run("create-customer", "--key", "c-1", "--given-name", "Ada", "--note", "n")
      .expectError(5, "IDEMPOTENCY_KEY_REUSED")

    #expect(objects("PAYMENT").count == 2)
    #expect(objects("CUSTOMER").count == 1)
  }

  @Test func refusedRequestsDoNotUseUpTheKey() throws {
    let good = [
      "create-payment", "--key", "retry-me", "--amount", "300", "--currency", "USD", "--source-id",
      "cnon:ok",
    ]
    let customer = sandbox.create("create-customer", "--given-name", "Ada")

    // exit 2: invalid values, with the same key
    sandbox.run([
      "create-payment", "--key", "retry-me", "--amount", "zero", "--currency", "USD", "--source-id",
      "x",
    ])
    .expectError(2, "INVALID_VALUE")
    sandbox.run(good + ["--note", text(501)]).expectError(2, "VALUE_TOO_LONG")
    // exit 4: a customer that does not exist
    sandbox.run(good + ["--customer-id", Shop.missing]).expectError(4, "NOT_FOUND")
    // exit 64: a malformed command line
    sandbox.run(good + ["--bogus"]).expectUsageError()
    #expect(objects("PAYMENT").isEmpty)

    let paid = sandbox.run(good + ["--customer-id", customer])
    paid.expectSuccess()
    #expect(sandbox.run(good + ["--customer-id", customer]).stdout == paid.stdout)
    #expect(objects("PAYMENT").count == 1)

    sandbox.run("create-customer", "--key", "c-retry").expectError(2, "MISSING_REQUIRED_PARAMETER")
    sandbox.run("create-item", "--key", "i-retry", "--name", "").expectError(
      2, "MISSING_REQUIRED_PARAMETER")
    sandbox.run("create-customer", "--key", "c-retry", "--given-name", "Bob").expectSuccess()
    sandbox.run("create-item", "--key", "i-retry", "--name", "Tea").expectSuccess()
  }

  @Test func keyedCreateReplaysTheSameBytes() throws {
    for arguments in [
      ["create-customer", "--key", "same", "--given-name", "Ada", "--note", "x"],
      ["create-item", "--key", "same", "--name", "Coffee", "--available-for-pickup", "false"],
    ] {
      let first = sandbox.run(arguments)
      first.expectSuccess()
      let before = try #require(sandbox.snapshot())
      for _ in 0..<3 {
        let again = sandbox.run(arguments)
        #expect(again.exitCode == 0)
        #expect(again.stdout == first.stdout)
        #expect(again.stderr.isEmpty)
      }
      #expect(sandbox.snapshot() == before)
    }
    #expect(objects("CUSTOMER").count == 1)
    #expect(objects("ITEM").count == 1)
  }

  @Test func keysAreScopedPerCommand() throws {
    let customer = sandbox.run("create-customer", "--key", "shared", "--given-name", "Ada")
      .expectSuccess()
    let item = sandbox.run("create-item", "--key", "shared", "--name", "Coffee").expectSuccess()
    let payment = sandbox.run(
      "create-payment", "--key", "shared", "--amount", "1", "--currency", "USD", "--source-id", "s"
    ).expectSuccess()

    #expect(customer["id"] != nil)
    #expect(item["type"] as? String == "ITEM")
    #expect(payment["status"] as? String == "COMPLETED")
    #expect(objects("CUSTOMER").count == 1)
    #expect(objects("ITEM").count == 1)
    #expect(objects("PAYMENT").count == 1)
  }

  @Test func prunedKeysCanBeUsedAfreshAndPaymentsStay() throws {
    let first = [
      "create-payment", "--key", "old", "--amount", "1", "--currency", "USD", "--source-id", "s",
    ]
    sandbox.run(first).expectSuccess()
    sandbox.run("create-customer", "--key", "old", "--given-name", "Ada").expectSuccess()

    let kept = sandbox.run("prune-keys", "--older-than", "7d").expectSuccess()
    #expect(kept["deleted_keys"] as? Int == 0)
    sandbox.run(
      "create-payment", "--key", "old", "--amount", "2", "--currency", "USD", "--source-id", "s"
    )
    .expectError(5, "IDEMPOTENCY_KEY_REUSED")

    let pruned = sandbox.run("prune-keys", "--older-than", "0s").expectSuccess()
    #expect(pruned["deleted_keys"] as? Int == 2)
    #expect(objects("PAYMENT").count == 1)
    sandbox.run(
      "create-payment", "--key", "old", "--amount", "2", "--currency", "USD", "--source-id", "s"
    )
    .expectSuccess()
    #expect(objects("PAYMENT").count == 2)
  }

  @Test func optionOrderDoesNotMakeADifferentRequest() throws {
    let first = sandbox.run(
      "create-payment", "--key", "ordered", "--amount", "10", "--currency", "USD", "--source-id",
      "s", "--note", "n")
    first.expectSuccess()

    let reordered = sandbox.run(
      "create-payment", "--note", "n", "--source-id", "s", "--currency", "USD", "--amount", "10",
      "--key", "ordered")

    #expect(reordered.exitCode == 0, "\(reordered)")
    #expect(reordered.stdout == first.stdout)
    #expect(objects("PAYMENT").count == 1)
  }

  @Test func simultaneousDifferentRequestsWithOneKeyCreateOnce() throws {
    let results = Locked<[CLIResult]>([])
    let sandbox = self.sandbox

    runTogether(Self.racers) { index in
      let result = sandbox.run(
        "create-payment", "--key", "contested", "--amount", "\(index + 1)", "--currency", "USD",
        "--source-id", "s")
      results.withLock { $0.append(result) }
    }

    let all = results.withLock { $0 }
    let winners = all.filter { $0.exitCode == 0 }
    #expect(winners.count == 1, "\(all)")
    for loser in all where loser.exitCode != 0 {
      loser.expectError(5, "IDEMPOTENCY_KEY_REUSED", field: "idempotency_key")
    }
    let listed = objects("PAYMENT")
    #expect(listed.count == 1)
    #expect(listed.first?["id"] as? String == winners.first?.json?["id"] as? String)
  }
}
