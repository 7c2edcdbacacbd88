import ArgumentParser
import OptimistCore

struct Doctor: FastParsable {
  static let configuration = CommandConfiguration(
    commandName: "doctor",
    _superCommandName: "optimist",
    abstract:
      "Check the database: path, versions, counts and PRAGMA integrity_check (exit 1 if damaged).",
    discussion: "Example:\n  optimist doctor --db ./shop.db")

  @OptionGroup var options: StoreOptions

  func run() {
    options.run { try $0.doctor() }
  }

  static var syntax: FastSyntax<Doctor> {
    FastSyntax(store: { $0.options = $1 })
  }
}
