import OptimistCore

struct Edit: Subcommand {
  static let about = About(
    "edit",
    abstract: "Change a customer or item with a command of yours, retrying on VERSION_MISMATCH.",
    discussion: [
      "optimist reads the object, runs CMD ARG... (no shell; CMD is looked up in PATH) with the object's JSON, as get prints it, on its stdin, and takes the JSON CMD prints as the new object: the writable fields it changed are written with the conditional update at the version read, and a field it removed (or set to null) is unset. No lock is held while CMD runs. If someone else changed the object meanwhile, optimist reads it again and runs CMD again, after a short random wait, up to --max-attempts times, then exits 3 (VERSION_MISMATCH). Prints the object as written; unchanged, nothing is written.",
      "CMD's output must be one JSON object; read-only fields (id, version, created_at, updated_at, an item's type and is_deleted) may be left out but not changed; an unknown field, a wrong JSON type or anything else update refuses is exit 2, and nothing is written. CMD exiting non-zero, killed by a signal or not found: exit 9 (EDIT_COMMAND_FAILED), nothing written; CMD's stderr is optimist's.",
      "With --key K the edit happens at most once: the same id and command with the same key prints the first success again without running CMD (--max-attempts may differ); another id or command with that key is exit 5.",
    ],
    examples: [
      "optimist edit 7WPM2YVQ4J5XGTNQ3SZ6ABCDEF -- jq '.note = ((.note // \"0\") | tonumber + 1 | tostring)'",
      "optimist edit ZP3QK6TTM2XWJLCAV7RUEN5B4Y -- jq '.item_data.description = \"Filter coffee\"'",
    ])

  let id: String
  let maxAttempts: String?
  let key: String?
  let options: StoreOptions
  let command: [String]

  init(_ arguments: inout Arguments) throws(UsageError) {
    id = arguments.argument("id", help: "The customer's or item's id.")
    maxAttempts = arguments.option(
      "max-attempts", value: "n",
      help: "How many times to read and run CMD before giving up with VERSION_MISMATCH (1-1000).",
      defaultValue: String(EditRequest.defaultAttempts))
    key = arguments.option(
      "key",
      help:
        "Idempotency key (1-45 characters): a retry replays the first success without running CMD.")
    options = StoreOptions(&arguments)
    command = arguments.remainder(
      "command", help: "The program that prints the new object, and its arguments (no shell).")
  }

  func run() {
    options.run { store in
      let request = try EditRequest(
        id: id, command: command,
        maxAttempts: maxAttempts.map(EditRequest.attempts) ?? EditRequest.defaultAttempts,
        key: IdempotencyKey(key))
      return try store.edit(request) { (object) throws(OptimistError) in
        try Subprocess.run(request.command, input: object)
      }.printed
    }
  }
}
