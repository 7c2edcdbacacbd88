import Foundation
import Testing

/// One power cut right after a printed update, through the test-only `optimist-powerloss`
/// (the CLI over the power-loss VFS, Tests/PowerLoss). `make stress` runs hundreds of cuts
/// with writers racing (Tests/Scripts/powerloss.py); this is the smallest case, exact:
/// the disk keeps what optimist printed, and the two negative controls lose it.
@Suite struct PowerLossTests {
  let sandbox: Sandbox

  init() throws {
    sandbox = try Sandbox()
  }

  /// The test-only CLI, built beside `optimist`.
  static let powerloss = URL(fileURLWithPath: OptimistProcess.binary).deletingLastPathComponent()
    .appendingPathComponent("optimist-powerloss").path

  /// Creates a customer, updates it unless `update` is false (each printed), then cuts the
  /// power: returns the last answer and what the folder rebuilt from the durable image
  /// holds, read by the shipped optimist.
  func printedUpdateThenPowerCut(durability: String, update: Bool = true) throws -> (
    printed: String, after: CLIResult
  ) {
    let folder = sandbox.root + "/disk"
    let image = sandbox.root + "/image"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let db = folder + "/shop.db"
    let environment = [
      "OPTIMIST_POWERLOSS_DIR": image, "OPTIMIST_POWERLOSS_DURABILITY": durability,
      "HOME": sandbox.root + "/home",
    ]
    func run(_ arguments: String...) -> CLIResult {
      OptimistProcess.run(
        arguments + ["--db", db], environment: environment, executable: Self.powerloss)
    }
    let created = run("create-customer", "--given-name", "Ada")
    let id = try #require(created.expectSuccess()["id"] as? String)
    var last = created
    if update {
      last = run("update", id, "--version", "0", "--set", "note=paid")
      last.expectSuccess()
    }

    let rebuilt = sandbox.root + "/rebuilt"
    try rebuild(image: image, into: rebuilt)
    return (last.out, sandbox.run("get", id, "--db", rebuilt + "/shop.db"))
  }

  /// The files the disk holds: each name the image has, with its durable bytes (no tearing).
  func rebuild(image: String, into folder: String) throws {
    let files = FileManager.default
    try files.createDirectory(atPath: folder, withIntermediateDirectories: true)
    for name in try files.contentsOfDirectory(atPath: image + "/names") where !name.contains(".tmp")
    {
      let generation = try String(contentsOfFile: image + "/names/" + name, encoding: .utf8)
        .trimmingCharacters(in: .whitespacesAndNewlines)
      let bytes = files.contents(atPath: image + "/content/\(name).\(generation)") ?? Data()
      try bytes.write(to: URL(fileURLWithPath: folder + "/" + name))
    }
  }

  @Test func aPrintedUpdateSurvivesThePowerCut() throws {
    let (printed, after) = try printedUpdateThenPowerCut(durability: "durable")
    after.expectSuccess()
    #expect(after.out == printed)
    // Stock SQLite finds the rebuilt file sound.
    sandbox.run("doctor", "--db", sandbox.root + "/rebuilt/shop.db").expectSuccess()
  }

  /// The very first command: the new database file and its name are on the disk.
  @Test func aPrintedFirstCreateSurvivesThePowerCut() throws {
    let (printed, after) = try printedUpdateThenPowerCut(durability: "durable", update: false)
    after.expectSuccess()
    #expect(after.out == printed)
  }

  /// DELETE mode at FULL, optimist's settings before the fix: the journal's unlink was never
  /// synced, so it is back after the cut and SQLite rolls the printed update back. TRUNCATE
  /// at NORMAL: the truncation is not synced, so the journal is still whole on the disk.
  @Test(arguments: ["delete-full", "truncate-normal"])
  func weakerSettingsLoseIt(durability: String) throws {
    let (printed, after) = try printedUpdateThenPowerCut(durability: durability)
    let stored = after.expectSuccess()
    #expect(after.out != printed)
    #expect(stored["version"] as? Int == 0)
    #expect(stored["note"] == nil)
  }

  /// synchronous=OFF syncs nothing: not even the database's name reached the disk.
  @Test func synchronousOffLosesEverything() throws {
    let (_, after) = try printedUpdateThenPowerCut(durability: "off")
    after.expectError(4, "NOT_FOUND")
    #expect(!FileManager.default.fileExists(atPath: sandbox.root + "/rebuilt/shop.db"))
  }
}
