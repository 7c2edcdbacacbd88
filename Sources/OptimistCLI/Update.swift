import OptimistCore

struct Update: Subcommand {
  static let about = About(
    "update",
    abstract: "Change fields of a customer or item if it is still at the version you read.",
    discussion: [
      "A stale --version is refused with VERSION_MISMATCH (exit 3) and changes nothing: get the object again and retry. Without --version the latest version is assumed.",
      "Fields by their JSON names: customers given_name, family_name, company_name, email_address, phone_number, reference_id, note; items name, description, available_for_pickup. An empty VALUE clears an optional field, like --unset.",
    ],
    examples: [
      "optimist update 7WPM2YVQ4J5XGTNQ3SZ6ABCDEF --version 3 --set note=VIP --unset phone_number"
    ])

  let id: String
  let version: String?
  let assignments: [String]
  let removals: [String]
  let key: String?
  let options: StoreOptions

  init(_ arguments: inout Arguments) throws(UsageError) {
    id = arguments.argument("id", help: "The object's id.")
    version = arguments.option(
      "version", help: "The version you read (from get); without it, the latest.")
    assignments = arguments.repeated(
      "set", value: "field=value", help: "Set a field: FIELD=VALUE, FIELD being its JSON name.",
      completion: .choices { Update.fieldNames.map { $0 + "=" } })
    removals = arguments.repeated(
      "unset", value: "field", help: "Remove an optional field.",
      completion: .choices { Update.fieldNames })
    key = arguments.option(
      "key",
      help:
        "Idempotency key (1-45 characters): a retry after a lost answer replays the first one instead of VERSION_MISMATCH."
    )
    options = StoreOptions(&arguments)
  }

  /// Every field `--set` and `--unset` know, customers' then items'.
  static var fieldNames: [String] { ObjectType.allCases.flatMap(\.fields).map(\.name) }

  func run() {
    options.run { store in
      let version = try Values.version(version)
      let key = try IdempotencyKey(key)
      let request = try UpdateRequest(id: id, version: version, changes: try changes(), key: key)
      return try store.update(request).printed
    }
  }

  /// `--set FIELD=VALUE` and `--unset FIELD` as typed changes, in the order given.
  func changes() throws(OptimistError) -> [FieldChange] {
    var given: [(field: String, value: String?)] = []
    for assignment in assignments {
      guard let equals = assignment.firstIndex(of: "=") else {
        throw .invalidValue(field: nil, detail: "`--set \(assignment)` needs the form FIELD=VALUE.")
      }
      given.append(
        (String(assignment[..<equals]), String(assignment[assignment.index(after: equals)...])))
    }
    given += removals.map { ($0, nil) }
    guard !given.isEmpty else {
      throw .invalidValue(
        field: nil, detail: "Nothing to update: give --set FIELD=VALUE or --unset FIELD.")
    }
    return try FieldChange.list(given) { (field, raw) throws(OptimistError) in try field.parse(raw)
    }
  }
}
