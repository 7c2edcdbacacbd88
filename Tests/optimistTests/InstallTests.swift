import Foundation
import Testing

@testable import OptimistCLI

/// `make install` puts completions for bash, zsh and fish and the man page where each looks
/// under PREFIX, all written from the same declarations as help.
///
/// The test runs the Makefile's `install-files` step (what `make install` does after building)
/// with the binary under test, into a temporary PREFIX.
@Suite struct InstallTests {
  let sandbox: Sandbox
  let prefix: String

  /// The repository's top folder (this file is Tests/optimistTests/InstallTests.swift).
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().path

  init() throws {
    sandbox = try Sandbox()
    prefix = sandbox.root + "/prefix"
    let result = OptimistProcess.run(
      [
        "-s", "-C", Self.repository, "install-files", "BIN=\(OptimistProcess.binary)",
        "PREFIX=\(prefix)",
      ],
      environment: ["PATH": "/usr/bin:/bin"], executable: "/usr/bin/make")
    #expect(result.exitCode == 0, "\(result)")
  }

  var bashScript: String { prefix + "/share/bash-completion/completions/optimist" }
  var zshScript: String { prefix + "/share/zsh/site-functions/_optimist" }
  var fishScript: String { prefix + "/share/fish/vendor_completions.d/optimist.fish" }
  var manPage: String { prefix + "/share/man/man1/optimist.1" }

  func bash(_ script: String) -> CLIResult {
    OptimistProcess.run(
      ["-c", "source \(bashScript) && \(script)"], environment: ["PATH": "/usr/bin:/bin"],
      executable: "/bin/bash")
  }

  @Test func theBinaryAndEveryFileAreInstalled() {
    #expect(sandbox.mode(prefix + "/bin/optimist") == 0o755)
    #expect(sandbox.mode(prefix + "/bin/optimist-pg") == 0o755)
    #expect(sandbox.mode(prefix + "/bin/optimist-serve") == 0o755)
    let helperPages = ["optimist-pg", "optimist-serve"].map { prefix + "/share/man/man1/\($0).1" }
    for file in [bashScript, zshScript, fishScript, manPage] + helperPages {
      #expect(sandbox.mode(file) == 0o644, "\(file)")
    }
  }

  @Test func theBashCompletionLoads() {
    let result = bash("complete -p optimist")
    #expect(result.exitCode == 0, "\(result)")
    #expect(result.out == "complete -F _optimist optimist\n", "\(result)")
  }

  /// What bash offers after `optimist WORDS` (the last word being completed).
  func completions(_ words: [String]) -> [String] {
    let array = words.map { "'\($0)'" }.joined(separator: " ")
    let result = bash(
      "COMP_WORDS=(optimist \(array)); COMP_CWORD=\(words.count); _optimist; printf '%s\\n' \"${COMPREPLY[@]}\""
    )
    #expect(result.exitCode == 0, "\(result)")
    return result.out.split(separator: "\n").map(String.init)
  }

  @Test func bashCompletesCommandsOptionsAndValues() {
    #expect(completions(["upd"]) == ["update", "update-payment"])
    #expect(completions(["ref"]) == ["refund-payment"])
    #expect(completions(["list", "--type", ""]) == ["CUSTOMER", "ITEM", "PAYMENT", "REFUND"])
    #expect(completions(["get", "X", "--color", "n"]) == ["never"])
    #expect(completions(["update", "X", "--set", "not"]) == ["note="])
    #expect(completions(["list", "--a"]) == ["--all"])
  }

  /// Every command and every declared option is in every script and in the man page.
  @Test func everyDeclarationIsInEveryScriptAndTheManPage() throws {
    let bash = try String(contentsOfFile: bashScript, encoding: .utf8)
    let zsh = try String(contentsOfFile: zshScript, encoding: .utf8)
    let fish = try String(contentsOfFile: fishScript, encoding: .utf8)
    let man = try String(contentsOfFile: manPage, encoding: .utf8)
    for command in Optimist.commands {
      let name = command.about.name
      #expect(bash.contains("    \(name))"), "\(name)")
      #expect(zsh.contains("    \(name))"), "\(name)")
      #expect(fish.contains("-a \(name) "), "\(name)")
      #expect(man.contains(".SS \(Manual.escape(name))"), "\(name)")
      for spec in command.declarations where spec.kind != .positional {
        #expect(bash.contains("--\(spec.name)"), "\(name) --\(spec.name)")
        #expect(
          zsh.contains("'--\(spec.name)") || zsh.contains("'*--\(spec.name)"),
          "\(name) --\(spec.name)")
        #expect(fish.contains("from \(name)' -l \(spec.name)"), "\(name) --\(spec.name)")
        #expect(man.contains(".B \(Manual.escape(spec.label))"), "\(name) --\(spec.name)")
      }
    }
  }

  /// zsh and fish check their scripts' syntax where they are installed.
  @Test func zshAndFishParseTheirScripts() {
    for (shell, script) in [("/usr/bin/zsh", zshScript), ("/usr/bin/fish", fishScript)]
    where FileManager.default.isExecutableFile(atPath: shell) {
      let result = OptimistProcess.run(["-n", script], environment: [:], executable: shell)
      #expect(result.exitCode == 0, "\(result)")
    }
  }

  @Test func manFindsAndRendersThePage() {
    let result = OptimistProcess.run(
      ["-c", "MANPATH=\(prefix)/share/man man -P cat optimist"],
      environment: ["PATH": "/usr/bin:/bin", "MANWIDTH": "80"], executable: "/bin/sh")
    #expect(result.exitCode == 0, "\(result)")
    #expect(result.out.contains("create-payment"), "\(result)")
    #expect(result.out.contains("--idempotency") == false)
    #expect(result.out.contains("OPTIMIST_DB"), "\(result)")
  }
}
