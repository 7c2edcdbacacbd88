import OptimistCore

struct PruneEvents: Subcommand {
  static let about = About(
    "prune-events", abstract: "Delete events older than a duration from the event feed.",
    discussion: [
      "Retention is yours, as for keys and history (Square keeps 28 days). A cursor stays valid: reading after it goes on with the events that are left. Prints {\"deleted_events\":N}."
    ],
    examples: ["optimist prune-events --older-than 28d"])

  let olderThan: String
  let options: StoreOptions

  init(_ arguments: inout Arguments) throws(UsageError) {
    olderThan = arguments.required(
      "older-than", value: "duration", help: "Age, e.g. 90s, 30m, 24h, 7d; 0s prunes every event.")
    options = StoreOptions(&arguments)
  }

  func run() {
    options.run { store in
      let age = try Values.duration(olderThan, field: "older_than")
      return try store.pruneEvents(olderThan: age).printed
    }
  }
}
