import Foundation
import OptimistCore
import Testing

/// Every exit status, reached by a real command: the process's exit code is the status's
/// code and the Square code on stderr is one of the status's (every other refusal in these
/// tests is checked the same way by `CLIResult.expectError`).
@Suite struct ExitStatusContractTests {
  let sandbox: Sandbox

  init() throws {
    sandbox = try Sandbox()
  }

  /// A command line and the status it must end with.
  struct Failure: Sendable, CustomTestStringConvertible {
    let arguments: [String]
    let status: ExitStatus

    init(_ status: ExitStatus, _ arguments: [String]) {
      self.arguments = arguments
      self.status = status
    }

    var testDescription: String { "\(status): optimist \(arguments.joined(separator: " "))" }
  }

  /// `{NOTDB}` is a text file, not a database. Exit 75 needs another process holding the
  /// lock: `aLockedDatabaseIsTemporary`.
  static let outcomes: [Failure] = [
    .init(.success, ["get", "{C}"]),
    .init(.storageError, ["get", "{C}", "--db", "{NOTDB}"]),
    .init(.invalidRequest, ["create-customer"]),
    .init(.invalidRequest, ["list", "--limit", "0"]),
    .init(.invalidRequest, ["create-item", "--name", "Tea", "--available-for-pickup", "yes"]),
    .init(.invalidRequest, ["update", "{C}", "--set", "given_name=\(text(301))"]),
    .init(.invalidRequest, Shop.paymentArguments.map { $0 == "USD" ? "QQQ" : $0 }),
    .init(.versionMismatch, ["update", "{C}", "--version", "9", "--set", "note=x"]),
    .init(.versionMismatch, ["complete-payment", "{P}", "--version-token", "stale"]),
    .init(.notFound, ["get", "{MISSING}"]),
    .init(.notFound, ["get", "{C}", "--at-version", "7"]),
    .init(.idempotencyKeyReused, Shop.paymentArguments + ["--note", "again"]),
    .init(
      .cardDeclined,
      [
        "create-payment", "--key", "d", "--amount", "1", "--currency", "USD", "--source-id",
        "cnon:card-nonce-declined",
      ]),
    .init(.stateRefused, ["complete-payment", "{P}"]),
    .init(
      .stateRefused,
      [
        "refund-payment", "--key", "r", "--payment-id", "{P}", "--amount", "451", "--currency",
        "USD",
      ]),
    .init(.waitTimedOut, ["wait", "{C}", "--changed-from", "0", "--timeout", "0.1"]),
    .init(.editCommandFailed, ["edit", "{C}", "--", "false"]),
    .init(.malformedCommandLine, ["get"]),
    .init(.malformedCommandLine, ["frobnicate"]),
  ]

  @Test(arguments: outcomes)
  func theExitCodeAndTheSquareCodeAreTheStatuses(_ outcome: Failure) throws {
    let shop = Shop(sandbox)
    let notDatabase = sandbox.root + "/notes.txt"
    try Data("not a database\n".utf8).write(to: URL(fileURLWithPath: notDatabase))
    let arguments = shop.fill(outcome.arguments).map {
      $0.replacingOccurrences(of: "{NOTDB}", with: notDatabase)
    }

    let result = sandbox.run(arguments)

    #expect(result.exitCode == outcome.status.code, "\(result)")
    switch outcome.status {
    case .success:
      result.expectSuccess()
    case .malformedCommandLine:
      result.expectUsageError()
    case .cardDeclined:
      // The declined payment is recorded and printed, with the error on stderr.
      #expect(result.json?["status"] as? String == "FAILED", "\(result)")
      #expect(outcome.status.squareCodes.contains(result.errorCode ?? ""), "\(result)")
    default:
      #expect(result.stdout.isEmpty, "\(result)")
      #expect(outcome.status.squareCodes.contains(result.errorCode ?? ""), "\(result)")
    }
  }

  /// The list above, with the lock test, reaches every status.
  @Test func everyStatusIsReached() {
    let reached = Set(Self.outcomes.map(\.status)).union([.temporary])
    #expect(reached == Set(ExitStatus.allCases))
  }

  /// Exit 75: a SQLite database whose write lock `/usr/bin/sqlite3` holds past `--timeout`
  /// (on every engine's pass: the path is given with `--db`).
  @Test func aLockedDatabaseIsTemporary() throws {
    let path = sandbox.root + "/locked.db"
    sandbox.run("create-customer", "--given-name", "Ada", "--db", path).expectSuccess()
    let marker = sandbox.root + "/has-lock"
    let holder = OptimistProcess.launch(
      [path], environment: ["HOME": sandbox.root + "/home"], executable: "/usr/bin/sqlite3",
      input: true)
    holder.write("BEGIN IMMEDIATE;\n.shell touch '\(marker)'\n")
    defer {
      holder.write("ROLLBACK;\n.quit\n")
      holder.closeInput()
      _ = holder.finish()
    }
    // Bounded wait for the holder to say it has the lock (not a timing assertion).
    for _ in 0..<3000 where !sandbox.exists(marker) { usleep(10_000) }
    try #require(sandbox.exists(marker), "sqlite3 never took the lock")

    let result = sandbox.run("create-item", "--name", "Tea", "--db", path, "--timeout", "0")

    #expect(result.exitCode == ExitStatus.temporary.code, "\(result)")
    #expect(ExitStatus.temporary.squareCodes.contains(result.errorCode ?? ""), "\(result)")
  }
}
