import ArgumentParser
import Testing

@testable import OptimistCLI

/// The fast path must read every plain command line exactly as ArgumentParser does, and leave
/// everything else to ArgumentParser.
@Suite struct FastSyntaxTests {
  /// Parses with both and returns the two commands' descriptions (every property's value).
  func both<C: FastParsable>(_ type: C.Type, _ arguments: [String]) throws -> (String?, String) {
    let fast = C.syntax.parse(arguments[...]).map { String(describing: $0) }
    let parsed = String(describing: try C.parse(arguments))
    return (fast, parsed)
  }

  static let id = "7WPM2YVQ4J5XGTNQ3SZ6ABCDEF"

  @Test func everySubcommandHasAFastSyntax() {
    let names = Optimist.configuration.subcommands.compactMap { $0.configuration.commandName }
    #expect(names == Optimist.fastSubcommands.compactMap { $0.configuration.commandName })
    #expect(names.count == 9)
  }

  @Test(arguments: [
    [], ["--given-name", "Ada"],
    [
      "--given-name", "Ada", "--family-name", "Lovelace", "--company-name", "Engines",
      "--email-address", "ada@example.com", "--phone-number", "+441234", "--reference-id", "r1",
      "--note", "a note", "--key", "k1", "--db", "/tmp/x.db", "--timeout", "2.5",
    ],
  ])
  func createCustomer(_ arguments: [String]) throws {
    let (fast, parsed) = try both(CreateCustomer.self, arguments)
    #expect(fast == parsed)
  }

  @Test(arguments: [
    ["--name", "Coffee"],
    [
      "--name", "Coffee", "--description", "", "--available-for-pickup", "true", "--key", "k",
      "--timeout", "0",
    ],
  ])
  func createItem(_ arguments: [String]) throws {
    let (fast, parsed) = try both(CreateItem.self, arguments)
    #expect(fast == parsed)
  }

  @Test(arguments: [
    ["--key", "k", "--amount", "450", "--currency", "USD", "--source-id", "cnon:ok"],
    [
      "--key", "k", "--amount", "1.5", "--currency", "usd", "--source-id", "s", "--customer-id",
      id, "--reference-id", "r", "--note", "n", "--autocomplete", "false", "--db", "d.db",
    ],
  ])
  func createPayment(_ arguments: [String]) throws {
    let (fast, parsed) = try both(CreatePayment.self, arguments)
    #expect(fast == parsed)
  }

  @Test(arguments: [[id], [id, "--db", "x.db", "--timeout", "1"], ["not-an-id"]])
  func get(_ arguments: [String]) throws {
    let (fast, parsed) = try both(Get.self, arguments)
    #expect(fast == parsed)
  }

  @Test(arguments: [
    [], ["--type", "ITEM", "--limit", "2", "--cursor", "ITEM-ITEM-2"], ["--limit", "abc"],
  ])
  func list(_ arguments: [String]) throws {
    let (fast, parsed) = try both(List.self, arguments)
    #expect(fast == parsed)
  }

  @Test(arguments: [
    [id, "--set", "note=a=b"],
    [
      id, "--version", "3", "--set", "note=x", "--unset", "email_address", "--set",
      "given_name=", "--unset", "phone_number",
    ],
    [id, "--version", "abc"],
  ])
  func update(_ arguments: [String]) throws {
    let (fast, parsed) = try both(Update.self, arguments)
    #expect(fast == parsed)
  }

  @Test(arguments: [[id], [id, "--version", "0"]])
  func delete(_ arguments: [String]) throws {
    let (fast, parsed) = try both(Delete.self, arguments)
    #expect(fast == parsed)
  }

  @Test(arguments: [["--older-than", "24h"], ["--older-than", "0s", "--db", "x"]])
  func pruneKeys(_ arguments: [String]) throws {
    let (fast, parsed) = try both(PruneKeys.self, arguments)
    #expect(fast == parsed)
  }

  @Test(arguments: [[], ["--db", "x.db", "--timeout", "3"]])
  func doctor(_ arguments: [String]) throws {
    let (fast, parsed) = try both(Doctor.self, arguments)
    #expect(fast == parsed)
  }

  /// Command lines the fast path must leave to ArgumentParser.
  @Test(arguments: [
    ["--help"], ["-h"], [id, "--help"], ["--db=x.db", id], [id, "--timeout", "-1"],
    [id, "--timeout", "abc"], [id, "--timeout", "100000"], [id, id], [], ["--", id],
    [id, "--db"], [id, "--db", "a", "--db", "b"], [id, "--unknown", "x"], ["-x", id],
  ])
  func leavesTheRestToArgumentParser(_ arguments: [String]) {
    #expect(Get.syntax.parse(arguments[...]) == nil)
  }

  @Test(arguments: [["--name", "-5"], ["--name", "--db", "--key", "-"]])
  func readsValuesThatStartWithADash(_ arguments: [String]) throws {
    let (fast, parsed) = try both(CreateItem.self, arguments)
    #expect(fast != nil)
    #expect(fast == parsed)
  }

  @Test(arguments: [["--name", "a", "--name", "b"], [], ["--name", "x", "--key"]])
  func leavesRepeatedOrMissingValuesToArgumentParser(_ arguments: [String]) {
    #expect(CreateItem.syntax.parse(arguments[...]) == nil)
  }
}
