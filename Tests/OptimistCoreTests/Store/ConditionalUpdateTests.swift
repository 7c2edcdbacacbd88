import Foundation
import Testing

@testable import OptimistCore

@Suite struct ConditionalUpdateTests {
  let database = TestDatabase()

  private func customer(_ fields: [(String, String)] = [("given_name", "Ada")]) throws -> (
    id: String, version: Int64
  ) {
    let object = try database.createCustomer(fields)
    return (try #require(object["id"] as? String), try #require(TestJSON.int(object["version"])))
  }

  private func item(_ fields: [(String, String)] = [("name", "Coffee")]) throws -> (
    id: String, version: Int64
  ) {
    let object = try database.createItem(fields)
    return (try #require(object["id"] as? String), try #require(TestJSON.int(object["version"])))
  }

  private func object(_ type: ObjectType) throws -> (id: String, version: Int64) {
    type == .customer ? try customer() : try item()
  }

  /// A field both types have a use for: a note on customers, a description on items.
  private func textField(_ type: ObjectType) -> String {
    type == .customer ? "note" : "description"
  }

  private func updateError(
    _ id: String, version: String? = nil, set: [String] = [], unset: [String] = []
  ) -> OptimistError? {
    #expect(throws: OptimistError.self) {
      try database.store.update(StoreRequests.update(id, version: version, set: set, unset: unset))
    }
  }

  /// `delete ID [--version V]` as printed.
  private func delete(_ id: String, version: String? = nil) throws -> StoredAnswer {
    try database.store.delete(StoreRequests.delete(id, version: version)).printed
  }

  @Test func customerVersionGrowsByOne() throws {
    let (id, version) = try customer()
    let created = try database.get(id)
    let output = try database.store.update(
      UpdateRequest(id: id, version: version, changes: changes(set: ["family_name=Lovelace"]))
    )
    .printed
    let updated = try TestJSON.success(output)
    #expect(TestJSON.int(updated["version"]) == version + 1)
    #expect(updated["family_name"] as? String == "Lovelace")
    #expect(updated["given_name"] as? String == "Ada")
    #expect(updated["created_at"] as? String == created["created_at"] as? String)
    #expect(
      (updated["updated_at"] as? String ?? "") >= (created["updated_at"] as? String ?? "~"))
    #expect(try database.getText(id) == output.stdout)

    let again = try database.update(id, version: version + 1, set: ["note=VIP"])
    #expect(TestJSON.int(again["version"]) == version + 2)
    #expect(again["family_name"] as? String == "Lovelace")
    #expect(again["note"] as? String == "VIP")
  }

  @Test func itemVersionStrictlyIncreases() throws {
    var (id, version) = try item()
    for index in 0..<20 {
      let updated = try database.update(
        id, version: index.isMultiple(of: 2) ? version : nil, set: ["description=v\(index)"])
      let next = try #require(TestJSON.int(updated["version"]))
      #expect(next > version)
      version = next
      #expect((updated["item_data"] as? [String: Any])?["description"] as? String == "v\(index)")
    }
    #expect(TestJSON.int(try database.get(id)["version"]) == version)
  }

  /// Item versions are one clock across the store: an update of one item passes every other.
  @Test func itemVersionsIncreaseAcrossItems() throws {
    let first = try item([("name", "A")])
    let second = try item([("name", "B")])
    let updated = try database.update(first.id, set: ["description=x"])
    #expect(try #require(TestJSON.int(updated["version"])) > second.version)
  }

  @Test(arguments: [ObjectType.customer, .item])
  func staleVersionIsRefusedAndChangesNothing(type: ObjectType) throws {
    let (id, stale) = try object(type)
    let current = try #require(
      TestJSON.int(
        try database.update(id, version: stale, set: ["\(textField(type))=first"])["version"]))
    let before = try database.getText(id)
    let counts = try database.counts()

    #expect(
      throws: OptimistError.versionMismatch(id: id, expected: stale, actual: current)
    ) {
      try database.store.update(
        UpdateRequest(id: id, version: stale, changes: changes(set: ["\(textField(type))=second"])))
    }
    #expect(try database.getText(id) == before)
    #expect(try database.counts() == counts)

    // A version the object never had is refused the same way.
    let error = updateError(id, version: String(current + 1000), set: ["\(textField(type))=third"])
    #expect(error == .versionMismatch(id: id, expected: current + 1000, actual: current))
    #expect(error?.exitStatus == .versionMismatch)
    #expect(try database.getText(id) == before)
  }

  /// The seed flow of the spec, in process: B's stale write is refused, its retry keeps A's change.
  @Test func seedFlow() throws {
    let (id, _) = try item([("name", "Coffee")])
    let seenByA = try database.get(id)
    let seenByB = try database.get(id)
    let versionA = try #require(TestJSON.int(seenByA["version"]))
    let versionB = try #require(TestJSON.int(seenByB["version"]))
    try database.update(id, version: versionA, set: ["description=Filter coffee"])
    let error = updateError(id, version: String(versionB), set: ["available_for_pickup=false"])
    #expect(error?.code == "VERSION_MISMATCH")
    let fresh = try database.get(id)
    let freshVersion = try #require(TestJSON.int(fresh["version"]))
    #expect(freshVersion > versionB)
    let final = try database.update(id, version: freshVersion, set: ["available_for_pickup=false"])
    let data = try #require(final["item_data"] as? [String: Any])
    #expect(data["description"] as? String == "Filter coffee")
    #expect(data["available_for_pickup"] as? Bool == false)
    #expect(data["name"] as? String == "Coffee")
  }

  @Test func withoutVersionTheLatestIsUsed() throws {
    let (id, version) = try customer()
    try database.update(id, set: ["note=one"])
    let updated = try database.update(id, set: ["note=two"])
    #expect(TestJSON.int(updated["version"]) == version + 2)
    #expect(updated["note"] as? String == "two")
  }

  @Test func missingObjectIsNotFound() throws {
    _ = try customer()
    let id = "AAAAAAAAAAAAAAAAAAAAAAAAAA"
    #expect(updateError(id, version: "0", set: ["note=x"]) == .notFound(id: id, field: "id"))
    #expect(updateError(id, set: ["note=x"]) == .notFound(id: id, field: "id"))
    #expect(throws: OptimistError.notFound(id: id, field: "id")) {
      try delete(id)
    }
    #expect(throws: OptimistError.notFound(id: id, field: "id")) {
      try delete(id, version: "0")
    }
  }

  @Test func paymentsCannotBeUpdatedOrDeleted() throws {
    let payment = try database.createPayment(key: "k1")
    let id = try #require(payment["id"] as? String)
    let before = try database.getText(id)
    let update = updateError(id, set: ["note=x"])
    #expect(update?.code == "INVALID_VALUE")
    #expect(update?.exitStatus == .invalidRequest)
    let deletion = #expect(throws: OptimistError.self) {
      try delete(id)
    }
    #expect(deletion?.code == "INVALID_VALUE")
    #expect(deletion?.exitStatus == .invalidRequest)
    #expect(try database.getText(id) == before)
    #expect(try database.counts().payments == 1)
  }

  @Test(arguments: [ObjectType.customer, .item])
  func deleteWithStaleVersionIsRefused(type: ObjectType) throws {
    let (id, stale) = try object(type)
    let current = try #require(
      TestJSON.int(try database.update(id, set: ["\(textField(type))=changed"])["version"]))
    let before = try database.getText(id)
    #expect(throws: OptimistError.versionMismatch(id: id, expected: stale, actual: current)) {
      try delete(id, version: String(stale))
    }
    #expect(try database.getText(id) == before)
  }

  @Test(arguments: [ObjectType.customer, .item])
  func deleteThenGetIsNotFound(type: ObjectType) throws {
    let (id, version) = try object(type)
    let other = try object(type)
    let output = try delete(id, version: String(version))
    let deleted = try TestJSON.success(output)
    #expect(deleted["deleted_object_ids"] as? [String] == [id])
    let deletedAt = try #require(deleted["deleted_at"] as? String)
    #expect(deletedAt.count == 24 && deletedAt.hasSuffix("Z"))
    #expect(deleted.count == 2)

    #expect(throws: OptimistError.notFound(id: id, field: "id")) { try database.store.get(id: id) }
    #expect(throws: OptimistError.notFound(id: id, field: "id")) {
      try delete(id)
    }
    #expect(updateError(id, set: ["note=x"]) == .notFound(id: id, field: "id"))
    // The other object is untouched.
    #expect(try database.get(other.id)["id"] as? String == other.id)
  }

  @Test func deleteWithoutVersionDeletesTheLatest() throws {
    let (id, _) = try customer()
    try database.update(id, set: ["note=x"])
    _ = try TestJSON.success(delete(id))
    #expect(try database.counts().customers == 0)
  }

  @Test(arguments: ["abc", "-1", "1.0", "", " 1", "9223372036854775808"])
  func deleteWithMalformedVersionIsInvalid(version: String) throws {
    let (id, _) = try customer()
    let error = #expect(throws: OptimistError.self) {
      try delete(id, version: version)
    }
    #expect(error?.code == "INVALID_VALUE")
    #expect(error?.field == "version")
    #expect(try database.counts().customers == 1)
  }

  @Test func removingTheLastContactFieldIsRefused() throws {
    let (id, version) = try customer([("given_name", "Ada"), ("note", "keep")])
    let before = try database.getText(id)
    for (set, unset) in [
      ([String](), ["given_name"]), (["given_name="], []),
      (["note=new"], ["given_name"]),
    ] {
      let error = updateError(id, version: String(version), set: set, unset: unset)
      #expect(error?.code == "MISSING_REQUIRED_PARAMETER", "\(set) \(unset)")
      #expect(error?.exitStatus == .invalidRequest)
      #expect(try database.getText(id) == before)
    }
    // Also without a version.
    #expect(updateError(id, unset: ["given_name"])?.code == "MISSING_REQUIRED_PARAMETER")
    // Swapping one contact field for another is fine.
    let swapped = try database.update(
      id, set: ["email_address=ada@example.com"], unset: ["given_name"])
    #expect(swapped["given_name"] == nil)
    #expect(swapped["email_address"] as? String == "ada@example.com")
    #expect(TestJSON.int(swapped["version"]) == version + 1)
  }

  @Test func itemNameCannotBeEmptiedOrRemoved() throws {
    let (id, _) = try item([("name", "Coffee"), ("description", "d")])
    let before = try database.getText(id)
    for (set, unset) in [(["name="], [String]()), ([], ["name"])] {
      let error = updateError(id, set: set, unset: unset)
      #expect(error?.code == "MISSING_REQUIRED_PARAMETER")
      #expect(error?.field == "name")
      #expect(try database.getText(id) == before)
    }
  }

  static let limits: [(ObjectType, String, Int)] = [
    (.customer, "given_name", 300), (.customer, "family_name", 300),
    (.customer, "company_name", 500), (.customer, "email_address", 254),
    (.item, "name", 512), (.item, "description", 4096),
  ]

  @Test(arguments: limits)
  func tooLongValueIsRefusedWithTheLimit(type: ObjectType, field: String, maximum: Int) throws {
    let (id, _) = try object(type)
    let before = try database.getText(id)
    #expect(
      updateError(id, set: ["\(field)=\(text(maximum + 1, of: "é"))"])
        == .valueTooLong(field: field, maximum: maximum))
    #expect(try database.getText(id) == before)

    let updated = try database.update(id, set: ["\(field)=\(text(maximum, of: "é"))"])
    let values = type == .item ? updated["item_data"] as? [String: Any] : updated
    #expect(values?[field] as? String == text(maximum, of: "é"))
  }

  @Test func booleansMustBeTrueOrFalse() throws {
    let (id, _) = try item()
    let before = try database.getText(id)
    for raw in ["yes", "1", "TRUE", " "] {
      #expect(
        updateError(id, set: ["available_for_pickup=\(raw)"])
          == .expectedBoolean(field: "available_for_pickup", value: raw))
    }
    #expect(try database.getText(id) == before)
    let on = try database.update(id, set: ["available_for_pickup=true"])
    #expect((on["item_data"] as? [String: Any])?["available_for_pickup"] as? Bool == true)
    let off = try database.update(id, set: ["available_for_pickup=false"])
    #expect((off["item_data"] as? [String: Any])?["available_for_pickup"] as? Bool == false)
    let unset = try database.update(id, unset: ["available_for_pickup"])
    #expect((unset["item_data"] as? [String: Any])?["available_for_pickup"] == nil)
  }

  @Test func fieldOfTheOtherTypeIsInvalid() throws {
    let customer = try customer()
    let item = try item()
    for (id, assignment) in [
      (customer.id, "name=x"), (customer.id, "available_for_pickup=true"),
      (item.id, "given_name=x"), (item.id, "note=x"),
    ] {
      let before = try database.getText(id)
      let error = updateError(id, set: [assignment])
      #expect(error?.code == "INVALID_VALUE", "\(assignment)")
      #expect(error?.field == String(assignment.prefix { $0 != "=" }))
      #expect(try database.getText(id) == before)
    }
  }

  @Test func valueIsEverythingAfterTheFirstEquals() throws {
    let (id, _) = try customer()
    #expect(try database.update(id, set: ["note=a=b"])["note"] as? String == "a=b")
    #expect(try database.update(id, set: ["note==x="])["note"] as? String == "=x=")
  }

  @Test func emptyValueClearsAnOptionalField() throws {
    let (id, _) = try customer([("given_name", "Ada"), ("note", "n"), ("phone_number", "1")])
    let cleared = try database.update(id, set: ["note="], unset: ["phone_number"])
    #expect(cleared["note"] == nil)
    #expect(cleared["phone_number"] == nil)
    #expect(cleared["given_name"] as? String == "Ada")
  }

  @Test func requestErrorsComeBeforeTheStoreIsTouched() throws {
    let (id, _) = try customer()
    let before = try database.getText(id)
    for (set, unset) in [
      (["note"], [String]()), (["version=9"], []), (["id=X"], []),
      (["bogus=1"], []), (["note=a", "note=b"], []), (["note=a"], ["note"]), ([], []),
    ] {
      let error = #expect(throws: OptimistError.self) {
        try UpdateRequest(id: id, version: nil, changes: changes(set: set, unset: unset))
      }
      #expect(error?.code == "INVALID_VALUE", "\(set) \(unset)")
    }
    #expect(try database.getText(id) == before)
  }

  // The conditional statements themselves, in a write transaction from the engine.

  /// The customer or item `id` as a write transaction reads it.
  private func stored(_ tx: WriteTransaction, _ id: String, _ type: ObjectType) throws
    -> VersionedObject
  {
    guard case .versioned(let object)? = try tx.object(id: id, type: type) else {
      throw OptimistError.notFound(id: id, field: "id")
    }
    return object
  }

  private func historyRows() throws -> Int64? {
    try database.scalar("SELECT count(*) FROM history")
  }

  @Test(arguments: [ObjectType.customer, .item])
  func conditionalUpdateWritesOnlyAtTheExpectedVersion(type: ObjectType) throws {
    let (id, version) = try object(type)
    let before = try database.getText(id)
    let error = #expect(throws: OptimistError.self) {
      try database.store.write { tx in
        let current = try stored(tx, id, type)
        var changed = current
        changed.values[textField(type)] = .text("lost")
        changed.version = current.version + 1
        try tx.conditionalUpdate(changed, replacing: current, expectedVersion: version + 7)
      }
    }
    #expect(error == .versionMismatch(id: id, expected: version + 7, actual: version))
    #expect(try database.getText(id) == before)
    #expect(try historyRows() == 0)

    // At the version read, the row is written and the version it replaced is kept.
    let written = try database.store.write { tx in
      let current = try stored(tx, id, type)
      var changed = current
      changed.values[textField(type)] = .text("kept")
      changed.version =
        type == .item ? try tx.nextCatalogVersion(now: Timestamp.now()) : current.version + 1
      try tx.conditionalUpdate(changed, replacing: current, expectedVersion: version)
      return changed
    }
    #expect(try database.getText(id) == written.json + "\n")
    #expect(try historyRows() == 1)
  }

  @Test(arguments: [ObjectType.customer, .item])
  func conditionalDeleteDeletesOnlyAtTheExpectedVersion(type: ObjectType) throws {
    let (id, version) = try object(type)
    let before = try database.getText(id)
    #expect(throws: OptimistError.versionMismatch(id: id, expected: version + 1, actual: version)) {
      try database.store.write { tx in
        try tx.conditionalDelete(
          stored(tx, id, type), expectedVersion: version + 1, deletedAt: Timestamp.now())
      }
    }
    #expect(try database.getText(id) == before)
    #expect(try historyRows() == 0)
    // A row the transaction read locked and then changed itself (nothing else can) is not
    // deleted on the strength of that read: the command is refused as temporary (retry).
    // (NOT_FOUND for an object that is gone is decided by the locked read: `stored`.)
    let error = #expect(throws: OptimistError.self) {
      try database.store.write { tx in
        let current = try stored(tx, id, type)
        try tx.run("DELETE FROM \(raw: type.table) WHERE id = \(id)")
        try tx.conditionalDelete(current, expectedVersion: version, deletedAt: Timestamp.now())
      }
    }
    #expect(error?.exitStatus == .temporary)
    #expect(try database.getText(id) == before, "the refused transaction rolled back")
  }

  /// A version read before the row moved on is not recorded as the one replaced: the
  /// transaction is refused (retry) and changes nothing.
  @Test func aReplacedVersionOtherThanTheExpectedOneIsRefused() throws {
    let (id, version) = try customer()
    let before = try database.getText(id)
    let error = #expect(throws: OptimistError.self) {
      try database.store.write { tx in
        let current = try stored(tx, id, .customer)
        try tx.run("UPDATE customers SET version = \(version + 1) WHERE id = \(id)")
        var changed = current
        changed.version = version + 2
        try tx.conditionalUpdate(changed, replacing: current, expectedVersion: version + 1)
      }
    }
    #expect(error?.exitStatus == .temporary)
    #expect(error?.code == "TEMPORARY_ERROR")
    #expect(try database.getText(id) == before)
    #expect(try historyRows() == 0)
  }

  /// Payments change only with the version token the transaction read: a stale token is
  /// VERSION_MISMATCH and a missing payment NOT_FOUND at the locked read; a row that no
  /// longer has the token when written is not written (temporary), whatever ran first.
  @Test func paymentsAreWrittenOnlyWithTheExpectedToken() throws {
    let created = try database.createPayment(key: "k1")
    let id = try #require(created["id"] as? String)
    let before = try database.getText(id)
    #expect(throws: OptimistError.staleVersionToken(id: id, given: "OTHER")) {
      try database.store.write { tx in _ = try tx.payment(id: id, versionToken: "OTHER") }
    }
    #expect(throws: OptimistError.notFound(id: "MISSING", field: "payment_id")) {
      try database.store.write { tx in _ = try tx.payment(id: "MISSING", versionToken: nil) }
    }
    for change in ["DELETE FROM payments", "UPDATE payments SET version_token = 'NEW'"] {
      let error = #expect(throws: OptimistError.self, "\(change)") {
        try database.store.write { tx in
          var payment = try tx.payment(id: id, versionToken: nil)
          try tx.run("\(raw: change) WHERE id = \(id)")
          payment.tip = 5
          try tx.conditionalUpdate(payment, expectedToken: payment.versionToken)
        }
      }
      #expect(error?.exitStatus == .temporary, "\(change)")
      #expect(try database.getText(id) == before)
    }
  }
}
