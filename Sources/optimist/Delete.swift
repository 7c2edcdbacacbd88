import ArgumentParser
import OptimistCore

struct Delete: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "delete",
    _superCommandName: "optimist",
    abstract: "Delete a customer or item if it is still at the version you read.",
    discussion: "Example:\n  optimist delete 7WPM2YVQ4J5XGTNQ3SZ6ABCDEF --version 3")

  @Argument(help: "The object's id.") var id: String
  @Option(help: "The version you read (from get); without it, the latest.") var version: String?
  @OptionGroup var options: StoreOptions

  func run() {
    options.run { try $0.delete(id: id, version: version) }
  }
}
