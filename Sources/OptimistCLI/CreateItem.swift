import ArgumentParser
import OptimistCore

struct CreateItem: FastParsable {
  static let configuration = CommandConfiguration(
    commandName: "create-item",
    _superCommandName: "optimist",
    abstract: "Create a catalog item; its version is the update time in epoch milliseconds.",
    discussion:
      "Example:\n  optimist create-item --name Coffee --description 'House blend' --available-for-pickup true"
  )

  @Option(parsing: .unconditional, help: "Name, 1-512 characters.") var name: String
  @Option(parsing: .unconditional, help: "Description, at most 4096 characters.") var description:
    String?
  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("Whether the item can be picked up.", valueName: "true|false"))
  var availableForPickup: String?
  @Option(
    parsing: .unconditional,
    help: "Idempotency key (1-45 characters): a retry with the same key creates nothing new.")
  var key: String?
  @OptionGroup var options: StoreOptions

  func run() {
    let raw = [
      ("name", Optional(name)), ("description", description),
      ("available_for_pickup", availableForPickup),
    ]
    options.run { try $0.create(CreateRequest(type: .item, raw: raw, key: key)) }
  }

  static var syntax: FastSyntax<CreateItem> {
    FastSyntax(
      options: [
        "--name": .required({ $0.name = $1 }), "--description": .optional({ $0.description = $1 }),
        "--available-for-pickup": .optional({ $0.availableForPickup = $1 }),
        "--key": .optional({ $0.key = $1 }),
      ], store: { $0.options = $1 })
  }
}
