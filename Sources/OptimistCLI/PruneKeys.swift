import ArgumentParser
import OptimistCore

struct PruneKeys: FastParsable {
  static let configuration = CommandConfiguration(
    commandName: "prune-keys",
    _superCommandName: "optimist",
    abstract: "Delete idempotency keys older than a duration; payments are kept.",
    discussion: "Example:\n  optimist prune-keys --older-than 24h")

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("Age, e.g. 90s, 30m, 24h, 7d; 0s prunes every key.", valueName: "duration"))
  var olderThan: String
  @OptionGroup var options: StoreOptions

  func run() {
    options.run { try $0.pruneKeys(olderThan: olderThan) }
  }

  static var syntax: FastSyntax<PruneKeys> {
    FastSyntax(
      options: ["--older-than": .required({ $0.olderThan = $1 })], store: { $0.options = $1 })
  }
}
