import Foundation
import Testing

/// The engine the CLI contract runs against: SQLite unless `OPTIMIST_TEST_ENGINE=postgresql`
/// (the second pass of `make test`). The same tests run on both.
enum TestEngine: String, Sendable {
  case sqlite
  case postgresql

  static let current: TestEngine =
    ProcessInfo.processInfo.environment["OPTIMIST_TEST_ENGINE"] == "postgresql"
    ? .postgresql : .sqlite

  /// The name of doctor's check on this engine.
  var checkName: String { self == .sqlite ? "integrity_check" : "consistency_check" }

  /// The doctor field that names the store.
  var locationKey: String { self == .sqlite ? "path" : "database" }
}

/// The throwaway PostgreSQL server `make test` starts (Tests/Scripts/pg-server.sh): a test
/// that needs it fails, never skips, when it is not there.
enum TestServer {
  struct Missing: Error, CustomStringConvertible {
    var description: String {
      "No PostgreSQL test server: OPTIMIST_TEST_PG is not set. Run `make test`, or "
        + "`bash Tests/Scripts/pg-server.sh run swift test …`."
    }
  }

  /// The URL of the server's `postgres` database, as superuser over its Unix socket.
  static func url() throws -> String {
    guard let url = ProcessInfo.processInfo.environment["OPTIMIST_TEST_PG"], !url.isEmpty else {
      throw Missing()
    }
    return url
  }

  static var socketFolder: String {
    ProcessInfo.processInfo.environment["OPTIMIST_TEST_PG_DIR"] ?? ""
  }
  static var port: String { ProcessInfo.processInfo.environment["OPTIMIST_TEST_PG_PORT"] ?? "" }

  /// `psql` from Debian's server packages (not on PATH there).
  static let psql: String = {
    let root = "/usr/lib/postgresql"
    let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [])
      .compactMap(Int.init).sorted()
    return versions.last.map { "\(root)/\($0)/bin/psql" } ?? "/usr/bin/psql"
  }()

  /// Runs SQL with psql against `url` (the server's `postgres` database by default):
  /// unaligned, tuples only, stopping at the first error.
  static func sql(_ sql: String, url: String? = nil) throws -> CLIResult {
    let target = try url ?? self.url()
    return OptimistProcess.run(
      ["-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", target, "-c", sql],
      environment: ["HOME": NSTemporaryDirectory()], executable: psql)
  }

  /// Runs SQL and requires it to succeed; returns its output.
  @discardableResult
  static func require(
    _ sql: String, url: String? = nil, sourceLocation: SourceLocation = #_sourceLocation
  ) throws -> String {
    let result = try self.sql(sql, url: url)
    try #require(result.exitCode == 0, "psql failed: \(result)", sourceLocation: sourceLocation)
    return result.out
  }

  /// A new, empty schema on the server and the URL that uses it (`options=-csearch_path=…`).
  static func freshSchema() throws -> (name: String, url: String) {
    let name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    try require("CREATE SCHEMA \(name)")
    return (name, try url() + "&options=-csearch_path%3D\(name)")
  }

  /// A new, empty database on the server and the URL of it.
  static func freshDatabase() throws -> (name: String, url: String) {
    let name = "d_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    try require("CREATE DATABASE \(name)")
    let base = try url()
    return (name, base.replacingOccurrences(of: "@/postgres?", with: "@/\(name)?"))
  }

  /// Every row the store in `schema` holds, with its sequences and versions, as text; nil
  /// when the schema has no optimist tables.
  static func snapshot(schema: String, url: String? = nil) -> Data? {
    let tables = [
      "optimist_schema ORDER BY 1", "catalog_clock ORDER BY 1", "customers ORDER BY seq",
      "items ORDER BY seq", "payments ORDER BY seq", "refunds ORDER BY seq",
      "idempotency_keys ORDER BY command, key", "history ORDER BY id, version",
    ]
    let sequences = ["customers", "items", "payments", "refunds"].map {
      "SELECT last_value, is_called FROM \(schema).\($0)_seq_seq"
    }
    let query = (tables.map { "SELECT * FROM \(schema).\($0)" } + sequences).joined(separator: "; ")
    guard let result = try? sql(query, url: url), result.exitCode == 0 else { return nil }
    return result.stdout
  }

  /// Whether `schema` holds optimist's tables.
  static func hasStore(schema: String, url: String? = nil) -> Bool {
    (try? sql("SELECT to_regclass('\(schema).optimist_schema') IS NOT NULL", url: url))?.out
      .hasPrefix("t") == true
  }
}
