import OptimistCore

struct List: Subcommand {
  static let about = About(
    "list", abstract: "List objects, a page at a time: {\"objects\":[…],\"cursor\":\"…\"}.",
    discussion: [
      "Customers, then items, then payments, then refunds, each in creation order. The cursor is present only while more objects remain; pass it back with --cursor. Paging neither skips nor repeats an object.",
      "With --all, optimist follows the cursors itself and prints every object as one document, {\"objects\":[…]}, streamed a page at a time: its memory does not grow with the store.",
    ],
    examples: ["optimist list --type ITEM --limit 2", "optimist list --all --type CUSTOMER"])

  let type: String?
  let limit: String?
  let cursor: String?
  let all: Bool
  let options: StoreOptions

  init(_ arguments: inout Arguments) throws(UsageError) {
    type = arguments.option(
      "type", value: "CUSTOMER|ITEM|PAYMENT|REFUND", help: "Only this type (default: all).",
      completion: .choices { ObjectType.allCases.map(\.rawValue) })
    limit = arguments.option("limit", help: "At most this many objects, 1-1000 (default 100).")
    cursor = arguments.option("cursor", help: "Continue after the page that printed this cursor.")
    all = arguments.flag("all", help: "Every object (after --cursor, if given), in one document.")
    options = StoreOptions(&arguments)
    if all && limit != nil {
      throw UsageError("--all prints every object: leave out --limit.")
    }
  }

  func run() {
    if all {
      ListAll(type: type, cursor: cursor, options: options).run()
    } else {
      options.run { store in
        let request = try ListRequest(
          type: type.map(ObjectType.parse), limit: Values.limit(limit), cursor: cursor)
        return try store.list(request).printed
      }
    }
  }
}
