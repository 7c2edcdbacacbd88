import Foundation
import Testing

/// Exit 75: another process holds the write lock past `--timeout`.
///
/// On SQLite the lock is held by `/usr/bin/sqlite3` inside `BEGIN IMMEDIATE`; on PostgreSQL
/// by `psql` holding EXCLUSIVE locks on every table (readers still read). Either touches a
/// file once it has the lock, and keeps it until its stdin is told to roll back.
@Suite struct LockTimeoutTests {
  let sandbox: Sandbox

  init() throws {
    sandbox = try Sandbox()
  }

  static let sqlite3 = "/usr/bin/sqlite3"

  /// Runs `body` while a separate sqlite3 or psql process holds the store's write lock.
  private func whileLocked(_ body: () throws -> Void) throws {
    let marker = sandbox.root + "/locked"
    let holder: RunningProcess
    switch sandbox.engine {
    case .sqlite:
      try #require(
        FileManager.default.isExecutableFile(atPath: Self.sqlite3),
        "\(Self.sqlite3) is needed to hold the lock from another process: apt-get install sqlite3")
      holder = OptimistProcess.launch(
        [sandbox.db], environment: ["HOME": sandbox.root + "/home"], executable: Self.sqlite3,
        input: true)
      holder.write("BEGIN IMMEDIATE;\n.shell touch '\(marker)'\n")
    case .postgresql:
      holder = OptimistProcess.launch(
        ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", sandbox.db],
        environment: ["HOME": sandbox.root + "/home"], executable: TestServer.psql, input: true)
      holder.write(
        "BEGIN;\nLOCK TABLE customers, items, payments, idempotency_keys, catalog_clock, history "
          + "IN EXCLUSIVE MODE;\n\\! touch '\(marker)'\n")
    }
    defer {
      holder.write(sandbox.engine == .sqlite ? "ROLLBACK;\n.quit\n" : "ROLLBACK;\n\\q\n")
      holder.closeInput()
      let ended = holder.finish()
      #expect(ended.exitCode == 0, "the lock holder failed: \(ended)")
    }
    // Bounded wait for the lock holder to report that it has the lock (not a timing assertion).
    var polls = 0
    while !sandbox.exists(marker) && polls < 3000 {
      usleep(10_000)
      polls += 1
    }
    try #require(sandbox.exists(marker), "the lock holder never took the lock")
    try body()
  }

  @Test(arguments: ["0", "0.5"])
  func lockedWritesExit75AndChangeNothing(_ timeout: String) throws {
    let shop = Shop(sandbox)
    let customer = sandbox.run("get", shop.customer)
    let item = sandbox.run("get", shop.item)
    let version = try #require(customer.json?["version"] as? Int)
    let before = try #require(sandbox.snapshot())
    let payment = [
      "create-payment", "--key", "during-lock", "--amount", "5", "--currency", "USD", "--source-id",
      "s",
    ]

    try whileLocked {
      for arguments in [
        ["update", shop.customer, "--version", String(version), "--set", "note=locked"],
        ["update", shop.item, "--set", "name=Tea"],
        ["delete", shop.customer],
        ["create-customer", "--given-name", "Bob"],
        ["create-item", "--name", "Tea", "--key", "item-during-lock"],
        payment,
        ["prune-keys", "--older-than", "0s"],
        ["prune-history", "--older-than", "0s"],
      ] {
        let result = sandbox.run(arguments + ["--timeout", timeout])
        result.expectError(75, "TEMPORARY_ERROR", field: .some(nil), category: "API_ERROR")
      }
      // A reserved lock does not stop readers.
      #expect(sandbox.run("get", shop.customer, "--timeout", "0").stdout == customer.stdout)
      #expect(
        sandbox.run("get", shop.customer, "--at-version", String(version), "--timeout", "0").stdout
          == customer.stdout)
    }

    #expect(sandbox.snapshot() == before)
    #expect(sandbox.run("get", shop.customer).stdout == customer.stdout)
    #expect(sandbox.run("get", shop.item).stdout == item.stdout)
    // The key of the payment refused with 75 was not used up.
    let paid = sandbox.run(payment).expectSuccess()
    #expect(paid["status"] as? String == "COMPLETED")
    let keyed = sandbox.run("create-item", "--name", "Tea", "--key", "item-during-lock")
      .expectSuccess()
    #expect((keyed["item_data"] as? [String: Any])?["name"] as? String == "Tea")
  }
}
