import Foundation
import Testing

/// stdout is one JSON document and a newline, stable byte for byte; odd values round-trip.
@Suite struct OutputContractTests {
  let sandbox: Sandbox

  init() throws {
    sandbox = try Sandbox()
  }

  /// Valid text that is awkward for shells, SQL, JSON or Unicode handling.
  static let oddValues: [String] = [
    "She said \"hi\"",
    "'; DROP TABLE customers; --",
    "Robert'); DELETE FROM items WHERE ('1'='1",
    "☕️ coffee 👩🏽‍💻",
    "tab\there\nnew line\r\nand more",
    "a=b=c",
    "=",
    "back\\slash \\n not a newline \\u0041",
    "caf\u{E9} vs cafe\u{301}",
    "\u{1}\u{1F}\u{7F} control \u{2028}\u{2029}",
    " leading and trailing spaces ",
    "-starts-with-a-dash",
    "%s %d {} [] <>&",
    "日本語のテキスト",
  ]

  /// Compares text scalar by scalar: `==` on String would treat é and e+◌́ as equal.
  private func same(_ a: String?, _ b: String) -> Bool {
    a.map { Array($0.unicodeScalars) == Array(b.unicodeScalars) } ?? false
  }

  @Test(arguments: oddValues)
  func oddValuesRoundTripExactly(_ value: String) throws {
    let created = sandbox.run("create-customer", "--given-name", "Ada", "--note=\(value)")
    let id = try #require(created.expectSuccess()["id"] as? String)
    #expect(same(created.json?["note"] as? String, value), "\(created)")
    #expect(same(sandbox.get(id)["note"] as? String, value))

    let updated = sandbox.run(
      "update", id, "--set", "family_name=\(value)", "--set", "company_name=\(value)")
    #expect(same(updated.expectSuccess()["family_name"] as? String, value))
    let read = sandbox.get(id)
    for field in ["note", "family_name", "company_name"] {
      #expect(same(read[field] as? String, value), "\(field)")
    }
    #expect(read["given_name"] as? String == "Ada")

    let item = sandbox.run("create-item", "--name=\(value)", "--description=\(value)")
      .expectSuccess()
    let data = item["item_data"] as? [String: Any]
    #expect(same(data?["name"] as? String, value))
    #expect(same(data?["description"] as? String, value))

    let list = sandbox.run("list").expectSuccess()
    #expect((list["objects"] as? [[String: Any]])?.count == 2)
    #expect(sandbox.run("doctor").expectSuccess()[sandbox.engine.checkName] as? String == "ok")
  }

  @Test func setValueIsEverythingAfterTheFirstEquals() throws {
    let id = sandbox.create("create-customer", "--given-name", "Ada")

    let updated = sandbox.run(
      "update", id, "--set", "note==x=y==", "--set", "email_address=a=b@example.com"
    )
    .expectSuccess()

    #expect(updated["note"] as? String == "=x=y==")
    #expect(updated["email_address"] as? String == "a=b@example.com")
  }

  @Test func sameObjectPrintsTheSameBytes() throws {
    let customer = sandbox.run("create-customer", "--given-name", "Ada", "--note", "n")
    let item = sandbox.run("create-item", "--name", "Coffee", "--available-for-pickup", "true")
    let payment = sandbox.run(
      "create-payment", "--key", "k", "--amount", "5", "--currency", "USD", "--source-id", "s",
      "--note", "n")

    for created in [customer, item, payment] {
      let id = try #require(created.expectSuccess()["id"] as? String)
      let first = sandbox.run("get", id)
      let second = sandbox.run("get", id)
      #expect(first.stdout == created.stdout, "\(first) vs \(created)")
      #expect(second.stdout == first.stdout)
      // `list` prints the same object with the same bytes.
      let listed = sandbox.run("list").out
      #expect(listed.contains(String(decoding: created.stdout.dropLast(), as: UTF8.self)))
    }
    #expect(sandbox.run("list").stdout == sandbox.run("list").stdout)

    let customerID = try #require(customer.json?["id"] as? String)
    let updated = sandbox.run("update", customerID, "--set", "note=m")
    #expect(sandbox.run("get", customerID).stdout == updated.stdout)
  }

  @Test func everySuccessIsOneDocumentAndANewline() throws {
    let id = sandbox.create("create-customer", "--given-name", "Ada")
    for arguments in [
      ["get", id], ["list"], ["list", "--type", "CUSTOMER", "--limit", "1"],
      ["update", id, "--set", "note=x"],
      ["doctor"], ["prune-keys", "--older-than", "1d"], ["history", id],
      ["get", id, "--at-version", "0"],
      ["wait", id, "--changed-from", "0"], ["prune-history", "--keep", "1"], ["delete", id],
    ] {
      let result = sandbox.run(arguments)
      result.expectSuccess()
      #expect(result.stdout.last == 0x0A)
      #expect(result.stdout.filter { $0 == 0x0A }.count == 1)
      #expect(result.stdout.first == UInt8(ascii: "{"))
    }
  }

  static let subcommands = [
    "create-customer", "create-item", "create-payment", "get", "list", "update", "delete",
    "history", "wait", "prune-keys", "prune-history", "doctor",
  ]

  @Test(arguments: subcommands)
  func helpHasAnExample(_ subcommand: String) {
    let result = sandbox.run(subcommand, "--help")

    #expect(result.exitCode == 0, "\(result)")
    #expect(result.out.contains("Example"), "\(result)")
    #expect(result.out.contains("--db"))
    #expect(result.out.contains("--timeout"))
    #expect(result.stderr.isEmpty)
    #expect(!sandbox.storeExists())
  }

  @Test func rootHelpListsEverySubcommand() {
    let result = sandbox.run("--help")

    #expect(result.exitCode == 0, "\(result)")
    for subcommand in Self.subcommands {
      #expect(result.out.contains(subcommand), "\(subcommand)")
    }
  }

  @Test func versionExitsZero() {
    let result = sandbox.run("--version")

    #expect(result.exitCode == 0, "\(result)")
    #expect(result.out.hasPrefix("optimist "))
    #expect(result.out.hasSuffix("\n"))
    #expect(result.stderr.isEmpty)
    #expect(!sandbox.storeExists())
  }

  /// Values exactly at their documented limits are accepted, counted in characters, not bytes.
  @Test(arguments: ["a", "é"] as [Character])
  func valuesAtTheirLimitsAreAccepted(_ character: Character) throws {
    let customer = sandbox.run(
      "create-customer", "--given-name", text(300, of: character), "--family-name",
      text(300, of: character),
      "--company-name", text(500, of: character), "--email-address", text(254, of: character),
      "--phone-number", text(32, of: character), "--reference-id", text(100, of: character),
      "--note", text(500, of: character), "--key", text(45, of: character))
    #expect(customer.expectSuccess()["note"] as? String == text(500, of: character))

    let item = sandbox.run(
      "create-item", "--name", text(512, of: character), "--description", text(4096, of: character),
      "--key", text(45, of: character))
    let data = item.expectSuccess()["item_data"] as? [String: Any]
    #expect(data?["description"] as? String == text(4096, of: character))

    let payment = sandbox.run(
      "create-payment", "--key", text(45, of: character), "--amount", "1", "--currency", "USD",
      "--source-id", text(192, of: character), "--reference-id", text(40, of: character),
      "--note", text(500, of: character))
    #expect(payment.expectSuccess()["reference_id"] as? String == text(40, of: character))
    sandbox.run("list", "--limit", "1000").expectSuccess()
  }

  /// An argument that is not UTF-8 is refused, not silently repaired.
  @Test func invalidUTF8ArgumentIsRefused() {
    let result = OptimistProcess.run(
      [
        "-c", "exec \"$0\" create-customer --given-name \"$(printf 'caf\\351')\"",
        OptimistProcess.binary,
      ],
      environment: sandbox.environment, executable: "/bin/sh")

    result.expectError(2, "INVALID_VALUE")
    #expect(!sandbox.storeExists())
  }
}
