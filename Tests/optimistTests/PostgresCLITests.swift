import Foundation
import Testing

/// What only PostgreSQL has: URLs, passwords, servers that cannot be reached, schemas and
/// databases on first use, the helper executable. The rest of the contract runs against
/// PostgreSQL in the second pass of `make test` (the same tests as SQLite).
@Suite struct PostgresCLITests {
  let sandbox: Sandbox

  init() throws {
    sandbox = try Sandbox(engine: .postgresql)
  }

  /// A login role with a password, reached over TCP (scram-sha-256), owning a fresh database.
  private func roleWithPassword() throws -> (url: String, password: String, database: String) {
    let name =
      "r_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
    let password = "pw-" + UUID().uuidString.lowercased()
    try TestServer.require("CREATE ROLE \(name) LOGIN PASSWORD '\(password)'")
    try TestServer.require("CREATE DATABASE \(name) OWNER \(name)")
    let url =
      "postgresql://\(name):\(password)@127.0.0.1:\(TestServer.port)/\(name)?sslmode=disable"
    return (url, password, String(name))
  }

  @Test func aPasswordInTheURLNeverAppearsInOutputOrErrors() throws {
    let (url, password, name) = try roleWithPassword()
    let customer = sandbox.run("create-customer", "--given-name", "Ada", "--db", url)
    let id = try #require(customer.expectSuccess()["id"] as? String)
    let doctor = sandbox.run("doctor", "--db", url)
    #expect(
      doctor.expectSuccess()["database"] as? String
        == url.replacingOccurrences(of: password, with: "***"))
    let wrong = url.replacingOccurrences(of: password, with: password + "x")
    let missingDatabase = url.replacingOccurrences(of: "/\(name)?", with: "/\(name)_missing?")
    let stale = sandbox.run("update", id, "--version", "7", "--set", "note=x", "--db", url)
    stale.expectError(3, "VERSION_MISMATCH")
    for (result, exit) in [
      (sandbox.run("get", id, "--db", wrong), Int32(1)),
      (sandbox.run("get", id, "--db", missingDatabase), 1),
      (sandbox.run("get", id, "--db", url + "&bogus_parameter=1"), 1),
      (stale, 3),
      (doctor, 0),
    ] {
      #expect(result.exitCode == exit, "\(result)")
      #expect(!result.out.contains(password) && !result.err.contains(password), "\(result)")
      #expect(!result.err.contains(password + "x"), "\(result)")
    }
    sandbox.run("get", id, "--db", wrong).expectError(1, "INTERNAL_SERVER_ERROR")
  }

  /// Every call ends its session cleanly, a read too (its COMMIT is sent without waiting,
  /// and answered before the connection closes): the server never finds the client gone
  /// under an answer, which it would log as FATAL and count in `sessions_fatal`.
  @Test func everyCallEndsItsSessionCleanly() throws {
    let (name, url) = try TestServer.freshDatabase()
    let created = sandbox.run("create-customer", "--given-name", "Ada", "--db", url)
    let id = try #require(created.expectSuccess()["id"] as? String)
    for _ in 0..<10 { sandbox.run("get", id, "--db", url).expectSuccess() }
    sandbox.run("list", "--db", url).expectSuccess()
    sandbox.run("history", id, "--db", url).expectSuccess()
    // Once their sessions are over, the server has counted how each ended.
    var over = false
    for _ in 0..<1000 where !over {
      over =
        try TestServer.require("SELECT count(*) FROM pg_stat_activity WHERE datname = '\(name)'")
        .trimmingCharacters(in: .whitespacesAndNewlines) == "0"
      if !over { usleep(10_000) }
    }
    #expect(over)
    let fatal = try TestServer.require(
      "SELECT sessions_fatal FROM pg_stat_database WHERE datname = '\(name)'")
    #expect(fatal.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
  }

  @Test func anUnreachableServerIsATemporaryErrorWithinTheTimeout() throws {
    // Nothing listens on a socket folder that does not exist, nor on TCP port 1.
    for url in [
      "postgresql:///postgres?host=\(sandbox.root)/no-server&port=5432",
      "postgresql://postgres@127.0.0.1:1/postgres",
    ] {
      sandbox.run("get", Shop.missing, "--db", url, "--timeout", "2")
        .expectError(75, "TEMPORARY_ERROR", field: .some(nil), category: "API_ERROR")
    }
  }

  /// libpq's multi-host URL (`host=a,b&port=p,q`): a first host where nothing listens is
  /// passed over, for every kind of command, and doctor names the host it reached.
  @Test func aMultiHostURLReachesTheHostThatAnswers() throws {
    let schema = try schemaOf(sandbox.db)
    let url =
      "postgresql://postgres@/postgres?host=\(sandbox.root)/no-server,\(TestServer.socketFolder)"
      + "&port=\(TestServer.port),\(TestServer.port)&target_session_attrs=read-write"
      + "&options=-csearch_path%3D\(schema)"
    let id = try #require(
      sandbox.run("create-customer", "--given-name", "Ada", "--db", url).expectSuccess()["id"]
        as? String)
    sandbox.run("update", id, "--version", "0", "--set", "note=x", "--db", url).expectSuccess()
    #expect(sandbox.run("get", id, "--db", url).expectSuccess()["note"] as? String == "x")
    sandbox.run(
      "create-payment", "--key", "k", "--amount", "5", "--currency", "USD", "--source-id",
      "cnon:card-nonce-ok", "--db", url
    ).expectSuccess()
    let doctor = sandbox.run("doctor", "--db", url).expectSuccess()
    #expect(doctor["host"] as? String == TestServer.socketFolder, "\(doctor)")
    #expect(doctor["port"] as? Int == Int(TestServer.port), "\(doctor)")
    #expect(doctor["primary"] as? Bool == true, "\(doctor)")
    // The libpq it runs: the one libpq-dev's pg_config describes (libpq5 is that version).
    let libpq = try #require(doctor["libpq_version"] as? String, "\(doctor)")
    let described = try pgConfigVersion()
    #expect(described.hasPrefix("PostgreSQL \(libpq) ") || described == "PostgreSQL \(libpq)")
  }

  /// A server that takes no writes for now (a standby before its promotion; here one whose
  /// sessions are read-only) is a temporary error, whether the write reaches it (SQLSTATE
  /// 25006) or `target_session_attrs=read-write` finds no other host: exit 75, never 1, and
  /// nothing written.
  @Test func aReadOnlyServerIsATemporaryError() throws {
    let id = sandbox.create("create-customer", "--given-name", "Ada")
    let readOnly = sandbox.db + "%20-cdefault_transaction_read_only%3Don"
    let before = try #require(TestServer.snapshot(schema: try schemaOf(sandbox.db)))
    for url in [readOnly, readOnly + "&target_session_attrs=read-write"] {
      for command in [
        ["update", id, "--version", "0", "--set", "note=x"],
        ["create-customer", "--given-name", "Bo"],
        [
          "create-payment", "--key", "k", "--amount", "5", "--currency", "USD", "--source-id",
          "cnon:card-nonce-ok",
        ],
      ] {
        let result = sandbox.run(command + ["--db", url, "--timeout", "2"])
        result.expectError(75, "TEMPORARY_ERROR", field: .some(nil), category: "API_ERROR")
      }
    }
    // A read is served by a read-only server, unless the URL asks for a read-write one.
    sandbox.run("get", id, "--db", readOnly).expectSuccess()
    let refused = sandbox.run(
      "get", id, "--db", readOnly + "&target_session_attrs=read-write", "--timeout", "2")
    refused.expectError(75, "TEMPORARY_ERROR", field: .some(nil), category: "API_ERROR")
    #expect(refused.err.contains("read-only"), "\(refused)")
    let doctor = sandbox.run("doctor", "--db", readOnly).expectSuccess()
    #expect(doctor["primary"] as? Bool == true, "\(doctor)")
    #expect(TestServer.snapshot(schema: try schemaOf(sandbox.db)) == before)
  }

  @Test func aURLLibpqCannotReadIsRefused() {
    let result = sandbox.run("list", "--db", "postgresql://%zz@/postgres?host=/tmp")
    result.expectError(1, "INTERNAL_SERVER_ERROR")
    #expect(result.err.contains("PostgreSQL"), "\(result)")
  }

  @Test func theEnvironmentVariablesOfLibpqAreRead() throws {
    var environment = sandbox.environment(store: "postgresql:///postgres")
    environment["PGHOST"] = TestServer.socketFolder
    environment["PGPORT"] = TestServer.port
    environment["PGUSER"] = "postgres"
    environment["PGOPTIONS"] = "-csearch_path=\(try schemaOf(sandbox.db))"
    let id = try #require(
      sandbox.run(["create-customer", "--given-name", "Env"], environment: environment)
        .expectSuccess()["id"] as? String)
    // The same store as the sandbox's URL, which names the schema in `options`.
    #expect(sandbox.get(id)["given_name"] as? String == "Env")
  }

  @Test func eachSearchPathSchemaIsItsOwnStore() throws {
    let other = try sandbox.freshStore("other")
    let id = sandbox.create("create-customer", "--given-name", "Ada")
    sandbox.run("get", id, "--db", other).expectError(4, "NOT_FOUND")
    #expect(sandbox.storeExists())
    #expect(!sandbox.storeExists(other))
    _ = sandbox.run("create-item", "--name", "Tea", "--db", other).expectSuccess()
    #expect(sandbox.storeExists(other))
    let listed = sandbox.run("list", "--db", other).expectSuccess()["objects"] as? [[String: Any]]
    #expect(listed?.count == 1)
  }

  /// A new database's public schema, created by eight first uses at once.
  @Test func simultaneousFirstUsesOfANewDatabaseMigrateOnce() throws {
    let (name, url) = try TestServer.freshDatabase()
    defer { _ = try? TestServer.sql("DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
    let results = Locked<[CLIResult]>([])
    runTogether(8) { index in
      let result = OptimistProcess.run(
        ["create-customer", "--given-name", "Racer \(index)", "--db", url],
        environment: sandbox.environment)
      results.withLock { $0.append(result) }
    }
    for result in results.withLock({ $0 }) { result.expectSuccess() }
    let doctor = sandbox.run("doctor", "--db", url).expectSuccess()
    #expect(doctor["schema"] as? String == "public")
    #expect(doctor["consistency_check"] as? String == "ok")
    #expect((doctor["objects"] as? [String: Any])?["customers"] as? Int == 8)
    // Schema/postgresql/004_…
    #expect(try TestServer.require("SELECT version FROM optimist_schema", url: url) == "6\n")
  }

  /// Another program's table of the same name: refused, and nothing of optimist's is left.
  @Test func anotherProgramsTableIsRefusedUntouched() throws {
    let schema = try schemaOf(sandbox.db)
    try TestServer.require(
      "CREATE TABLE \(schema).customers (x int); INSERT INTO \(schema).customers VALUES (1)")
    for arguments in [["create-customer", "--given-name", "Ada"], ["create-item", "--name", "x"]] {
      sandbox.run(arguments).expectError(1, "INTERNAL_SERVER_ERROR")
    }
    #expect(try TestServer.require("SELECT x FROM \(schema).customers") == "1\n")
    #expect(!sandbox.storeExists())
  }

  @Test func withoutTheHelperBesideItOptimistSaysSo() throws {
    let alone = sandbox.root + "/bin"
    try FileManager.default.createDirectory(atPath: alone, withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: OptimistProcess.binary, toPath: alone + "/optimist")
    let result = OptimistProcess.run(
      ["get", Shop.missing, "--db", "postgresql://u:topsecret@127.0.0.1:1/x"],
      environment: sandbox.environment, executable: alone + "/optimist")
    result.expectError(1, "INTERNAL_SERVER_ERROR")
    #expect(result.err.contains("optimist-pg"), "\(result)")
    #expect(!result.err.contains("topsecret"), "\(result)")
    // SQLite needs no helper.
    _ = OptimistProcess.run(
      ["create-item", "--name", "x", "--db", sandbox.root + "/alone.db"],
      environment: sandbox.environment, executable: alone + "/optimist"
    ).expectSuccess()
  }

  /// The mirror: optimist-pg links no SQLite, and runs optimist beside it for a path (the
  /// same file as optimist's); without optimist beside it, it says so and creates nothing.
  @Test func optimistPgRunsOptimistForAPath() throws {
    let folder = URL(fileURLWithPath: OptimistProcess.binary).deletingLastPathComponent().path
    let path = sandbox.root + "/through-pg.db"
    let created = OptimistProcess.run(
      ["create-item", "--name", "x", "--db", path], environment: sandbox.environment,
      executable: folder + "/optimist-pg"
    ).expectSuccess()
    let id = try #require(created["id"] as? String, "\(created)")
    let read = OptimistProcess.run(["get", id, "--db", path], environment: sandbox.environment)
    #expect(read.expectSuccess()["id"] as? String == id)

    let alone = sandbox.root + "/pg-alone"
    try FileManager.default.createDirectory(atPath: alone, withIntermediateDirectories: true)
    try FileManager.default.copyItem(
      atPath: folder + "/optimist-pg", toPath: alone + "/optimist-pg")
    let result = OptimistProcess.run(
      ["create-item", "--name", "x", "--db", sandbox.root + "/alone.db"],
      environment: sandbox.environment, executable: alone + "/optimist-pg")
    result.expectError(1, "INTERNAL_SERVER_ERROR")
    #expect(result.err.contains("needs optimist beside optimist-pg"), "\(result)")
    #expect(!FileManager.default.fileExists(atPath: sandbox.root + "/alone.db"))
  }

  /// `optimist-pg` keeps the objects the user last saw in a file of the user's alone, named
  /// by nothing of the URL; a write trusts nothing in it (a damaged file is ignored, a stale
  /// one costs a round trip, never a wrong answer), and `OPTIMIST_KNOWN_STATES=off` keeps none.
  @Test func theKnownStatesFileIsTheUsersAloneAndNeverTrusted() throws {
    let cache = sandbox.root + "/cache"
    var environment = sandbox.environment
    environment["XDG_CACHE_HOME"] = cache
    func run(_ arguments: String...) -> CLIResult {
      sandbox.run(arguments, environment: environment)
    }
    let created = run("create-customer", "--given-name", "Ada", "--email-address", "a@x.org")
    let id = try #require(created.expectSuccess()["id"] as? String)
    let folder = cache + "/optimist/known"
    let names = try FileManager.default.contentsOfDirectory(atPath: folder)
    #expect(names.count == 1 && names[0].count == 16, "\(names)")
    #expect(!names[0].contains("postgres") && !names[0].contains(".new"))
    let path = folder + "/" + names[0]
    let manager = FileManager.default
    for (item, mode) in [(cache + "/optimist", 0o700), (folder, 0o700), (path, 0o600)] {
      #expect(
        try manager.attributesOfItem(atPath: item)[.posixPermissions] as? Int == mode, "\(item)")
    }
    #expect(sandbox.bytes(path).map { String(decoding: $0, as: UTF8.self) }?.contains(id) == true)
    #expect(run("doctor").expectSuccess()["known_states"] as? String == path)

    // Damaged: taken as empty (the write reads the row), and written anew.
    try Data("optimist known states 1 and then nonsense".utf8).write(to: URL(fileURLWithPath: path))
    run("update", id, "--version", "0", "--set", "note=a").expectSuccess()
    let known = try #require(sandbox.bytes(path))
    #expect(
      String(decoding: known, as: UTF8.self).hasPrefix("optimist known states 1\nCUSTOMER\u{0}"))

    // Stale: the file as it was before a change made elsewhere. The write still lands on
    // the stored row, and a version that is no longer current is refused with the real one.
    sandbox.run("update", id, "--version", "1", "--set", "note=b").expectSuccess()
    try known.write(to: URL(fileURLWithPath: path))
    let stale = run("update", id, "--version", "1", "--set", "note=c")
    stale.expectError(3, "VERSION_MISMATCH")
    #expect(stale.err.contains("2"), "\(stale)")
    try known.write(to: URL(fileURLWithPath: path))
    let current = run("update", id, "--version", "2", "--unset", "given_name").expectSuccess()
    #expect(current["version"] as? Int == 3)
    #expect(current["note"] as? String == "b")
    #expect(current["email_address"] as? String == "a@x.org")
    #expect(current["given_name"] == nil)
    // Every version kept, each as it was stored.
    let history = run("history", id).expectSuccess()
    let objects = try #require(history["objects"] as? [[String: Any]], "\(history)")
    #expect(objects.map { $0["version"] as? Int } == [3, 2, 1, 0], "\(history)")
    #expect(objects.map { $0["note"] as? String } == ["b", "b", "a", nil], "\(history)")
    #expect(objects.map { $0["given_name"] as? String } == [nil, "Ada", "Ada", "Ada"])

    // Off: nothing kept.
    environment["XDG_CACHE_HOME"] = sandbox.root + "/cache-off"
    for setting in ["off", "disable"] {
      environment["OPTIMIST_KNOWN_STATES"] = setting
      run("get", id).expectSuccess()
      #expect(!manager.fileExists(atPath: sandbox.root + "/cache-off"), "\(setting)")
    }
    let doctor = run("doctor").expectSuccess()
    #expect(doctor.keys.contains("known_states") && doctor["known_states"] is NSNull, "\(doctor)")
  }

  /// doctor's consistency check finds a rule broken behind optimist's back: exit 1, the
  /// report still on stdout.
  @Test func doctorExitsOneWhenTheConsistencyCheckFails() throws {
    _ = Shop(sandbox)
    #expect(sandbox.run("doctor").expectSuccess()["consistency_check"] as? String == "ok")
    try TestServer.require("DELETE FROM \(try schemaOf(sandbox.db)).payments")
    let doctor = sandbox.run("doctor")
    #expect(doctor.exitCode == 1, "\(doctor)")
    #expect(
      doctor.json?["consistency_check"] as? String == "1 create-payment keys that name no payment")
    #expect(doctor.errorCode == "INTERNAL_SERVER_ERROR", "\(doctor)")
  }

  /// `pg_config --version` (libpq-dev's): "PostgreSQL 15.20 (Debian 15.20-0+deb12u1)".
  private func pgConfigVersion() throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["pg_config", "--version"]
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0)
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// The schema named in a sandbox URL's `options=-csearch_path%3D…`.
  private func schemaOf(_ url: String) throws -> String {
    try #require(url.components(separatedBy: "search_path%3D").last)
  }
}
