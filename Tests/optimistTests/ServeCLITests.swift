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
  func aMalformedListenAddressIsRefused(_ listen: String) {
    let result = sandbox.run(["serve", "--listen", listen])
    result.expectError(2, "INVALID_VALUE", field: "listen")
    #expect(!sandbox.storeExists())
  }

  /// serve prints one line, never to a terminal: it takes no --color (help, completions and
  /// the man page say so, as they are written from the declarations).
  @Test func serveTakesNoColor() {
    let help = sandbox.run(["serve", "--help"])
    #expect(help.exitCode == 0, "\(help)")
    #expect(!help.out.contains("--color"), "\(help)")
    #expect(help.out.contains("--timeout"), "\(help)")
    let result = sandbox.run(["serve", "--color", "never"])
    result.expectUsageError()
    #expect(result.err.contains("Unknown option '--color'"), "\(result)")
  }

  /// A malformed limit is a malformed value: exit 2 naming its field, as `--listen`'s.
  @Test(arguments: [
    ["--header-timeout", "0"], ["--body-timeout", "-1"], ["--idle-timeout", "soon"],
    ["--shutdown-grace", "86401"], ["--max-connections", "0"], ["--max-connections", "1e3"],
  ])
  func aMalformedLimitIsRefused(_ option: [String]) {
    let result = sandbox.run(["serve", "--listen", "127.0.0.1:0"] + option)
    result.expectError(2, "INVALID_VALUE", field: String(option[0].dropFirst(2)))
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
