import ArgumentParser
import OptimistCore

struct Delete: FastParsable {
  static let configuration = CommandConfiguration(
    commandName: "delete",
    _superCommandName: "optimist",
    abstract: "Delete a customer or item if it is still at the version you read.",
    discussion: "Example:\n  optimist delete 7WPM2YVQ4J5XGTNQ3SZ6ABCDEF --version 3")

  @Argument(help: "The object's id.") var id: String
  @Option(parsing: .unconditional, help: "The version you read (from get); without it, the latest.")
  var version: String?
  @OptionGroup var options: StoreOptions

  func run() {
    options.run { try $0.delete(id: id, version: version) }
  }

  static var syntax: FastSyntax<Delete> {
    FastSyntax(
      positional: { $0.id = $1 }, options: ["--version": .optional({ $0.version = $1 })],
      store: { $0.options = $1 })
  }
}
