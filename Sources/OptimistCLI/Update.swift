import ArgumentParser
import OptimistCore

struct Update: FastParsable {
  static let configuration = CommandConfiguration(
    commandName: "update",
    _superCommandName: "optimist",
    abstract: "Change fields of a customer or item if it is still at the version you read.",
    discussion: """
      A stale --version is refused with VERSION_MISMATCH (exit 3) and changes nothing: get the
      object again and retry. Without --version the latest version is assumed.

      Example:
        optimist update 7WPM2YVQ4J5XGTNQ3SZ6ABCDEF --version 3 --set note='VIP' --unset phone_number
      """)

  @Argument(help: "The object's id.") var id: String
  @Option(parsing: .unconditional, help: "The version you read (from get).") var version: String?
  @Option(
    name: .customLong("set"), parsing: .unconditionalSingleValue,
    help: ArgumentHelp(
      "Set a field: FIELD=VALUE, FIELD being its JSON name.", valueName: "field=value"))
  var assignments: [String] = []
  @Option(
    name: .customLong("unset"), parsing: .unconditionalSingleValue,
    help: ArgumentHelp("Remove an optional field.", valueName: "field"))
  var removals: [String] = []
  @OptionGroup var options: StoreOptions

  func run() {
    options.run {
      try $0.update(UpdateRequest(id: id, version: version, set: assignments, unset: removals))
    }
  }

  static var syntax: FastSyntax<Update> {
    FastSyntax(
      positional: { $0.id = $1 },
      options: [
        "--version": .optional({ $0.version = $1 }), "--set": .repeated({ $0.assignments = $1 }),
        "--unset": .repeated({ $0.removals = $1 }),
      ], store: { $0.options = $1 })
  }
}
