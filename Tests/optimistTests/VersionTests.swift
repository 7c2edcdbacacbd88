import Foundation
import Testing

/// `optimist --version` says which optimist this is (version, commit, SQLite library), its
/// helpers say the same, and `doctor` reports the same facts.
@Suite struct VersionTests {
  let sandbox: Sandbox

  init() throws {
    sandbox = try Sandbox()
  }

  /// The line's version, commit and SQLite version, when it has the documented shape.
  static func parse(_ line: String) -> (version: String, commit: String, sqlite: String)? {
    let pattern = #/optimist (\S+) \(commit ([0-9a-f]{40}|unknown), SQLite (\d+\.\d+\.\d+)\)\n/#
    guard let match = try? pattern.wholeMatch(in: line) else { return nil }
    return (String(match.1), String(match.2), String(match.3))
  }

  func version(of executable: String) -> CLIResult {
    OptimistProcess.run(["--version"], environment: sandbox.environment, executable: executable)
  }

  @Test func versionNamesTheVersionTheCommitAndSQLite() throws {
    let result = version(of: OptimistProcess.binary)
    #expect(result.exitCode == 0, "\(result)")
    #expect(result.stderr.isEmpty, "\(result)")
    let parsed = try #require(Self.parse(result.out), "\(result)")
    // Built by the Makefile, which passes Packaging/version.sh's answer in the environment
    // (also to `swift test`); by a plain `swift build`, the defaults of Package.swift.
    let given = ProcessInfo.processInfo.environment
    #expect(parsed.version == given["OPTIMIST_VERSION"] ?? "0.1.0", "\(result)")
    #expect(parsed.commit == given["OPTIMIST_COMMIT"] ?? "unknown", "\(result)")
  }

  /// optimist-pg and optimist-serve, built from the same sources, say the same.
  @Test func theHelpersAgree() {
    let line = version(of: OptimistProcess.binary).out
    let folder = URL(fileURLWithPath: OptimistProcess.binary).deletingLastPathComponent()
    for helper in ["optimist-pg", "optimist-serve"] {
      let result = version(of: folder.appendingPathComponent(helper).path)
      #expect(result.exitCode == 0, "\(result)")
      #expect(result.out == line, "\(helper): \(result)")
    }
  }

  /// doctor's `optimist` object holds the same three facts, on every engine.
  @Test func doctorReportsTheSame() throws {
    let parsed = try #require(Self.parse(version(of: OptimistProcess.binary).out))
    sandbox.create("create-customer", "--given-name", "Ada")
    let doctor = sandbox.run("doctor").expectSuccess()
    let program = try #require(doctor["optimist"] as? [String: Any], "\(doctor)")
    #expect(program["version"] as? String == parsed.version)
    #expect(program["commit"] as? String == parsed.commit)
    #expect(program["sqlite_version"] as? String == parsed.sqlite)
    if sandbox.engine == .sqlite {
      #expect(doctor["sqlite_version"] as? String == parsed.sqlite)
    }
  }
}
