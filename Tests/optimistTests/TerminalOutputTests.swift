import Foundation
import Testing

/// On a terminal stdout is indented (and coloured) JSON; piped it stays the compact line.
///
/// The terminal is a pseudo-terminal from util-linux `script`, which runs optimist with
/// stdout on it and copies what it printed (with the terminal's `\r\n` line ends).
@Suite struct TerminalOutputTests {
  let sandbox: Sandbox

  init() throws {
    sandbox = try Sandbox()
  }

  static let escape = "\u{1B}["

  /// Runs optimist with stdout on a pseudo-terminal; returns what it printed, `\r\n` as `\n`.
  func onTerminal(_ arguments: [String], environment extra: [String: String] = [:]) -> CLIResult {
    let quoted = ([OptimistProcess.binary] + arguments).map {
      "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
    let result = OptimistProcess.run(
      ["-q", "-e", "-c", quoted.joined(separator: " "), "/dev/null"],
      environment: sandbox.environment.merging(extra) { $1 }, executable: "/usr/bin/script")
    let text = result.out.replacingOccurrences(of: "\r\n", with: "\n")
    return CLIResult(
      arguments: arguments, exitCode: result.exitCode, stdout: Data(text.utf8),
      stderr: result.stderr)
  }

  /// `text` without its colour codes.
  static func plain(_ text: String) -> String {
    text.replacingOccurrences(
      of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
  }

  static func parsed(_ text: String) -> NSDictionary? {
    (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? NSDictionary
  }

  @Test func aTerminalGetsIndentedColouredJSONAndAPipeTheCompactLine() throws {
    let id = sandbox.create("create-customer", "--given-name", "Ada", "--note", "say \"hi\"\n")
    let piped = sandbox.run("get", id)
    piped.expectSuccess()
    #expect(!piped.out.contains(Self.escape))
    #expect(!piped.out.dropLast().contains("\n"))

    let shown = onTerminal(["get", id])
    #expect(shown.exitCode == 0, "\(shown)")
    #expect(shown.out.contains(Self.escape), "\(shown)")
    let plain = Self.plain(shown.out)
    #expect(plain.hasPrefix("{\n  \"id\": \""), "\(plain)")
    #expect(plain.hasSuffix("\n}\n"), "\(plain)")
    #expect(Self.parsed(plain) == Self.parsed(piped.out))
  }

  @Test func aUsageErrorIsWrappedForStandardErrorsTerminalNotStandardOutputs() {
    // stderr on a 50-column terminal, stdout on /dev/null (no terminal: 80 columns), no
    // $COLUMNS: the usage goes to stderr, so it is wrapped at 50.
    let command =
      "stty cols 50; unset COLUMNS; exec '\(OptimistProcess.binary)' update --bogus >/dev/null"
    let result = OptimistProcess.run(
      ["-q", "-e", "-c", command, "/dev/null"], environment: sandbox.environment,
      executable: "/usr/bin/script")
    #expect(result.exitCode == 64, "\(result)")
    let lines = result.out.replacingOccurrences(of: "\r\n", with: "\n")
      .split(separator: "\n").map(String.init)
    #expect(lines.contains { $0.hasPrefix("Usage: optimist update <id>") }, "\(lines)")
    #expect(lines.count > 4, "\(lines)")
    // The usage is wrapped (its first line and the continuations); the closing hint is one
    // fixed sentence.
    for line in lines where line.hasPrefix("Usage:") || line.hasPrefix("   ") {
      #expect(line.count <= 50, "\(line)")
    }
  }

  @Test func noColorAndColorNeverIndentWithoutColour() {
    let id = sandbox.create("create-item", "--name", "Coffee")
    let piped = sandbox.run("get", id).out
    for shown in [
      onTerminal(["get", id], environment: ["NO_COLOR": "1"]),
      onTerminal(["get", id, "--color", "never"]),
    ] {
      #expect(shown.exitCode == 0, "\(shown)")
      #expect(!shown.out.contains(Self.escape), "\(shown)")
      #expect(shown.out.contains("\n  \"item_data\": {\n    \"name\": \"Coffee\""), "\(shown)")
      #expect(Self.parsed(shown.out) == Self.parsed(piped))
    }
    // An empty NO_COLOR does not count (https://no-color.org).
    #expect(onTerminal(["get", id], environment: ["NO_COLOR": ""]).out.contains(Self.escape))
  }

  @Test func colorAlwaysColoursAPipeAndColorNeverKeepsItCompact() {
    let id = sandbox.create("create-item", "--name", "Coffee")
    let compact = sandbox.run("get", id).stdout
    let always = sandbox.run("get", id, "--color", "always")
    #expect(always.exitCode == 0)
    #expect(always.out.contains(Self.escape))
    #expect(
      Self.parsed(Self.plain(always.out)) == Self.parsed(String(decoding: compact, as: UTF8.self)))
    #expect(sandbox.run("get", id, "--color", "never").stdout == compact)
    #expect(sandbox.run("get", id, "--color", "auto").stdout == compact)
  }

  /// A replay prints the first answer's bytes when piped, and the same document on a terminal.
  @Test func replaysAreByteExactWhenPipedAndIndentedOnATerminal() {
    let first = sandbox.run(Shop.paymentArguments)
    first.expectSuccess()
    let replay = sandbox.run(Shop.paymentArguments)
    #expect(replay.stdout == first.stdout)
    let shown = onTerminal(Shop.paymentArguments)
    #expect(shown.exitCode == 0, "\(shown)")
    #expect(Self.plain(shown.out).contains("\n  \"amount_money\": {\n"), "\(shown)")
    #expect(Self.parsed(Self.plain(shown.out)) == Self.parsed(first.out))
  }

  /// Errors on stderr stay the compact Square document, terminal or not.
  @Test func errorsStayCompact() {
    let shown = onTerminal(["get", Shop.missing])
    #expect(shown.exitCode == 4, "\(shown)")
    #expect(Self.plain(shown.out).hasPrefix("{\"errors\":[{"), "\(shown)")
  }
}
