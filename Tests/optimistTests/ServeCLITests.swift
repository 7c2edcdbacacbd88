import Foundation
import Testing

/// `optimist serve` as the CLI sees it: it execs optimist-serve from beside itself and checks
/// its own options first. (Tests/SDKTests drives the running server with Square's SDK.)
@Suite struct ServeCLITests {
  let sandbox: Sandbox

  init() throws {
    sandbox = try Sandbox()
  }

  @Test func withoutTheServerBesideItOptimistSaysSo() throws {
    let alone = sandbox.root + "/bin"
    try FileManager.default.createDirectory(atPath: alone, withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: OptimistProcess.binary, toPath: alone + "/optimist")
    let result = OptimistProcess.run(
      ["serve", "--listen", "127.0.0.1:0"], environment: sandbox.environment,
      executable: alone + "/optimist")
    result.expectError(1, "INTERNAL_SERVER_ERROR")
    #expect(result.err.contains("optimist-serve"), "\(result)")
    #expect(!sandbox.storeExists())
  }

  @Test(arguments: [
    "8080", "127.0.0.1", "127.0.0.1:http", "127.0.0.1:65536", ":80", "::1:80", "[::1]80",
  ])
  func aMalformedListenAddressIsAUsageError(_ listen: String) {
    let result = sandbox.run(["serve", "--listen", listen])
    #expect(result.exitCode == 64, "\(result)")
    #expect(result.err.contains("--listen"), "\(result)")
    #expect(result.stdout.isEmpty)
    #expect(!sandbox.storeExists())
  }

  @Test(arguments: [
    ["--header-timeout", "0"], ["--body-timeout", "-1"], ["--idle-timeout", "soon"],
    ["--shutdown-grace", "86401"], ["--max-connections", "0"], ["--max-connections", "1e3"],
  ])
  func aMalformedLimitIsAUsageError(_ option: [String]) {
    let result = sandbox.run(["serve", "--listen", "127.0.0.1:0"] + option)
    #expect(result.exitCode == 64, "\(result)")
    #expect(result.err.contains(option[0]), "\(result)")
    #expect(result.stdout.isEmpty)
    #expect(!sandbox.storeExists())
  }

  @Test func anUnreadableTokenFileStopsItBeforeItListens() {
    let result = sandbox.run([
      "serve", "--listen", "127.0.0.1:0", "--token-file", sandbox.root + "/none",
    ])
    result.expectError(1, "INTERNAL_SERVER_ERROR")
    #expect(!sandbox.storeExists())
  }
}
