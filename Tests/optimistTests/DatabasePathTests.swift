import Foundation
import Testing

/// `--db` beats `$OPTIMIST_DB` beats `$XDG_DATA_HOME/optimist/optimist.db` beats
/// `$HOME/.local/share/optimist/optimist.db`; new folders are 0700, a new file 0600.
@Suite struct DatabasePathTests {
  let sandbox: Sandbox

  init() throws {
    sandbox = try Sandbox()
  }

  enum Source: String, Sendable {
    case option, optimistDB, xdg, home
  }

  struct Case: Sendable, CustomTestStringConvertible {
    /// The places that are set; an empty string sets the variable to "".
    let sources: [Source: String]
    let winner: Source
    var testDescription: String {
      sources.keys.map(\.rawValue).sorted().joined(separator: "+") + " -> \(winner.rawValue)"
        + (sources.values.contains("") ? " (empty ones unset)" : "")
    }
  }

  static let cases: [Case] = [
    Case(sources: [.option: "x", .optimistDB: "x", .xdg: "x", .home: "x"], winner: .option),
    Case(sources: [.option: "x"], winner: .option),
    Case(sources: [.optimistDB: "x", .xdg: "x", .home: "x"], winner: .optimistDB),
    Case(sources: [.xdg: "x", .home: "x"], winner: .xdg),
    Case(sources: [.home: "x"], winner: .home),
    Case(sources: [.optimistDB: "", .xdg: "x", .home: "x"], winner: .xdg),
    Case(sources: [.optimistDB: "", .xdg: "", .home: "x"], winner: .home),
  ]

  /// Where each source puts the database, and the folders the tool must create for it.
  private func place(_ source: Source) -> (db: String, created: [String]) {
    let root = sandbox.root
    switch source {
    case .option:
      return (
        root + "/flag/a/b/optimist.db", [root + "/flag", root + "/flag/a", root + "/flag/a/b"]
      )
    case .optimistDB: return (root + "/env/c/optimist.db", [root + "/env", root + "/env/c"])
    case .xdg: return (root + "/xdg/optimist/optimist.db", [root + "/xdg", root + "/xdg/optimist"])
    case .home:
      let home = root + "/home"
      return (
        home + "/.local/share/optimist/optimist.db",
        [home + "/.local", home + "/.local/share", home + "/.local/share/optimist"]
      )
    }
  }

  @Test(arguments: cases)
  func theFirstSetSourceWins(_ rule: Case) throws {
    var environment: [String: String] = [:]
    var options: [String] = []
    for (source, value) in rule.sources {
      switch source {
      case .option: options = ["--db", place(.option).db]
      case .optimistDB: environment["OPTIMIST_DB"] = value.isEmpty ? "" : place(.optimistDB).db
      case .xdg: environment["XDG_DATA_HOME"] = value.isEmpty ? "" : sandbox.root + "/xdg"
      case .home: environment["HOME"] = sandbox.root + "/home"
      }
    }

    let created = sandbox.run(
      ["create-customer", "--given-name", "Ada"] + options, environment: environment)
    created.expectSuccess()

    let (winner, folders) = place(rule.winner)
    for source in [Source.option, .optimistDB, .xdg, .home] {
      #expect(sandbox.exists(place(source).db) == (source == rule.winner), "\(source)")
    }
    #expect(sandbox.mode(winner) == 0o600)
    for folder in folders {
      #expect(sandbox.mode(folder) == 0o700, "\(folder)")
    }
    let doctor = sandbox.run(["doctor"] + options, environment: environment).expectSuccess()
    #expect(doctor["path"] as? String == winner)
    #expect((doctor["objects"] as? [String: Any])?["customers"] as? Int == 1)
    #expect(
      sandbox.run(["get", created.json?["id"] as? String ?? "", "--db", winner], environment: [:])
        .exitCode == 0)
  }

  @Test func existingFoldersAndFilesKeepTheirModes() throws {
    let folder = sandbox.root + "/shared"
    try FileManager.default.createDirectory(
      atPath: folder, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o755])
    let db = folder + "/optimist.db"

    sandbox.run("create-item", "--name", "Coffee", "--db", db).expectSuccess()

    #expect(sandbox.mode(folder) == 0o755)
    #expect(sandbox.mode(db) == 0o600)
  }
}
