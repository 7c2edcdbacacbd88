import Foundation
import OptimistCore
import Testing

/// optimist's exit status, not Swift Testing's `ExitStatus` (of exit tests), in every file
/// of this test target.
typealias ExitStatus = OptimistCore.ExitStatus

/// What one spawned process did: its exit code and every byte it wrote.
struct CLIResult: Sendable, CustomStringConvertible {
  let arguments: [String]
  let exitCode: Int32
  let stdout: Data
  let stderr: Data

  var out: String { String(decoding: stdout, as: UTF8.self) }
  var err: String { String(decoding: stderr, as: UTF8.self) }

  /// stdout as exactly one JSON object followed by one newline, else nil.
  var json: [String: Any]? {
    guard stdout.last == 0x0A, stdout.filter({ $0 == 0x0A }).count == 1 else { return nil }
    return (try? JSONSerialization.jsonObject(with: stdout)) as? [String: Any]
  }

  /// The first error of Square's error document on stderr, when stderr is exactly one.
  var error: [String: Any]? {
    guard stderr.last == 0x0A, stderr.filter({ $0 == 0x0A }).count == 1,
      let document = (try? JSONSerialization.jsonObject(with: stderr)) as? [String: Any],
      let errors = document["errors"] as? [[String: Any]], errors.count == 1
    else { return nil }
    return errors[0]
  }

  /// The Square error code on stderr (`VERSION_MISMATCH`, …).
  var errorCode: String? { error?["code"] as? String }

  var description: String {
    "optimist \(arguments.joined(separator: " ")) -> exit \(exitCode)\n"
      + "stdout: \(out)\nstderr: \(err)"
  }

  /// Expects exit 0, one JSON document and a newline on stdout, nothing on stderr; returns it.
  @discardableResult
  func expectSuccess(sourceLocation: SourceLocation = #_sourceLocation) -> [String: Any] {
    #expect(exitCode == ExitStatus.success.code, "\(self)", sourceLocation: sourceLocation)
    #expect(stderr.isEmpty, "\(self)", sourceLocation: sourceLocation)
    let document = json
    #expect(
      document != nil, "stdout is not one JSON object and a newline: \(self)",
      sourceLocation: sourceLocation)
    return document ?? [:]
  }

  /// Expects a refusal: this exit code, nothing on stdout, and Square's error `code` (and
  /// `field`, when given; `.some(nil)` means no field) on stderr; and that the exit code and
  /// the code on stderr go together in `ExitStatus` (so every refusal a test provokes checks
  /// the table, whatever the test expected).
  func expectError(
    _ exit: Int32, _ code: String, field: String?? = nil, category: String? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    #expect(exitCode == exit, "\(self)", sourceLocation: sourceLocation)
    #expect(stdout.isEmpty, "\(self)", sourceLocation: sourceLocation)
    #expect(errorCode == code, "\(self)", sourceLocation: sourceLocation)
    expectStatusAgrees(sourceLocation: sourceLocation)
    if let field {
      #expect(error?["field"] as? String == field, "\(self)", sourceLocation: sourceLocation)
    }
    if let category {
      #expect(error?["category"] as? String == category, "\(self)", sourceLocation: sourceLocation)
    }
  }

  /// Expects that the exit code is an `ExitStatus` whose Square codes include the one on
  /// stderr (none for success and a malformed command line).
  func expectStatusAgrees(sourceLocation: SourceLocation = #_sourceLocation) {
    let status = ExitStatus(code: exitCode)
    #expect(
      status != nil, "exit \(exitCode) is no ExitStatus: \(self)", sourceLocation: sourceLocation)
    guard let status, !status.squareCodes.isEmpty else { return }
    #expect(
      status.squareCodes.contains(errorCode ?? "(none)"),
      "exit \(exitCode) (\(status)) does not go with \(errorCode ?? "no error code"): \(self)",
      sourceLocation: sourceLocation)
  }

  /// Expects the argument parser's refusal: exit 64, usage text (not JSON) on stderr.
  func expectUsageError(sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(
      exitCode == ExitStatus.malformedCommandLine.code, "\(self)", sourceLocation: sourceLocation)
    #expect(stdout.isEmpty, "\(self)", sourceLocation: sourceLocation)
    #expect(err.lowercased().contains("usage:"), "\(self)", sourceLocation: sourceLocation)
    #expect(
      (try? JSONSerialization.jsonObject(with: stderr)) == nil, "\(self)",
      sourceLocation: sourceLocation)
  }
}

/// Spawns the built `optimist` (or any program) and collects its output.
///
/// Both pipes are drained on their own threads from the moment the process starts, so a
/// child that fills one pipe never blocks; the exit status is read only after both are at EOF.
enum OptimistProcess {
  /// `$OPTIMIST_BIN`, else the `optimist` built next to this test bundle.
  static let binary: String = {
    if let path = ProcessInfo.processInfo.environment["OPTIMIST_BIN"], !path.isEmpty { return path }
    let executable =
      (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
      ?? CommandLine.arguments[0]
    return URL(fileURLWithPath: executable).deletingLastPathComponent()
      .appendingPathComponent("optimist").path
  }()

  /// Runs a program to its end. `COLUMNS` is 80 unless given; nothing else is inherited.
  static func run(
    _ arguments: [String], environment: [String: String], executable: String = binary
  ) -> CLIResult {
    launch(arguments, environment: environment, executable: executable).finish()
  }

  /// Starts a program and returns at once; `finish()` collects it.
  static func launch(
    _ arguments: [String], environment: [String: String], executable: String = binary,
    input: Bool = false
  ) -> RunningProcess {
    var environment = environment
    if environment["COLUMNS"] == nil { environment["COLUMNS"] = "80" }
    if environment["PATH"] == nil { environment["PATH"] = "/usr/bin:/bin" }
    return RunningProcess(
      executable: executable, arguments: arguments, environment: environment, input: input)
  }
}

/// A started process whose stdout and stderr are being read to the end.
final class RunningProcess: @unchecked Sendable {
  let arguments: [String]
  private var process = Process()
  private let inputPipe: Pipe?
  private let drained = DispatchGroup()
  // Written by the reader threads before `drained.leave()`, read after `drained.wait()`.
  private var stdout = Data()
  private var stderr = Data()
  private var launchError: String?

  fileprivate init(
    executable: String, arguments: [String], environment: [String: String], input: Bool
  ) {
    self.arguments = arguments
    let outPipe = Pipe()
    let errPipe = Pipe()
    inputPipe = input ? Pipe() : nil
    // A binary a test has just copied can be "busy" for a moment: a child that another test
    // forked while the copy was open for writing holds that descriptor until it execs
    // (ETXTBSY). That passes within milliseconds, so the launch is tried again then.
    for attempt in 1... {
      process = Process()
      process.executableURL = URL(fileURLWithPath: executable)
      process.arguments = arguments
      process.environment = environment
      process.standardOutput = outPipe
      process.standardError = errPipe
      process.standardInput = inputPipe ?? FileHandle.nullDevice
      do {
        try process.run()
        break
      } catch {
        let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
        if attempt < 100, underlying?.domain == NSPOSIXErrorDomain,
          underlying?.code == Int(ETXTBSY)
        {
          usleep(20_000)
          continue
        }
        launchError = "cannot start \(executable): \(error)"
        return
      }
    }
    let outHandle = outPipe.fileHandleForReading
    let errHandle = errPipe.fileHandleForReading
    drained.enter()
    drained.enter()
    Thread {
      self.stdout = outHandle.readDataToEndOfFile()
      self.drained.leave()
    }.start()
    Thread {
      self.stderr = errHandle.readDataToEndOfFile()
      self.drained.leave()
    }.start()
  }

  /// Whether the process has not exited yet.
  var isRunning: Bool { launchError == nil && process.isRunning }

  /// The process id (0 when it could not start).
  var pid: Int32 { launchError == nil ? process.processIdentifier : 0 }

  /// Writes to the process's stdin (only when launched with `input: true`).
  func write(_ text: String) {
    inputPipe?.fileHandleForWriting.write(Data(text.utf8))
  }

  /// Closes the process's stdin.
  func closeInput() {
    try? inputPipe?.fileHandleForWriting.close()
  }

  /// Reads stdout and stderr to their end, then waits for the exit status.
  func finish() -> CLIResult {
    if let launchError {
      return CLIResult(
        arguments: arguments, exitCode: 127, stdout: Data(), stderr: Data(launchError.utf8))
    }
    drained.wait()
    process.waitUntilExit()
    let status =
      process.terminationReason == .exit
      ? process.terminationStatus : 128 + process.terminationStatus
    return CLIResult(arguments: arguments, exitCode: status, stdout: stdout, stderr: stderr)
  }
}
