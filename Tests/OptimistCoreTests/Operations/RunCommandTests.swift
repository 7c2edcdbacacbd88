import Foundation
import Testing

@testable import OptimistCore
@testable import OptimistSQLite

@Suite struct RunCommandTests {
  let directory = TemporaryDirectory()

  /// One of each command, as the CLI runs them.
  static let commands: [(String, @Sendable (any StoreEngine) throws -> Output)] = [
    ("get", { StoredAnswer(try $0.get(id: "AAAAAAAAAAAAAAAAAAAAAAAAAA")) }),
    ("list", { StoredAnswer(try $0.list(EdgeRequest.list())) }),
    ("doctor", { StoredAnswer(try $0.doctor(testBuild)) }),
    ("create", { try $0.create(EdgeRequest.create(.customer, [("given_name", "A")])).printed }),
    (
      "create-payment",
      {
        try $0.createPayment(
          EdgeRequest.payment(key: "k", amount: "1", currency: "USD", source: "cnon:card-nonce-ok")
        ).printed
      }
    ),
    ("update", { try $0.update(EdgeRequest.update("X", set: ["note=x"])).printed }),
    ("delete", { try $0.delete(DeleteRequest(id: "X", version: nil)).printed }),
    (
      "prune-keys",
      { StoredAnswer(try $0.pruneKeys(olderThan: Values.duration("0s", field: "older_than"))) }
    ),
  ]

  private func expectStorageError(_ output: Output, _ name: String) throws {
    #expect(output.status == .storageError, "\(name): \(output.stderr)")
    #expect(output.stdout == "", "\(name)")
    let error = try TestJSON.error(output.stderr)
    #expect(error["code"] as? String == "INTERNAL_SERVER_ERROR", "\(name)")
    #expect(error["category"] as? String == "API_ERROR", "\(name)")
    #expect(output.stderr.hasSuffix("}\n"))
  }

  @Test func directoryAsDatabaseIsAStorageErrorAndLeftUntouched() throws {
    let folder = directory.file("folder.db")
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
    let inside = Data("keep me\n".utf8)
    try inside.write(to: URL(fileURLWithPath: folder + "/keep.txt"))
    for (name, command) in Self.commands {
      try expectStorageError(runCommand(database: folder, timeout: 1, command), name)
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["keep.txt"])
    #expect(fileBytes(folder + "/keep.txt") == inside)
    #expect(directory.entries() == ["folder.db"])
  }

  @Test(arguments: [
    "just some notes\n", String(repeating: "not a database, not even close. ", count: 500), "x\n",
    "SQLite format 3 almost: " + String(repeating: "garbage", count: 100),
  ])
  func textFileAsDatabaseIsAStorageErrorAndLeftUntouched(content: String) throws {
    let path = directory.file("notes.txt")
    let bytes = Data(content.utf8)
    try bytes.write(to: URL(fileURLWithPath: path))
    for (name, command) in Self.commands {
      try expectStorageError(runCommand(database: path, timeout: 1, command), name)
      #expect(fileBytes(path) == bytes, "\(name) changed the file")
      #expect(directory.entries() == ["notes.txt"], "\(name) left \(directory.entries())")
    }
  }

  /// SQLite itself takes a one-byte file for an empty database; optimist must not overwrite it.
  @Test func oneByteTextFileIsLeftUntouched() throws {
    let path = directory.file("x.txt")
    let bytes = Data("x".utf8)
    try bytes.write(to: URL(fileURLWithPath: path))
    let output = runCommand(database: path, timeout: 1) {
      StoredAnswer(try $0.get(id: "AAAAAAAAAAAAAAAAAAAAAAAAAA"))
    }
    try expectStorageError(output, "get")
    #expect(fileBytes(path) == bytes, "the file was turned into a database")
    #expect(directory.entries() == ["x.txt"])
  }

  @Test func emptyDatabasePathIsAStorageError() throws {
    try expectStorageError(runCommand(database: "", timeout: 1, Self.commands[0].1), "get")
  }

  /// A refused request never creates the database file.
  @Test func refusedRequestDoesNotCreateTheDatabase() throws {
    let path = directory.file("sub/optimist.db")
    let refused: [(Int32, (any StoreEngine) throws -> Output)] = [
      (2, { try $0.create(EdgeRequest.create(.customer, [("note", "n")])).printed }),
      (
        2,
        { StoredAnswer(try $0.pruneKeys(olderThan: Values.duration("5x", field: "older_than"))) }
      ),
      (2, { try $0.delete(DeleteRequest(id: "X", version: Values.version("v1"))).printed }),
      (2, { StoredAnswer(try $0.list(EdgeRequest.list(limit: "0"))) }),
      (
        2,
        {
          try $0.createPayment(
            EdgeRequest.payment(
              key: "k", amount: "0", currency: "USD", source: "cnon:card-nonce-ok")
          ).printed
        }
      ),
    ]
    for (exitCode, command) in refused {
      let output = runCommand(database: path, timeout: 1, command)
      #expect(output.status.code == exitCode)
      #expect(output.stdout == "")
      #expect(try TestJSON.error(output.stderr)["category"] as? String == "INVALID_REQUEST_ERROR")
    }
    #expect(directory.entries() == [])
  }

  @Test func successIsPassedThrough() throws {
    let path = directory.file("optimist.db")
    let output = runCommand(database: path, timeout: 1, Self.commands[3].1)
    let customer = try TestJSON.success(output)
    #expect(customer["given_name"] as? String == "A")
    let get = runCommand(database: path, timeout: 1) {
      StoredAnswer(try $0.get(id: customer["id"] as? String ?? ""))
    }
    #expect(get == output)
  }

  @Test func notFoundExitsFour() throws {
    let output = runCommand(database: directory.file("optimist.db"), timeout: 1, Self.commands[0].1)
    #expect(output.status == .notFound)
    #expect(output.stdout == "")
    let error = try TestJSON.error(output.stderr)
    #expect(error["code"] as? String == "NOT_FOUND")
    #expect(error["field"] as? String == "id")
  }

  /// A write waits for the lock up to the timeout, then exits 75; reads are not blocked.
  @Test func lockedDatabaseExitsSeventyFiveAfterTheTimeout() throws {
    let path = directory.file("optimist.db")
    let customer = try TestJSON.success(runCommand(database: path, timeout: 1, Self.commands[3].1))
    let id = try #require(customer["id"] as? String)

    let locker = try Connection(path: path)
    try locker.execute("BEGIN IMMEDIATE")
    let started = Date()
    let output = runCommand(database: path, timeout: 0.3, Self.commands[3].1)
    let waited = Date().timeIntervalSince(started)
    #expect(output.status == .temporary, "\(output.stderr)")
    #expect(output.stdout == "")
    let error = try TestJSON.error(output.stderr)
    #expect(error["code"] as? String == "TEMPORARY_ERROR")
    #expect(error["category"] as? String == "API_ERROR")
    #expect(waited >= 0.25, "gave up after \(waited) s")

    // A reader still gets the committed state.
    #expect(
      try TestJSON.success(
        runCommand(database: path, timeout: 0.3) { StoredAnswer(try $0.get(id: id)) })["id"]
        as? String == id)
    try locker.execute("COMMIT")

    _ = try TestJSON.success(runCommand(database: path, timeout: 1, Self.commands[3].1))
    let list = try TestJSON.success(
      runCommand(database: path, timeout: 1) {
        StoredAnswer(try $0.list(EdgeRequest.list(type: "CUSTOMER")))
      })
    #expect((list["objects"] as? [Any])?.count == 2)
  }
}
