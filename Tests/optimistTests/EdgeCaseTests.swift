import Foundation
import Testing

/// Edge cases a demanding user hits: dashed values, missing databases, foreign files,
/// canonically equivalent text, cursors never printed, an answer that cannot be written.
@Suite struct EdgeCaseTests {
  let sandbox: Sandbox

  init() throws {
    sandbox = try Sandbox()
  }

  /// Values that start with `-` are values, checked by optimist (exit 2), not options (64).
  @Test(arguments: [
    (
      ["create-payment", "--key", "k", "--amount", "-1", "--currency", "USD", "--source-id", "s"],
      "amount_money.amount"
    ),
    (["list", "--limit", "-5"], "limit"),
    (["update", "AAAAAAAAAAAAAAAAAAAAAAAAAA", "--version", "-1", "--set", "note=x"], "version"),
    (["prune-keys", "--older-than", "-1s"], "older_than"),
  ])
  func dashedValuesAreCheckedValues(_ arguments: [String], _ field: String) {
    sandbox.run(arguments).expectError(2, "INVALID_VALUE", field: .some(field))
    #expect(!sandbox.storeExists())
  }

  @Test func dashedTextIsStoredAsIs() throws {
    let id = sandbox.create("create-customer", "--given-name", "-Ann", "--note", "--db")
    let customer = sandbox.get(id)
    #expect(customer["given_name"] as? String == "-Ann")
    #expect(customer["note"] as? String == "--db")
    let updated = sandbox.run("update", id, "--set", "note=-VIP").expectSuccess()
    #expect(updated["note"] as? String == "-VIP")
  }

  /// Reading, updating or pruning a database that does not exist creates nothing.
  @Test(arguments: [
    ["get", "AAAAAAAAAAAAAAAAAAAAAAAAAA"],
    ["update", "AAAAAAAAAAAAAAAAAAAAAAAAAA", "--set", "note=x"],
    ["delete", "AAAAAAAAAAAAAAAAAAAAAAAAAA"],
    ["history", "AAAAAAAAAAAAAAAAAAAAAAAAAA"],
    ["get", "AAAAAAAAAAAAAAAAAAAAAAAAAA", "--at-version", "0"],
    ["wait", "AAAAAAAAAAAAAAAAAAAAAAAAAA", "--changed-from", "0", "--timeout", "60"],
    [
      "create-payment", "--key", "k", "--amount", "1", "--currency", "USD", "--source-id", "s",
      "--customer-id", "AAAAAAAAAAAAAAAAAAAAAAAAAA",
    ],
  ])
  func aMissingDatabaseIsNotCreatedByARefusal(_ arguments: [String]) throws {
    let db = try sandbox.freshStore("new/folder/typo.db")
    sandbox.run(arguments + ["--db", db]).expectError(4, "NOT_FOUND")
    #expect(!sandbox.exists(sandbox.root + "/new"))
    #expect(!sandbox.storeExists(db))
  }

  @Test func listingAMissingDatabaseIsEmptyAndDoctorSaysItIsMissing() throws {
    let db = try sandbox.freshStore("typo.db")
    let page = sandbox.run("list", "--db", db).expectSuccess()
    #expect((page["objects"] as? [Any])?.isEmpty == true)
    _ = sandbox.run("prune-keys", "--older-than", "0s", "--db", db).expectSuccess()
    _ = sandbox.run("prune-history", "--keep", "1", "--db", db).expectSuccess()
    sandbox.run("doctor", "--db", db).expectError(1, "INTERNAL_SERVER_ERROR")
    #expect(!sandbox.storeExists(db))
  }

  @Test func anotherProgramsSQLiteFileIsRefusedUntouched() throws {
    let db = sandbox.root + "/notes.db"
    let sqlite = Process()
    sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
    sqlite.arguments = [db, "CREATE TABLE notes (x); INSERT INTO notes VALUES (1);"]
    try sqlite.run()
    sqlite.waitUntilExit()
    let before = try #require(sandbox.bytes(db))
    for arguments in [
      ["get", "AAAAAAAAAAAAAAAAAAAAAAAAAA"], ["create-item", "--name", "x"], ["doctor"],
    ] {
      sandbox.run(arguments + ["--db", db]).expectError(1, "INTERNAL_SERVER_ERROR")
    }
    #expect(sandbox.bytes(db) == before)
  }

  @Test func aPathEndingInASlashIsRefusedBeforeAnythingIsCreated() {
    sandbox.run("create-item", "--name", "x", "--db", sandbox.root + "/dir/")
      .expectError(1, "INTERNAL_SERVER_ERROR")
    #expect(!sandbox.exists(sandbox.root + "/dir"))
  }

  /// é and e + ◌́ are different text, so different requests for one key.
  @Test func canonicallyEquivalentTextIsADifferentRequest() {
    let first = sandbox.run("create-customer", "--key", "k", "--given-name", "Jos\u{E9}")
    _ = first.expectSuccess()
    sandbox.run("create-customer", "--key", "k", "--given-name", "Jose\u{301}")
      .expectError(5, "IDEMPOTENCY_KEY_REUSED", field: "idempotency_key")
    #expect(
      sandbox.run("create-customer", "--key", "k", "--given-name", "Jos\u{E9}").stdout
        == first.stdout)
  }

  @Test func aCursorPastEveryObjectWasNeverPrinted() {
    _ = sandbox.create("create-item", "--name", "Tea")
    sandbox.run("list", "--type", "ITEM", "--cursor", "ITEM-ITEM-999")
      .expectError(2, "INVALID_VALUE", field: "cursor")
    _ = sandbox.run("list", "--type", "ITEM", "--cursor", "ITEM-ITEM-1").expectSuccess()
  }

  /// A script whose stdout is full did not get the answer: exit 1, not 0.
  @Test func anAnswerThatCannotBeWrittenIsAFailure() throws {
    let id = sandbox.create("create-item", "--name", "Tea")
    let shell = Process()
    shell.executableURL = URL(fileURLWithPath: "/bin/sh")
    shell.arguments = [
      "-c", "\"$0\" get \"$1\" --db \"$2\" > /dev/full 2>/dev/null", OptimistProcess.binary, id,
      sandbox.db,
    ]
    try shell.run()
    shell.waitUntilExit()
    #expect(shell.terminationStatus == 1)
  }
}
