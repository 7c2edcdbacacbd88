import OptimistCore

struct Delete: Subcommand {
  static let about = About(
    "delete", abstract: "Delete a customer or item if it is still at the version you read.",
    discussion: [
      "A stale --version is refused with VERSION_MISMATCH (exit 3) and deletes nothing. The id is NOT_FOUND afterwards."
    ],
    examples: ["optimist delete 7WPM2YVQ4J5XGTNQ3SZ6ABCDEF --version 3"])

  let id: String
  let version: String?
  let key: String?
  let options: StoreOptions

  init(_ arguments: inout Arguments) throws(UsageError) {
    id = arguments.argument("id", help: "The object's id.")
    version = arguments.option(
      "version", help: "The version you read (from get); without it, the latest.")
    key = arguments.option(
      "key",
      help: "Idempotency key (1-45 characters): a retry after a lost answer replays the first one.")
    options = StoreOptions(&arguments)
  }

  func run() {
    options.run { store in
      let request = DeleteRequest(
        id: id, version: try Values.version(version), key: try IdempotencyKey(key))
      return try store.delete(request).printed
    }
  }
}
