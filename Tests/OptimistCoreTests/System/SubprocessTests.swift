import Testing

@testable import OptimistCore

/// `edit`'s command runner: stdin in, stdout out, how the command ended, never a deadlock.
@Suite struct SubprocessTests {
  @Test func stdinComesBackThroughCat() throws {
    #expect(
      try Subprocess.run(["cat"], input: Array("{\"a\":1}\n".utf8)) == Array("{\"a\":1}\n".utf8))
  }

  @Test func theProgramIsFoundInPathAndGetsItsArgumentsAsGiven() throws {
    let output = try Subprocess.run(["printf", "%s|", "a b", "$HOME", "'q'"], input: [])
    #expect(String(decoding: output, as: UTF8.self) == "a b|$HOME|'q'|")
  }

  /// 8 MiB each way: more than any pipe buffer, so writing and reading must overlap.
  @Test func muchInputAndOutputAtOnceDoNotDeadlock() throws {
    let input = [UInt8](repeating: UInt8(ascii: "x"), count: 8 << 20)
    #expect(try Subprocess.run(["cat"], input: input).count == input.count)
  }

  /// The command reads one byte of 8 MiB and exits: optimist's writes fail with EPIPE, and
  /// the SIGPIPE they raise does not end this process.
  @Test func aCommandThatStopsReadingDoesNotKillTheCaller() throws {
    let input = [UInt8](repeating: UInt8(ascii: "x"), count: 8 << 20)
    #expect(try Subprocess.run(["head", "-c", "1"], input: input) == [UInt8(ascii: "x")])
    #expect(try Subprocess.run(["sh", "-c", "echo done"], input: input) == Array("done\n".utf8))
  }

  @Test func outputPastTheLimitIsRefused() {
    let error = #expect(throws: OptimistError.self) {
      try Subprocess.run(
        ["head", "-c", String(Subprocess.maximumOutput + 1), "/dev/zero"], input: [])
    }
    #expect(error?.exitStatus == .invalidRequest)
  }

  @Test(arguments: [
    (["false"], "exited with status 1"),
    (["sh", "-c", "exit 42"], "exited with status 42"),
    (["sh", "-c", "kill -9 $$"], "was killed by signal 9"),
    (["sh", "-c", "kill -PIPE $$"], "was killed by signal 13"),
    (["optimist-no-such-program"], "could not be started: No such file or directory"),
    (["/dev/null"], "could not be started: Permission denied"),
  ])
  func aFailedCommandIsExitNineSayingHow(_ argv: [String], _ status: String) {
    let error = #expect(throws: OptimistError.self) {
      try Subprocess.run(argv, input: Array("{}".utf8))
    }
    #expect(error?.exitStatus == .editCommandFailed)
    #expect(error?.code == "EDIT_COMMAND_FAILED")
    #expect(
      error?.detail.contains("`\(argv[0])` \(status)") == true,
      "\(String(describing: error?.detail))")
  }
}
