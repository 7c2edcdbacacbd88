import OptimistCore

struct PruneHistory: Subcommand {
  static let about = About(
    "prune-history",
    abstract:
      "Delete old versions of customers and items; the current version of a live one is kept.",
    discussion: [
      "--keep N keeps each object's N newest versions (the current one of a live object counts); --older-than DURATION deletes versions replaced that long ago or longer. With both, a version goes only when both say so. Each object's oldest versions go first; a deleted object's history follows the same rules, so --older-than alone can remove all of it.",
      "get --at-version of a pruned version is NOT_FOUND, saying it was pruned. Prints {\"deleted_versions\":N}.",
    ],
    examples: [
      "optimist prune-history --keep 10", "optimist prune-history --keep 3 --older-than 30d",
    ])

  let keep: String?
  let olderThan: String?
  let options: StoreOptions

  init(_ arguments: inout Arguments) throws(UsageError) {
    keep = arguments.option(
      "keep", value: "n", help: "Keep each object's N newest versions (N at least 1).")
    olderThan = arguments.option(
      "older-than", value: "duration",
      help: "Delete versions replaced at least this long ago, e.g. 90s, 30m, 24h, 7d.")
    options = StoreOptions(&arguments)
    if keep == nil && olderThan == nil && !arguments.isDescribing {
      throw UsageError("prune-history needs --keep N, --older-than DURATION or both.")
    }
  }

  func run() {
    options.run { store in
      let request = try PruneHistoryRequest(
        keep: keep.map { (raw) throws(OptimistError) in try Values.count(raw, field: "keep") },
        olderThan: olderThan.map { (raw) throws(OptimistError) in
          try Values.duration(raw, field: "older_than")
        })
      return try store.pruneHistory(request).printed
    }
  }
}
