import ArgumentParser
import OptimistCore

struct Get: FastParsable {
  static let configuration = CommandConfiguration(
    commandName: "get",
    _superCommandName: "optimist",
    abstract: "Print the customer, item or payment with this id.",
    discussion: "Example:\n  optimist get 7WPM2YVQ4J5XGTNQ3SZ6ABCDEF")

  @Argument(help: "The object's id.") var id: String
  @OptionGroup var options: StoreOptions

  func run() {
    options.run { try $0.get(id: id) }
  }

  static var syntax: FastSyntax<Get> {
    FastSyntax(positional: { $0.id = $1 }, store: { $0.options = $1 })
  }
}
