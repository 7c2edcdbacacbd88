import Foundation
import Testing

/// `wait` through the built binary, on every engine, against other processes' changes. No
/// test asserts a time: the timeouts are generous, and what is checked is the order of events
/// (wait still running before the change, exited with the change's answer after it).
@Suite struct WaitCommandTests {
  let sandbox: Sandbox

  init() throws {
    sandbox = try Sandbox()
  }

  /// Starts `wait` and gives it a moment to reach its wait; returns it still running.
  func startWaiting(
    _ id: String, from version: Int, sourceLocation: SourceLocation = #_sourceLocation
  ) -> RunningProcess {
    let waiter = sandbox.launch(["wait", id, "--changed-from", String(version), "--timeout", "300"])
    // Not a time assertion: the answer is checked whatever the moment; this only makes it
    // likely that the wait has begun before the change, as the test intends.
    Thread.sleep(forTimeInterval: 1)
    #expect(waiter.isRunning, "wait exited before anything changed", sourceLocation: sourceLocation)
    return waiter
  }

  @Test func returnsWithTheObjectAnotherProcessUpdated() throws {
    let id = sandbox.create("create-customer", "--given-name", "Ada")
    let waiter = startWaiting(id, from: 0)
    let update = sandbox.run("update", id, "--version", "0", "--set", "note=done")
    update.expectSuccess()

    let result = waiter.finish()
    result.expectSuccess()
    #expect(result.out == update.out, "wait prints the object as update printed it")
  }

  @Test func returnsWithWhatDeletePrinted() throws {
    let id = sandbox.create("create-item", "--name", "Tea")
    let version = try #require(sandbox.get(id)["version"] as? Int)
    let waiter = startWaiting(id, from: version)
    let deletion = sandbox.run("delete", id)
    deletion.expectSuccess()

    let result = waiter.finish()
    result.expectSuccess()
    #expect(result.out == deletion.out)
    // Already deleted: at once, the same answer.
    #expect(
      sandbox.run("wait", id, "--changed-from", String(version), "--timeout", "300").out
        == deletion.out)
  }

  /// Changes to other objects do not end the wait; the object's own change does.
  @Test func otherObjectsChangesAreNotItsChange() throws {
    let id = sandbox.create("create-customer", "--given-name", "Ada")
    let other = sandbox.create("create-customer", "--given-name", "Bob")
    let waiter = startWaiting(id, from: 0)
    for n in 1...3 { sandbox.run("update", other, "--set", "note=\(n)").expectSuccess() }
    sandbox.run("create-item", "--name", "Tea").expectSuccess()
    Thread.sleep(forTimeInterval: 0.5)
    #expect(waiter.isRunning, "wait ended on another object's change")
    let update = sandbox.run("update", id, "--set", "note=mine")

    let result = waiter.finish()
    result.expectSuccess()
    #expect(result.out == update.out)
  }

  @Test func anObjectAlreadyAtAnotherVersionReturnsAtOnce() throws {
    let id = sandbox.create("create-customer", "--given-name", "Ada")
    let update = sandbox.run("update", id, "--set", "note=x")
    // Were it to wait, it would time out (exit 8) instead of printing.
    let result = sandbox.run("wait", id, "--changed-from", "0", "--timeout", "300")
    result.expectSuccess()
    #expect(result.out == update.out)
  }

  @Test func timesOutWithExit8AndNothingOnStdout() throws {
    let id = sandbox.create("create-customer", "--given-name", "Ada")
    for timeout in ["0", "1"] {
      sandbox.run("wait", id, "--changed-from", "0", "--timeout", timeout).expectError(
        8, "REQUEST_TIMEOUT")
    }
    #expect(sandbox.get(id)["version"] as? Int == 0)
  }

  /// A wait of a few seconds uses a small part of them on the CPU: the shell's `times`
  /// reports the child's user and system time, compared with its wall time (a ratio, not a
  /// time: a busy loop would use about all of it).
  @Test func waitingUsesNextToNoCPU() throws {
    let id = sandbox.create("create-item", "--name", "Tea")
    let version = try #require(sandbox.get(id)["version"] as? Int)
    let started = Date()
    let result = OptimistProcess.run(
      [
        "-c",
        "\"$0\" wait \"$1\" --changed-from \"$2\" --timeout 3 2>/dev/null; echo \"exit $?\"; times",
        OptimistProcess.binary, id, String(version),
      ],
      environment: sandbox.environment, executable: "/bin/sh")
    let wall = Date().timeIntervalSince(started)
    let lines = result.out.split(separator: "\n").map(String.init)
    #expect(lines.first == "exit 8", "\(result)")
    // `times`: the shell's user and system time, then its children's: "0m0.010000s 0m0.004000s".
    let children = try #require(lines.last, "\(result)")
    let seconds = children.split(separator: " ").compactMap { field -> Double? in
      let parts = field.dropLast().split(separator: "m")
      guard parts.count == 2, let minutes = Double(parts[0]), let rest = Double(parts[1]) else {
        return nil
      }
      return minutes * 60 + rest
    }
    #expect(seconds.count == 2, "\(result)")
    let cpu = seconds.reduce(0, +)
    #expect(cpu * 10 < wall, "wait used \(cpu) s of CPU in \(wall) s")
  }
}
