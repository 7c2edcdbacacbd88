import OptimistCore

struct History: Subcommand {
  static let about = About(
    "history",
    abstract:
      "List a customer's or item's versions, newest first: {\"objects\":[…],\"cursor\":\"…\"}.",
    discussion: [
      "Each version as get printed it. Every update and delete keeps the version it replaces, so the history of a deleted object is still there: its newest entry, the last version, also says \"is_deleted\":true and \"deleted_at\". The cursor is present only while older versions remain; pass it back with --cursor.",
      "Versions are kept until prune-history removes them. Payments and refunds keep no history (exit 2); an unknown id is NOT_FOUND (exit 4).",
    ],
    examples: [
      "optimist history 7WPM2YVQ4J5XGTNQ3SZ6ABCDEF --limit 10",
      "optimist history 7WPM2YVQ4J5XGTNQ3SZ6ABCDEF | jq '.objects[0].is_deleted == true'",
    ])

  let id: String
  let limit: String?
  let cursor: String?
  let options: StoreOptions

  init(_ arguments: inout Arguments) throws(UsageError) {
    id = arguments.argument("id", help: "The customer's or item's id.")
    limit = arguments.option("limit", help: "At most this many versions, 1-1000 (default 100).")
    cursor = arguments.option("cursor", help: "Continue after the page that printed this cursor.")
    options = StoreOptions(&arguments)
  }

  func run() {
    options.run { store in
      let request = try HistoryRequest(id: id, limit: Values.limit(limit), cursor: cursor)
      return try store.history(request).printed
    }
  }
}
