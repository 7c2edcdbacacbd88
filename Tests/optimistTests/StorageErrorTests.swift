import Foundation
import Testing

/// Exit 1: a database path that cannot be used gives INTERNAL_SERVER_ERROR and is left untouched.
@Suite struct StorageErrorTests {
  let sandbox: Sandbox

  init() throws {
    sandbox = try Sandbox()
  }

  enum BadPath: String, CaseIterable, Sendable {
    case directory, textFile, underRegularFile, deepUnderRegularFile, damagedHeader, truncated,
      emptyDbOption
  }

  static let commands: [[String]] = [
    ["create-customer", "--given-name", "Ada"], ["list"], ["doctor"], ["get", Shop.missing],
    ["create-payment", "--key", "k", "--amount", "1", "--currency", "USD", "--source-id", "s"],
  ]

  /// Makes the bad path and returns the path to pass and the file whose bytes must not change.
  private func make(_ bad: BadPath) throws -> (db: String, watched: String) {
    let root = sandbox.root
    switch bad {
    case .directory:
      try FileManager.default.createDirectory(
        atPath: root + "/folder.db", withIntermediateDirectories: false)
      return (root + "/folder.db", root + "/folder.db")
    case .textFile:
      try Data("hello, I am not a database\n".utf8).write(
        to: URL(fileURLWithPath: root + "/notes.txt"))
      return (root + "/notes.txt", root + "/notes.txt")
    case .underRegularFile:
      try Data("plain\n".utf8).write(to: URL(fileURLWithPath: root + "/plain"))
      return (root + "/plain/optimist.db", root + "/plain")
    case .deepUnderRegularFile:
      try Data("plain\n".utf8).write(to: URL(fileURLWithPath: root + "/plain"))
      return (root + "/plain/a/b/optimist.db", root + "/plain")
    case .damagedHeader, .truncated:
      let path = root + "/damaged.db"
      sandbox.run("create-customer", "--given-name", "Ada", "--db", path).expectSuccess()
      sandbox.run("create-item", "--name", "Coffee", "--db", path).expectSuccess()
      var bytes = try #require(sandbox.bytes(path))
      if bad == .truncated {
        bytes = bytes.prefix(4096)
      } else {
        bytes.replaceSubrange(100..<116, with: Data("garbage-garbage!".utf8))
      }
      try bytes.write(to: URL(fileURLWithPath: path))
      return (path, path)
    case .emptyDbOption:
      return ("", root + "/home")
    }
  }

  @Test(arguments: BadPath.allCases, commands)
  func unusableDatabaseExitsOneAndIsLeftUntouched(_ bad: BadPath, _ command: [String]) throws {
    let (db, watched) = try make(bad)
    let before = sandbox.bytes(watched)
    let files = sandbox.listing()
    let inside = sandbox.listing(watched)

    let result = sandbox.run(command + ["--db", db])

    result.expectError(1, "INTERNAL_SERVER_ERROR", category: "API_ERROR")
    #expect(result.error?["detail"] as? String != nil)
    #expect(sandbox.bytes(watched) == before, "\(result)")
    #expect(sandbox.listing() == files, "\(result)")
    #expect(sandbox.listing(watched) == inside, "\(result)")
  }

  @Test func noPathAtAllExitsOne() {
    let result = sandbox.run(["list"], environment: [:])

    result.expectError(1, "INTERNAL_SERVER_ERROR", category: "API_ERROR")
  }

  @Test func doctorExitsOneWhenTheIntegrityCheckFails() throws {
    let sqlite3 = "/usr/bin/sqlite3"
    try #require(
      FileManager.default.isExecutableFile(atPath: sqlite3),
      "this test needs \(sqlite3) to damage an index: apt-get install sqlite3")
    for key in ["a", "b", "c"] {
      sandbox.run("create-customer", "--key", key, "--given-name", key).expectSuccess()
    }
    // Redefine an index without rebuilding it: its entries no longer match its rows.
    let damage = OptimistProcess.run(
      [
        sandbox.db,
        "PRAGMA writable_schema=ON; UPDATE sqlite_master SET sql = "
          + "'CREATE INDEX idempotency_keys_by_age ON idempotency_keys (key)' "
          + "WHERE name = 'idempotency_keys_by_age';",
      ], environment: ["HOME": sandbox.root + "/home"], executable: sqlite3)
    try #require(damage.exitCode == 0, "\(damage)")
    let before = try #require(sandbox.snapshot())

    let result = sandbox.run("doctor")

    #expect(result.exitCode == 1, "\(result)")
    #expect(result.errorCode == "INTERNAL_SERVER_ERROR", "\(result)")
    let report = try #require(result.json, "\(result)")
    #expect(report[sandbox.engine.checkName] as? String != "ok")
    #expect((report[sandbox.engine.checkName] as? String)?.isEmpty == false)
    #expect(sandbox.snapshot() == before)
  }
}
