import Foundation
import Testing

@testable import OptimistCore
@testable import OptimistPostgres

/// A schema made by a newer optimist is refused, read or write, and left as it was (on the
/// test server; without one the test fails).
@Suite struct PostgresSchemaVersionTests {
  @Test func aNewerSchemaIsRefusedAndLeftUnchanged() throws {
    let admin = try PostgresNotificationTests.connect()
    let schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    try admin.execute("CREATE SCHEMA \(schema)")
    defer { try? admin.execute("DROP SCHEMA \(schema) CASCADE") }
    let base = try #require(ProcessInfo.processInfo.environment["OPTIMIST_TEST_PG"])
    let url = base + (base.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(schema)"

    try PostgresStore(url: url, timeout: 5).write { _ in }
    let newer = PostgresStore.latest + 1
    try admin.execute("UPDATE \(schema).optimist_schema SET version = \(newer)")

    let store = PostgresStore(url: url, timeout: 5)
    let commands: [(String, () throws -> Void)] = [
      ("read", { try store.read { _ in } }), ("write", { try store.write { _ in } }),
    ]
    for (name, command) in commands {
      let error = #expect(throws: OptimistError.self, "\(name)") { try command() }
      #expect(error?.exitStatus == .storageError, "\(name)")
      #expect(error?.detail.contains("schema version \(newer)") == true, "\(name)")
    }
    let version = try admin.first("SELECT version FROM \(raw: schema).optimist_schema")
    #expect(version?.integer(0) == Int64(newer))
  }
}

/// Statements held back and sent with COMMIT in one round trip (pipeline mode) commit only
/// when each changed the rows it had to: the server checks it, so the COMMIT sent with them
/// does not commit the others.
@Suite struct PostgresPipelineTests {
  @Test func aHeldStatementThatChangesTheWrongRowsCommitsNothing() throws {
    let admin = try PostgresNotificationTests.connect()
    let schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    try admin.execute("CREATE SCHEMA \(schema)")
    defer { try? admin.execute("DROP SCHEMA \(schema) CASCADE") }
    let base = try #require(ProcessInfo.processInfo.environment["OPTIMIST_TEST_PG"])
    let url = base + (base.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(schema)"
    let store = PostgresStore(url: url, timeout: 5)
    try store.write { _ in }
    let refused = OptimistError.unavailable("the held UPDATE changed no row")
    let error = #expect(throws: OptimistError.self) {
      try store.write { tx in
        try tx.runLater(
          "INSERT INTO history (id, version, replaced_at, object) VALUES ('A', 1, 0, '{}')",
          changes: 1, otherwise: .storage("unexpected"))
        try tx.runLater(
          "UPDATE customers SET note = 'x' WHERE id = 'MISSING'", changes: 1, otherwise: refused)
      }
    }
    #expect(error == refused)
    #expect(try admin.first("SELECT count(*) FROM \(raw: schema).history")?.integer(0) == 0)
    // The same statements, each changing its one row, commit together; then a read sees them.
    try store.write { tx in
      try tx.runLater(
        "INSERT INTO history (id, version, replaced_at, object) VALUES ('A', 1, 0, '{}')",
        changes: 1, otherwise: .storage("unexpected"))
      try tx.runLater(
        "UPDATE history SET object = '{\"a\":1}' WHERE id = 'A'", changes: 1, otherwise: refused)
    }
    let object = try store.read { tx in try tx.first("SELECT object FROM history")?.text(0) }
    #expect(object == "{\"a\":1}")
  }

  /// A read sent ahead with the next statement answers when it is the statement after it,
  /// is dropped when another comes instead, and, when it fails, fails the transaction.
  @Test func aReadAheadAnswersOnlyInItsTurnAndItsFailureFailsTheTransaction() throws {
    let admin = try PostgresNotificationTests.connect()
    let schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    try admin.execute("CREATE SCHEMA \(schema)")
    defer { try? admin.execute("DROP SCHEMA \(schema) CASCADE") }
    let base = try #require(ProcessInfo.processInfo.environment["OPTIMIST_TEST_PG"])
    let url = base + (base.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(schema)"
    let store = PostgresStore(url: url, timeout: 5)
    _ = try store.write { tx in
      try tx.run("INSERT INTO history (id, version, replaced_at, object) VALUES ('A', 1, 0, 'a')")
    }
    let read: SQL = "SELECT object FROM history WHERE id = \("A")"
    let (inTurn, afterAWrite) = try store.write { tx in
      tx.readAhead(read)
      try tx.run("UPDATE history SET object = 'b' WHERE id = 'A'")
      let inTurn = try tx.first(read)?.text(0)
      tx.readAhead(read)
      try tx.run("UPDATE history SET object = 'c' WHERE id = 'A'")
      try tx.run("UPDATE history SET object = 'd' WHERE id = 'A'")
      return (inTurn, try tx.first(read)?.text(0))
    }
    #expect(inTurn == "b")
    #expect(afterAWrite == "d")
    let error = #expect(throws: PostgresError.self) {
      try store.write { tx in
        tx.readAhead("SELECT 1 / 0")
        try tx.run("UPDATE history SET object = 'e' WHERE id = 'A'")
        _ = try tx.first("SELECT 1")
      }
    }
    #expect(error?.sqlstate == "22012")
    #expect(try admin.first("SELECT object FROM \(raw: schema).history")?.text(0) == "d")
  }
}
