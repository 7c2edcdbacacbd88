import OptimistCore

struct Get: Subcommand {
  static let about = About(
    "get", abstract: "Print the customer, item, payment or refund with this id.",
    discussion: [
      "An unknown id is NOT_FOUND (exit 4). With --at-version V, the customer or item as it was at version V, also after it was deleted (see history); a version it never had, or one prune-history removed, is NOT_FOUND, saying which."
    ],
    examples: [
      "optimist get 7WPM2YVQ4J5XGTNQ3SZ6ABCDEF",
      "optimist get 7WPM2YVQ4J5XGTNQ3SZ6ABCDEF --at-version 2",
    ])

  let id: String
  let version: String?
  let options: StoreOptions

  init(_ arguments: inout Arguments) throws(UsageError) {
    id = arguments.argument("id", help: "The object's id.")
    version = arguments.option(
      "at-version", value: "version", help: "The version to print (customers and items).")
    options = StoreOptions(&arguments)
  }

  func run() {
    options.run { store in
      guard let version else { return try store.get(id: id).printed }
      let at = try Values.version(version, field: "at_version") ?? 0
      return try store.get(id: id, atVersion: at).printed
    }
  }
}
