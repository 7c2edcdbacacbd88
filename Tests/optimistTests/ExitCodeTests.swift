import Foundation
import Testing

/// Exits 0, 6 and 64 (2–5 are in RefusedCommandTests, 1 in StorageErrorTests, 75 in
/// LockTimeoutTests).
@Suite struct ExitCodeTests {
  let sandbox: Sandbox

  init() throws {
    sandbox = try Sandbox()
  }

  static var idPattern: Regex<Substring> { /^[A-Z2-7]{26}$/ }
  static var timePattern: Regex<Substring> { /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/ }

  @Test func customerLifecycleExitsZeroAtEveryStep() throws {
    // An empty optional value is the same as leaving it out.
    let created = sandbox.run(
      "create-customer", "--given-name", "Ada", "--email-address", "ada@example.com", "--note", ""
    ).expectSuccess()
    let id = try #require(created["id"] as? String)
    #expect(id.wholeMatch(of: Self.idPattern) != nil)
    #expect(
      Set(created.keys) == [
        "id", "created_at", "updated_at", "version", "given_name", "email_address",
      ])
    #expect(created["version"] as? Int == 0)
    let createdAt = try #require(created["created_at"] as? String)
    #expect(createdAt.wholeMatch(of: Self.timePattern) != nil)
    #expect(created["updated_at"] as? String == createdAt)

    let latest = sandbox.run("update", id, "--set", "note=vip").expectSuccess()
    #expect(latest["version"] as? Int == 1)
    #expect(latest["note"] as? String == "vip")
    #expect(latest["created_at"] as? String == createdAt)
    #expect((latest["updated_at"] as? String)?.wholeMatch(of: Self.timePattern) != nil)

    let named = sandbox.run(
      "update", id, "--version", "1", "--set", "family_name=Lovelace", "--unset", "note"
    )
    .expectSuccess()
    #expect(named["version"] as? Int == 2)
    #expect(named["family_name"] as? String == "Lovelace")
    #expect(named["note"] == nil)

    let cleared = sandbox.run("update", id, "--version", "2", "--set", "email_address=")
    let clearedJSON = cleared.expectSuccess()
    #expect(clearedJSON["version"] as? Int == 3)
    #expect(clearedJSON["email_address"] == nil)
    #expect(sandbox.run("get", id).stdout == cleared.stdout)

    let deleted = sandbox.run("delete", id, "--version", "3").expectSuccess()
    #expect(Set(deleted.keys) == ["deleted_object_ids", "deleted_at"])
    #expect(deleted["deleted_object_ids"] as? [String] == [id])
    #expect((deleted["deleted_at"] as? String)?.wholeMatch(of: Self.timePattern) != nil)
    sandbox.run("get", id).expectError(4, "NOT_FOUND", field: "id")
    sandbox.run("delete", id).expectError(4, "NOT_FOUND", field: "id")

    let doctor = sandbox.run("doctor").expectSuccess()
    #expect(doctor[sandbox.engine.checkName] as? String == "ok")
    #expect(doctor[sandbox.engine.locationKey] as? String == sandbox.db)
    #expect((doctor["objects"] as? [String: Any])?["customers"] as? Int == 0)
  }

  @Test func itemLifecycleExitsZeroWithIncreasingVersions() throws {
    let created = sandbox.run(
      "create-item", "--name", "Coffee", "--description", "House blend", "--available-for-pickup",
      "true"
    ).expectSuccess()
    let id = try #require(created["id"] as? String)
    #expect(id.wholeMatch(of: Self.idPattern) != nil)
    #expect(
      Set(created.keys) == ["type", "id", "updated_at", "version", "is_deleted", "item_data"])
    #expect(created["type"] as? String == "ITEM")
    #expect(created["is_deleted"] as? Bool == false)
    let data = try #require(created["item_data"] as? [String: Any])
    #expect(data["name"] as? String == "Coffee")
    #expect(data["description"] as? String == "House blend")
    #expect(data["available_for_pickup"] as? Bool == true)

    var version = try #require(created["version"] as? Int64)
    for round in 0..<5 {
      let updated = sandbox.run(
        "update", id, "--version", String(version), "--set", "description=round \(round)"
      )
      .expectSuccess()
      let next = try #require(updated["version"] as? Int64)
      #expect(next > version)
      version = next
    }
    let final = sandbox.get(id)
    #expect(final["version"] as? Int64 == version)
    #expect((final["item_data"] as? [String: Any])?["description"] as? String == "round 4")

    sandbox.run("delete", id).expectSuccess()
    sandbox.run("get", id).expectError(4, "NOT_FOUND")
  }

  @Test func paymentIsCompletedOrApproved() throws {
    let customer = sandbox.create("create-customer", "--given-name", "Ada")
    let result = sandbox.run(
      "create-payment", "--key", "p1", "--amount", "450", "--currency", "USD", "--source-id",
      "cnon:card-nonce-ok",
      "--customer-id", customer, "--reference-id", "order-7", "--note", "two coffees")
    let payment = result.expectSuccess()
    let id = try #require(payment["id"] as? String)
    #expect(id.wholeMatch(of: Self.idPattern) != nil)
    #expect(payment["status"] as? String == "COMPLETED")
    #expect(payment["source_type"] as? String == "CARD")
    for money in ["amount_money", "total_money", "approved_money"] {
      let value = payment[money] as? [String: Any]
      #expect(value?["amount"] as? Int == 450, "\(money)")
      #expect(value?["currency"] as? String == "USD", "\(money)")
    }
    #expect(payment["customer_id"] as? String == customer)
    #expect(payment["reference_id"] as? String == "order-7")
    #expect(payment["note"] as? String == "two coffees")
    #expect((payment["version_token"] as? String)?.isEmpty == false)
    #expect(sandbox.run("get", id).stdout == result.stdout)

    let approved = sandbox.run(
      "create-payment", "--key", "p2", "--amount", "9223372036854775807", "--currency", "JPY",
      "--source-id", "s",
      "--autocomplete", "false"
    ).expectSuccess()
    #expect(approved["status"] as? String == "APPROVED")
    #expect((approved["amount_money"] as? [String: Any])?["amount"] as? Int64 == Int64.max)
    #expect(approved["customer_id"] == nil)
  }

  @Test func declinedCardExitsSixAndRecordsAFailedPayment() throws {
    let arguments = [
      "create-payment", "--key", "declined-1", "--amount", "100", "--currency", "USD",
      "--source-id",
      "cnon:card-nonce-declined",
    ]
    let result = sandbox.run(arguments)

    #expect(result.exitCode == 6, "\(result)")
    #expect(result.errorCode == "CARD_DECLINED", "\(result)")
    #expect(result.error?["category"] as? String == "PAYMENT_METHOD_ERROR")
    let payment = try #require(result.json, "\(result)")
    #expect(payment["status"] as? String == "FAILED")
    let id = try #require(payment["id"] as? String)
    #expect(sandbox.get(id)["status"] as? String == "FAILED")

    let replay = sandbox.run(arguments)
    #expect(replay.exitCode == 6)
    #expect(replay.stdout == result.stdout)
    #expect(replay.stderr == result.stderr)
    let payments =
      sandbox.run("list", "--type", "PAYMENT").expectSuccess()["objects"] as? [[String: Any]]
    #expect(payments?.count == 1)
  }

  static let malformedCommandLines: [[String]] = [
    ["get"], ["get", "X", "--bogus"], ["--bogus"], ["frobnicate"], ["create-item"],
    ["create-item", "--name"],
    ["create-payment", "--key", "k"], ["update", "X", "--set"], ["update", "X", "--version"],
    ["list", "--limit"], ["list", "--all", "--limit", "2"], ["delete"], ["prune-keys"],
    ["doctor", "extra"], ["get", "A", "B"],
  ]

  @Test(arguments: malformedCommandLines)
  func malformedCommandLineExits64WithUsage(_ arguments: [String]) {
    let result = sandbox.run(arguments)

    result.expectUsageError()
    #expect(!sandbox.storeExists())
  }

  /// One rule: words that do not fit the command are exit 64 (usage on stderr); a value,
  /// however malformed, is exit 2 with a JSON error naming its field, whichever option it
  /// is given to (`--limit abc` as `--timeout abc`), and the store is not created.
  static let malformedValues: [([String], String)] = [
    (["list", "--timeout", "soon"], "timeout"), (["list", "--timeout=-1"], "timeout"),
    (["list", "--timeout", "86401"], "timeout"), (["list", "--limit", "abc"], "limit"),
    (["list", "--limit", "0"], "limit"), (["get", "X", "--color", "sometimes"], "color"),
    (["list", "--all", "--timeout", "x"], "timeout"),
    (["create-item", "--name", "Tea", "--timeout", "soon"], "timeout"),
    (["serve", "--timeout", "soon"], "timeout"), (["serve", "--listen", "80"], "listen"),
  ]

  @Test(arguments: malformedValues)
  func aMalformedValueExits2WithItsField(_ arguments: [String], _ field: String) {
    let result = sandbox.run(arguments)

    result.expectError(2, "INVALID_VALUE", field: field)
    #expect(!sandbox.storeExists())
  }

  @Test func malformedCommandLineLeavesDatabaseUnchanged() throws {
    let shop = Shop(sandbox)
    let before = try #require(sandbox.snapshot())

    sandbox.run("update", shop.customer, "--set", "note=x", "--bogus").expectUsageError()
    sandbox.run("create-payment", "--key", "first-key", "--amount", "450").expectUsageError()

    #expect(sandbox.snapshot() == before)
  }
}
