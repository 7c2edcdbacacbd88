import OptimistCore

struct Events: Subcommand {
  static let about = About(
    "events",
    abstract: "Print the event feed, oldest first: {\"events\":[…],\"cursor\":\"…\"}.",
    discussion: [
      "Every command that changes an object appends Square-shaped events in its own transaction: customer.created, customer.updated, customer.deleted, catalog.version.updated, payment.created, payment.updated, refund.created. A refused, rolled-back or replayed command appends none. Each event has Square's shape: merchant_id, type, event_id, created_at and data (type, id, and object: the object after the write). The feed's order is commit order.",
      "The cursor is always printed: pass it back with --after to read only newer events (an empty page means none yet).",
      "With --follow, prints one line per event as each commits, {\"cursor\": …, \"event\": …}, until --timeout (exit 0) or a signal; started again with --after and the last line's cursor, it neither misses nor repeats an event. Waiting uses next to no CPU, as wait does.",
    ],
    examples: [
      "optimist events --type payment.updated --limit 10",
      "optimist events --follow --after events-42 --timeout 600",
    ])

  let types: [String]
  let after: String?
  let limit: String?
  let follow: Bool
  let options: StoreOptions

  init(_ arguments: inout Arguments) throws(UsageError) {
    types = arguments.repeated(
      "type", value: "event-type", help: "Only events of this type (default: all).",
      completion: .choices { EventFeed.types })
    after = arguments.option(
      "after", value: "cursor", help: "Only events after the one that printed this cursor.")
    limit = arguments.option("limit", help: "At most this many events, 1-1000 (default 100).")
    follow = arguments.flag("follow", help: "Keep printing events, one per line, as they commit.")
    options = StoreOptions(
      &arguments, waiting: true,
      waitHelp:
        "With --follow: seconds to follow, 0 to 86400 (then exit 0); default: until a signal. A database locked longer than 10 seconds (or than this, if less) is exit 75."
    )
    if follow && limit != nil {
      throw UsageError("--follow prints every event as it commits: leave out --limit.")
    }
  }

  func run() {
    guard follow else {
      options.run { store in
        try store.events(EventsRequest(types: types, cursor: after, limit: Values.limit(limit)))
          .printed
      }
      return
    }
    let output = options.runCommand { store in
      let request = try EventsRequest(
        types: types, cursor: after, limit: ListRequest.maximumLimit)
      try store.followEvents(request, until: Deadline(after: options.waitLimit)) { event in
        writeStdout(event.line + "\n")
      }
      return StoredAnswer(stdout: "")
    }
    emit(output)
  }
}
