import Foundation
import Testing

/// A database in folders optimist makes survives a power cut only if each new folder's name
/// is synced into its parent: SQLite syncs just the database's own folder. strace shows the
/// calls (`make test` installs it).
@Suite struct FolderSyncTests {
  let sandbox: Sandbox

  init() throws {
    sandbox = try Sandbox()
  }

  @Test func everyNewFolderIsSyncedIntoItsParent() throws {
    let strace = try #require(
      ["/usr/bin/strace", "/bin/strace"].first { FileManager.default.isExecutableFile(atPath: $0) },
      "strace is missing: make test installs it")
    let db = sandbox.root + "/a/b/shop.db"
    let traced = OptimistProcess.run(
      [
        "-f", "-e", "trace=mkdir,openat,fsync", "-o", sandbox.root + "/trace",
        OptimistProcess.binary,
        "create-customer", "--given-name", "Ada", "--db", db,
      ],
      environment: sandbox.environment, executable: strace)
    #expect(traced.exitCode == 0, "\(traced)")
    let calls = try String(contentsOfFile: sandbox.root + "/trace", encoding: .utf8)
      .split(separator: "\n").map(String.init)
    for (folder, parent) in [
      (sandbox.root + "/a", sandbox.root), (sandbox.root + "/a/b", sandbox.root + "/a"),
    ] {
      let made = try #require(
        calls.firstIndex { $0.contains("mkdir(\"\(folder)\"") && $0.hasSuffix("= 0") })
      // Then the parent is opened and that descriptor synced.
      let opened = try #require(
        calls[made...].firstIndex { $0.contains("openat(AT_FDCWD, \"\(parent)\", O_RDONLY") },
        "\(parent) is not opened after \(folder) is made:\n\(calls.joined(separator: "\n"))")
      let descriptor = try #require(
        calls[opened].split(separator: "=").last?.trimmingCharacters(in: .whitespaces))
      #expect(
        calls[opened...].contains { $0.contains("fsync(\(descriptor))") && $0.hasSuffix("= 0") },
        "\(parent) is not synced after \(folder) is made")
    }
  }
}
