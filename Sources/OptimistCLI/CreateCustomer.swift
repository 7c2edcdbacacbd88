import ArgumentParser
import OptimistCore

struct CreateCustomer: FastParsable {
  static let configuration = CommandConfiguration(
    commandName: "create-customer",
    _superCommandName: "optimist",
    abstract: "Create a customer (version 0). At least one name or contact field is required.",
    discussion:
      "Example:\n  optimist create-customer --given-name Ada --email-address ada@example.com")

  @Option(parsing: .unconditional, help: "Given (first) name, at most 300 characters.")
  var givenName: String?
  @Option(parsing: .unconditional, help: "Family (last) name, at most 300 characters.")
  var familyName: String?
  @Option(parsing: .unconditional, help: "Company name, at most 500 characters.") var companyName:
    String?
  @Option(parsing: .unconditional, help: "Email address, at most 254 characters.") var emailAddress:
    String?
  @Option(parsing: .unconditional, help: "Phone number, at most 32 characters.") var phoneNumber:
    String?
  @Option(parsing: .unconditional, help: "A second id from another system, at most 100 characters.")
  var referenceId: String?
  @Option(parsing: .unconditional, help: "A note, at most 500 characters.") var note: String?
  @Option(
    parsing: .unconditional,
    help: "Idempotency key (1-45 characters): a retry with the same key creates nothing new.")
  var key: String?
  @OptionGroup var options: StoreOptions

  func run() {
    let raw = [
      ("given_name", givenName), ("family_name", familyName), ("company_name", companyName),
      ("email_address", emailAddress), ("phone_number", phoneNumber),
      ("reference_id", referenceId), ("note", note),
    ]
    options.run { try $0.create(CreateRequest(type: .customer, raw: raw, key: key)) }
  }

  static var syntax: FastSyntax<CreateCustomer> {
    FastSyntax(
      options: [
        "--given-name": .optional({ $0.givenName = $1 }),
        "--family-name": .optional({ $0.familyName = $1 }),
        "--company-name": .optional({ $0.companyName = $1 }),
        "--email-address": .optional({ $0.emailAddress = $1 }),
        "--phone-number": .optional({ $0.phoneNumber = $1 }),
        "--reference-id": .optional({ $0.referenceId = $1 }),
        "--note": .optional({ $0.note = $1 }), "--key": .optional({ $0.key = $1 }),
      ], store: { $0.options = $1 })
  }
}
