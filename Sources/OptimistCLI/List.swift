import ArgumentParser
import OptimistCore

struct List: FastParsable {
  static let configuration = CommandConfiguration(
    commandName: "list",
    _superCommandName: "optimist",
    abstract: "List objects, a page at a time: {\"objects\":[…],\"cursor\":\"…\"}.",
    discussion: """
      The cursor is present only while more objects remain; pass it back with --cursor.

      Example:
        optimist list --type ITEM --limit 2
      """)

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("Only this type (default: all).", valueName: "CUSTOMER|ITEM|PAYMENT"))
  var type: String?
  @Option(parsing: .unconditional, help: "At most this many objects, 1-1000 (default 100).")
  var limit: String?
  @Option(parsing: .unconditional, help: "Continue after the page that printed this cursor.")
  var cursor: String?
  @OptionGroup var options: StoreOptions

  func run() {
    options.run { try $0.list(ListRequest(type: type, limit: limit, cursor: cursor)) }
  }

  static var syntax: FastSyntax<List> {
    FastSyntax(
      options: [
        "--type": .optional({ $0.type = $1 }), "--limit": .optional({ $0.limit = $1 }),
        "--cursor": .optional({ $0.cursor = $1 }),
      ], store: { $0.options = $1 })
  }
}
