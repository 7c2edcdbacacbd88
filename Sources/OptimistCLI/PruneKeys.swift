import OptimistCore

struct PruneKeys: Subcommand {
  static let about = About(
    "prune-keys", abstract: "Delete idempotency keys older than a duration; payments are kept.",
    discussion: ["A pruned key can be used afresh. Prints {\"deleted_keys\":N}."],
    examples: ["optimist prune-keys --older-than 24h"])

  let olderThan: String
  let options: StoreOptions

  init(_ arguments: inout Arguments) throws(UsageError) {
    olderThan = arguments.required(
      "older-than", value: "duration", help: "Age, e.g. 90s, 30m, 24h, 7d; 0s prunes every key.")
    options = StoreOptions(&arguments)
  }

  func run() {
    options.run { store in
      let age = try Values.duration(olderThan, field: "older_than")
      return try store.pruneKeys(olderThan: age).printed
    }
  }
}
