import OptimistCore

struct Get: Subcommand {
  static let about = About(
    "get", abstract: "Print the customer, item or payment with this id.",
    discussion: ["An unknown id is NOT_FOUND (exit 4)."],
    examples: ["optimist get 7WPM2YVQ4J5XGTNQ3SZ6ABCDEF"])

  let id: String
  let options: StoreOptions

  init(_ arguments: inout Arguments) throws(UsageError) {
    id = arguments.argument("id", help: "The object's id.")
    options = try StoreOptions(&arguments)
  }

  func run() {
    options.run { try $0.get(id: id) }
  }
}
