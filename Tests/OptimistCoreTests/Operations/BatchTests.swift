import Testing

@testable import OptimistCore

/// `batch` in process: what is refused before the store is touched, and all or nothing.
@Suite struct BatchTests {
  let database = TestDatabase()

  /// A batch as `batch` reads it from stdin.
  func request(_ json: String, key: String? = nil) throws(OptimistError) -> BatchRequest {
    try EdgeRequest.batch(json, key: key)
  }

  @Test func operationsAreParsedIntoTypedOnes() throws {
    let batch = try request(
      ##"[{"op":"create-item","id":"#t","name":"Tea","available_for_pickup":false},"##
        + ##"{"op":"update","id":"#t","set":{"description":"Green"},"unset":["available_for_pickup"]},"##
        + ##"{"op":"delete","id":"ABC","version":3}]"##)
    #expect(
      batch.operations == [
        .create(
          type: .item, temporaryID: "#t",
          values: ["name": .text("Tea"), "available_for_pickup": .boolean(false)]),
        .update(
          id: .temporary("#t"), version: nil,
          changes: [
            FieldChange(CatalogItem.fields[1], .text("Green")),
            FieldChange(CatalogItem.fields[2], nil),
          ]),
        .delete(id: .stored("ABC"), version: 3),
      ])
  }

  /// The same batch with other white space and key order is the same request: its key
  /// replays the first answer byte for byte; another batch with the key is refused.
  @Test func theKeyIgnoresWhiteSpaceAndKeyOrder() throws {
    let a = try request(##"[{"op":"create-customer","given_name":"Ada","note":"n"}]"##, key: "k")
    let b = try request(
      " [ {\"note\" : \"n\", \"op\":\"create-customer\",\n \"given_name\":\"Ada\"} ] ", key: "k")
    let c = try request(##"[{"op":"create-customer","given_name":"Ada","note":"m"}]"##, key: "k")
    #expect(a == b)
    #expect(a != c)
    let first = try database.store.batch(a)
    #expect(first.value != nil)
    let again = try database.store.batch(b)
    #expect(again.value == nil, "a replay")
    #expect(again.printed == first.printed)
    #expect(try database.counts() == Counts(customers: 1, items: 0, payments: 0, keys: 1))
    let reused = #expect(throws: OptimistError.self) { try database.store.batch(c) }
    #expect(reused == .idempotencyKeyReused(key: "k"))
    #expect(try database.counts() == Counts(customers: 1, items: 0, payments: 0, keys: 1))
  }

  /// (batch, index of the refused operation or nil for the whole batch, exit code)
  static let refusals: [(String, Int?, Int32)] = [
    ("", nil, 2), ("{}", nil, 2), ("[]", nil, 2), ("[1]", 0, 2),
    (##"[{"op":"create-item","name":"T"},{"op":"update","id":"#t","set":{"name":"U"}}]"##, 1, 2),
    (
      ##"[{"op":"create-customer","id":"#c","given_name":"A"},{"op":"update","id":"#c","version":1,"set":{"note":"x"}}]"##,
      1, 3
    ),
    (
      ##"[{"op":"create-customer","id":"#c","given_name":"A"},{"op":"update","id":"#c","version":0,"set":{"note":"x"}},{"op":"delete","id":"#c","version":1},{"op":"delete","id":"#c"}]"##,
      3, 4
    ),
    (
      ##"[{"op":"create-customer","id":"#c","given_name":"A"},{"op":"update","id":"#c","unset":["given_name"]}]"##,
      1, 2
    ),
    (
      ##"[{"op":"create-customer","id":"#c","given_name":"A"},{"op":"update","id":"#c","set":{"name":"x"}}]"##,
      1, 2
    ),
    (##"[{"op":"create-item","id":"#i","name":"A"},{"op":"delete","id":"#i","version":1}]"##, 1, 2),
    (##"[{"op":"update","id":"X","set":{"note":"a"},"unset":["note"]}]"##, 0, 2),
    (##"[{"op":"update","id":"X","set":[]}]"##, 0, 2),
    (##"[{"op":"update","id":"X","unset":"note"}]"##, 0, 2),
    (##"[{"op":"update","id":"X","unset":[1]}]"##, 0, 2),
    (##"[{"op":"delete","id":"X","version":-1}]"##, 0, 2),
    (##"[{"op":"delete","id":"X","version":1.5}]"##, 0, 2),
    (##"[{"op":"delete","id":5}]"##, 0, 2),
    (##"[{"op":"create-item","id":"#","name":"T"}]"##, 0, 2),
    (##"[{"op":5}]"##, 0, 2),
  ]

  @Test(arguments: refusals)
  func refusedBeforeTheStore(_ json: String, _ index: Int?, _ exit: Int32) {
    let error = #expect(throws: OptimistError.self) { try request(json) }
    #expect(error?.exitStatus.code == exit, "\(String(describing: error))")
    if let index {
      #expect(
        error?.field?.hasPrefix("operations[\(index)]") == true, "\(String(describing: error))")
      #expect(error?.detail.hasPrefix("operation \(index): ") == true)
    } else {
      #expect(error?.field == nil)
    }
  }

  @Test func aThousandOperationsAreAcceptedAndNoMore() throws {
    let one = ##"{"op":"delete","id":"X"}"##
    #expect(
      try request("[" + Array(repeating: one, count: 1000).joined(separator: ",") + "]").operations
        .count == 1000)
    #expect(throws: OptimistError.self) {
      try request("[" + Array(repeating: one, count: 1001).joined(separator: ",") + "]")
    }
  }

  @Test func aRefusalAfterCreatesKeepsNothing() throws {
    let customer = try #require(
      try database.createCustomer([("given_name", "Ada")])["id"] as? String)
    let before = try database.counts()
    let error = #expect(throws: OptimistError.self) {
      try database.store.batch(
        request(
          ##"[{"op":"create-item","id":"#t","name":"Tea"},{"op":"update","id":"#t","set":{"description":"d"}},"##
            + ##"{"op":"update","id":"\##(customer)","version":7,"set":{"note":"x"}}]"##))
    }
    #expect(
      error
        == .batchOperation(index: 2, error: .versionMismatch(id: customer, expected: 7, actual: 0)))
    #expect(try database.counts() == before)
    #expect(try database.get(customer)["note"] == nil)
  }

  @Test func answersAreInOperationOrderAndTemporaryIdsAreMapped() throws {
    let customer = try #require(
      try database.createCustomer([("given_name", "Ada")])["id"] as? String)
    let output = try database.store.batch(
      request(
        ##"[{"op":"create-item","id":"#t","name":"Tea"},{"op":"update","id":"\##(customer)","set":{"note":"x"}},"##
          + ##"{"op":"delete","id":"#t"}]"##)
    ).printed
    let document = try TestJSON.success(output)
    let objects = try #require(document["objects"] as? [[String: Any]])
    let mappings = try #require(document["id_mappings"] as? [[String: Any]])
    let tea = try #require(mappings.first?["object_id"] as? String)
    #expect(objects.count == 3)
    #expect(objects[0]["id"] as? String == tea)
    #expect(objects[1]["note"] as? String == "x")
    #expect(objects[2]["deleted_object_ids"] as? [String] == [tea])
    #expect(throws: OptimistError.notFound(id: tea, field: "id")) {
      try database.store.get(id: tea)
    }
  }
}
