import OptimistCore

struct Wait: Subcommand {
  static let about = About(
    "wait",
    abstract: "Wait until a customer or item is no longer at a version, then print it.",
    discussion: [
      "Returns at once when the object is already at another version. A deletion prints what delete printed: {\"deleted_object_ids\":[…],\"deleted_at\":…}. Past --timeout it prints nothing and exits 8 (REQUEST_TIMEOUT); without --timeout it waits until the change comes.",
      "Waiting holds no lock and uses next to no CPU: on SQLite it polls the database's change counter, sleeping up to 100 ms between polls; on PostgreSQL it listens for the change's notification.",
    ],
    examples: [
      "optimist wait 7WPM2YVQ4J5XGTNQ3SZ6ABCDEF --changed-from 3 --timeout 600"
    ])

  let id: String
  let changedFrom: String
  let options: StoreOptions

  init(_ arguments: inout Arguments) throws(UsageError) {
    id = arguments.argument("id", help: "The customer's or item's id.")
    changedFrom = arguments.required(
      "changed-from", value: "version",
      help: "The version to wait away from (e.g. the one you read).")
    options = StoreOptions(&arguments, waiting: true)
  }

  func run() {
    options.run { store in
      let request = WaitRequest(
        id: id, changedFrom: try Values.version(changedFrom, field: "changed_from") ?? 0,
        timeout: options.waitLimit)
      return try store.wait(request).printed
    }
  }
}
