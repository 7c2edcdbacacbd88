import OptimistCore

struct CreateCustomer: Subcommand {
  static let about = About(
    "create-customer",
    abstract: "Create a customer (version 0). At least one name or contact field is required.",
    discussion: [
      "The name and contact fields are --given-name, --family-name, --company-name, --email-address and --phone-number. A customer's version starts at 0 and grows by exactly 1 with each update."
    ],
    examples: ["optimist create-customer --given-name Ada --email-address ada@example.com"])

  let fields: [(String, String?)]
  let key: String?
  let options: StoreOptions

  init(_ arguments: inout Arguments) throws(UsageError) {
    fields = [
      (
        "given_name",
        arguments.option("given-name", help: "Given (first) name, at most 300 characters.")
      ),
      (
        "family_name",
        arguments.option("family-name", help: "Family (last) name, at most 300 characters.")
      ),
      (
        "company_name",
        arguments.option("company-name", help: "Company name, at most 500 characters.")
      ),
      (
        "email_address",
        arguments.option("email-address", help: "Email address, at most 254 characters.")
      ),
      (
        "phone_number",
        arguments.option("phone-number", help: "Phone number, at most 32 characters.")
      ),
      (
        "reference_id",
        arguments.option(
          "reference-id", help: "A second id from another system, at most 100 characters.")
      ),
      ("note", arguments.option("note", help: "A note, at most 500 characters.")),
    ]
    key = arguments.option("key", help: SharedHelp.key)
    options = StoreOptions(&arguments)
  }

  func run() {
    options.run { store in
      let request = try CreateRequest(
        type: .customer, values: FieldValues(.customer, given: fields), key: IdempotencyKey(key))
      return try store.create(request).printed
    }
  }
}
