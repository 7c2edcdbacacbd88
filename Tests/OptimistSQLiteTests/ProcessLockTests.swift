import Foundation
import Testing

@testable import OptimistCore
@testable import OptimistSQLite

/// SQLite's locks on Unix are POSIX advisory locks, which belong to the process, not to a
/// connection: closing any descriptor of the database file drops every lock the process holds
/// on it (<https://www.sqlite.org/howtocorrupt.html>, "Posix advisory locks canceled by a
/// separate thread doing close()").
/// The server's workers each open a store on their first job while others write; opening one
/// must leave the others' locks in place, or another process (a CLI command) writes in the
/// middle of the server's transaction: a lost update, and a COMMIT that fails after writing.
@Suite struct ProcessLockTests {
  let directory = TemporaryDirectory()
  let path: String

  static let sqlite3 = "/usr/bin/sqlite3"

  init() throws {
    path = directory.file("optimist.db")
    try SQLiteStore(path: path, timeout: 5).write { db in
      try db.execute("CREATE TABLE notes (note TEXT)")
    }
  }

  /// Another process inserts `note` without waiting for a lock (sqlite3's busy timeout is
  /// 0): its exit status and stderr.
  func otherProcessInserts(_ note: String) throws -> (status: Int32, stderr: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: Self.sqlite3)
    process.arguments = [
      path, "BEGIN IMMEDIATE; INSERT INTO notes (note) VALUES ('\(note)'); COMMIT;",
    ]
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    _ = output.fileHandleForReading.readDataToEndOfFile()
    let stderr = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: stderr, as: UTF8.self))
  }

  @Test func openingAStoreLeavesAnotherConnectionsWriteLockInPlace() throws {
    try #require(
      FileManager.default.isExecutableFile(atPath: Self.sqlite3),
      "\(Self.sqlite3) is needed to write from another process: apt-get install sqlite3")
    let writer = SQLiteStore(path: path, timeout: 5)
    try writer.write { db in
      try db.run("INSERT INTO notes (note) VALUES ('server')")
      // A new worker's first job: its store opens its own connection to the file.
      let opened = SQLiteStore(path: path, timeout: 5)
      _ = try opened.read { db in try db.first("SELECT count(*) FROM notes") }
      let other = try otherProcessInserts("cli")
      #expect(other.status != 0, "another process wrote inside this write transaction")
      #expect(other.stderr.contains("database is locked"), "\(other.stderr)")
    }
    let notes = try writer.read { db in try db.rows("SELECT note FROM notes ORDER BY rowid") }
    #expect(notes.map { $0.text(0) } == ["server"])
  }
}
