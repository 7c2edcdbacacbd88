import Foundation
import Testing

/// A fresh temporary folder for one test, removed when the test is done, and a fresh store:
/// a database file in it (SQLite), or a new schema on the test server (PostgreSQL).
///
/// By default every command gets `OPTIMIST_DB=<store>` and `HOME=<folder>/home`, and nothing
/// else from the test runner's environment, so no test touches a real database.
final class Sandbox: Sendable {
  let root: String
  let engine: TestEngine
  /// The default store's location: a file path or a PostgreSQL URL.
  let db: String
  /// PostgreSQL schemas made for this sandbox (dropped at the end), by location.
  private let schemas: Locked<[String: String]>

  init(engine: TestEngine = .current) throws {
    self.engine = engine
    root =
      FileManager.default.temporaryDirectory
      .appendingPathComponent("optimist-cli-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(
      atPath: root + "/home", withIntermediateDirectories: true)
    switch engine {
    case .sqlite:
      db = root + "/optimist.db"
      schemas = Locked([:])
    case .postgresql:
      let (name, url) = try TestServer.freshSchema()
      db = url
      schemas = Locked([url: name])
    }
  }

  deinit {
    try? FileManager.default.removeItem(atPath: root)
    let names = schemas.withLock { Array($0.values) }
    if !names.isEmpty {
      _ = try? TestServer.sql(
        names.map { "DROP SCHEMA IF EXISTS \($0) CASCADE" }.joined(separator: "; "))
    }
  }

  /// Another store no command has used yet: `relativePath` in the folder (SQLite), or a new
  /// empty schema (PostgreSQL, which has no folders to create).
  func freshStore(_ relativePath: String) throws -> String {
    switch engine {
    case .sqlite:
      return root + "/" + relativePath
    case .postgresql:
      let (name, url) = try TestServer.freshSchema()
      schemas.withLock { $0[url] = name }
      return url
    }
  }

  /// The environment a command gets by default.
  var environment: [String: String] { ["HOME": root + "/home", "OPTIMIST_DB": db] }

  /// The environment with another store.
  func environment(store: String) -> [String: String] {
    ["HOME": root + "/home", "OPTIMIST_DB": store]
  }

  /// Whether the store at `location` (the default one by default) exists: its file, or
  /// optimist's tables in its schema.
  func storeExists(_ location: String? = nil) -> Bool {
    let location = location ?? db
    switch engine {
    case .sqlite: return exists(location)
    case .postgresql:
      guard let schema = schemas.withLock({ $0[location] }) else { return false }
      return TestServer.hasStore(schema: schema)
    }
  }

  /// Everything the store at `location` holds, to compare before and after a command: the
  /// file's bytes (SQLite) or every row and sequence (PostgreSQL); nil when it does not exist.
  func snapshot(_ location: String? = nil) -> Data? {
    let location = location ?? db
    switch engine {
    case .sqlite: return bytes(location)
    case .postgresql:
      guard let schema = schemas.withLock({ $0[location] }) else { return nil }
      return TestServer.snapshot(schema: schema)
    }
  }

  /// Runs `optimist` with these arguments, by default against `db`.
  func run(_ arguments: String..., environment: [String: String]? = nil) -> CLIResult {
    run(arguments, environment: environment)
  }

  func run(_ arguments: [String], environment: [String: String]? = nil) -> CLIResult {
    OptimistProcess.run(arguments, environment: environment ?? self.environment)
  }

  /// Starts `optimist` without waiting for it.
  func launch(_ arguments: [String]) -> RunningProcess {
    OptimistProcess.launch(arguments, environment: environment)
  }

  /// The bytes of a file (the database by default), nil when it does not exist.
  func bytes(_ path: String? = nil) -> Data? {
    FileManager.default.contents(atPath: path ?? db)
  }

  /// Whether a file or folder exists at `path`.
  func exists(_ path: String) -> Bool {
    FileManager.default.fileExists(atPath: path)
  }

  /// The names in a folder, sorted.
  func listing(_ path: String? = nil) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: path ?? root)) ?? []).sorted()
  }

  /// The permission bits of a file or folder, e.g. 0o600.
  func mode(_ path: String) -> Int? {
    (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int
  }

  /// Creates an object and returns its id (an issue is recorded when that fails).
  @discardableResult
  func create(_ arguments: String..., sourceLocation: SourceLocation = #_sourceLocation) -> String {
    let result = run(arguments)
    let id = result.expectSuccess(sourceLocation: sourceLocation)["id"] as? String
    return id ?? "MISSING-ID"
  }

  /// `get ID`, expected to succeed.
  @discardableResult
  func get(_ id: String, sourceLocation: SourceLocation = #_sourceLocation) -> [String: Any] {
    run("get", id).expectSuccess(sourceLocation: sourceLocation)
  }
}

/// A value shared by threads, guarded by a lock.
final class Locked<Value>: @unchecked Sendable {
  private let lock = NSLock()
  private var value: Value

  init(_ value: Value) { self.value = value }

  func withLock<T>(_ body: (inout Value) -> T) -> T {
    lock.lock()
    defer { lock.unlock() }
    return body(&value)
  }
}

/// Runs `body(0..<count)` on `count` threads of their own, released at the same moment
/// once all are started, and returns when every one has finished.
///
/// Real threads, not tasks: each body blocks on child processes, and the cooperative pool
/// is only as wide as the machine has cores.
func runTogether(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
  let ready = DispatchGroup()
  let gate = DispatchGroup()
  let finished = DispatchGroup()
  gate.enter()
  for index in 0..<count {
    ready.enter()
    finished.enter()
    Thread {
      ready.leave()
      gate.wait()
      body(index)
      finished.leave()
    }.start()
  }
  ready.wait()
  gate.leave()
  finished.wait()
}

/// `count` copies of `character`: for length limits.
func text(_ count: Int, of character: Character = "a") -> String {
  String(repeating: character, count: count)
}
