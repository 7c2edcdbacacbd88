import OptimistCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

struct Batch: Subcommand {
  static let about = About(
    "batch",
    abstract: "Create, update and delete customers and items all at once, or not at all.",
    discussion: [
      "Reads a JSON array of 1 to 1000 operations on stdin, each an object with an \"op\": \"create-customer\", \"create-item\", \"update\" or \"delete\", and the fields, versions and rules of the command of that name: creates take the fields by their JSON names; update takes \"id\", \"version\" (optional: the latest), \"set\" (an object of fields and values) and \"unset\" (an array of field names); delete takes \"id\" and \"version\". A create's \"id\" may be a temporary id such as \"#coffee\", which later operations of the batch use as their \"id\".",
      "All the operations apply, in one transaction, or none does: the first one refused (stale version, not found, invalid) rolls everything back, and its error names it by its index from 0 (field \"operations[3].version\", detail \"operation 3: ...\"), with that operation's exit code (2, 3, 4...). Malformed JSON, an unknown op or key: exit 2, nothing changed.",
      "Prints an object with \"objects\", each operation's answer in order as its command prints it (a delete's has deleted_object_ids and deleted_at), and \"id_mappings\", each temporary id (client_object_id) with the real one (object_id). With --key K the batch applies at most once: the same batch again prints the first answer.",
    ],
    examples: ["optimist batch --key \"$ORDER_ID\" < operations.json"])

  let key: String?
  let options: StoreOptions

  /// More than this on stdin is refused: 1,000 operations of the largest objects fit.
  static let maximumInput = 64 << 20

  init(_ arguments: inout Arguments) throws(UsageError) {
    key = arguments.option(
      "key", help: SharedHelp.key + " The same batch again prints the first answer.")
    options = StoreOptions(&arguments)
  }

  func run() {
    // stdin is read once the store is chosen: for a PostgreSQL URL this process has by then
    // become optimist-pg, which reads it.
    options.run { store in
      let input = try Self.readInput()
      let key = try IdempotencyKey(key)
      let json: JSONValue
      do throws(OptimistError) {
        json = try JSONValue.parse(input)
      } catch {
        throw OptimistError.invalidValue(
          field: nil, detail: "The batch is not JSON: \(error.detail)")
      }
      return try store.batch(BatchRequest(json: json, key: key)).printed
    }
  }

  /// All of stdin, as UTF-8 text (invalid UTF-8 is refused).
  static func readInput() throws(OptimistError) -> String {
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
      let count = buffer.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
      if count == 0 { break }
      if count < 0 {
        if errno == EINTR { continue }
        throw .invalidValue(
          field: nil,
          detail: "The batch could not be read from stdin: \(String(cString: strerror(errno))).")
      }
      bytes += buffer[0..<count]
      guard bytes.count <= maximumInput else {
        throw .invalidValue(
          field: nil, detail: "The batch on stdin is larger than \(maximumInput >> 20) MiB.")
      }
    }
    guard let text = String(validating: bytes, as: UTF8.self) else {
      throw .invalidValue(field: nil, detail: "The batch on stdin is not valid UTF-8.")
    }
    return text
  }
}
