import ArgumentParser
import OptimistCore

struct Doctor: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "doctor",
    _superCommandName: "optimist",
    abstract: "Check the database: path, versions, counts and PRAGMA integrity_check (exit 1 if damaged).",
    discussion: "Example:\n  optimist doctor --db ./shop.db")

  @OptionGroup var options: StoreOptions

  func run() {
    options.run { try $0.doctor() }
  }
}
