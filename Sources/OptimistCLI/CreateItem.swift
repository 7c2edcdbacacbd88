import OptimistCore

struct CreateItem: Subcommand {
  static let about = About(
    "create-item",
    abstract: "Create a catalog item; its version is the update time in epoch milliseconds.",
    discussion: [
      "As in Square's Catalog API an item's version is strictly increasing across the store. Treat versions as opaque."
    ],
    examples: [
      "optimist create-item --name Coffee --description 'House blend' --available-for-pickup true"
    ])

  let fields: [(String, String?)]
  let key: String?
  let options: StoreOptions

  init(_ arguments: inout Arguments) throws(UsageError) {
    fields = [
      ("name", arguments.required("name", help: "Name, 1-512 characters.")),
      (
        "description",
        arguments.option("description", help: "Description, at most 4096 characters.")
      ),
      (
        "available_for_pickup",
        arguments.option(
          "available-for-pickup", value: "true|false", help: "Whether the item can be picked up.",
          completion: .choices { ["true", "false"] })
      ),
    ]
    key = arguments.option("key", help: SharedHelp.key)
    options = StoreOptions(&arguments)
  }

  func run() {
    options.run { store in
      let request = try CreateRequest(
        type: .item, values: FieldValues(.item, given: fields), key: IdempotencyKey(key))
      return try store.create(request).printed
    }
  }
}
