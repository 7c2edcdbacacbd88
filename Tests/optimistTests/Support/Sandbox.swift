import Foundation
import Testing

/// A fresh temporary folder for one test, removed when the test is done.
///
/// By default every command gets `OPTIMIST_DB=<folder>/optimist.db` and `HOME=<folder>/home`,
/// and nothing else from the test runner's environment, so no test touches a real database.
final class Sandbox: Sendable {
  let root: String

  init() throws {
    root =
      FileManager.default.temporaryDirectory
      .appendingPathComponent("optimist-cli-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(
      atPath: root + "/home", withIntermediateDirectories: true)
  }

  deinit {
    try? FileManager.default.removeItem(atPath: root)
  }

  /// The database every command uses unless the test says otherwise.
  var db: String { root + "/optimist.db" }

  /// The environment a command gets by default.
  var environment: [String: String] { ["HOME": root + "/home", "OPTIMIST_DB": db] }

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
  func create(_ arguments: String..., sourceLocation: SourceLocation = #_sourceLocation) -> String {
    let result = run(arguments)
    let id = result.expectSuccess(sourceLocation: sourceLocation)["id"] as? String
    return id ?? "MISSING-ID"
  }

  /// `get ID`, expected to succeed.
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
