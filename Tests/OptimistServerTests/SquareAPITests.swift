import Foundation
import OptimistCore
import Testing

@testable import OptimistServer

/// The API in process, on a fresh SQLite store: the mapping from Square's requests to the
/// operations and back (the SDK suite runs the same over HTTP on both engines).
@Suite struct SquareAPITests {
  let folder: String
  let api: SquareAPI

  init() throws {
    _ = registerSQLite
    folder =
      FileManager.default.temporaryDirectory.appendingPathComponent(
        "optimist-api-\(UUID().uuidString)"
      ).path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    api = SquareAPI(
      token: try BearerToken("t"), location: folder + "/optimist.db", timeout: 5, workers: 2)
  }

  func send(_ method: String, _ target: String, _ body: String = "") async -> (Int, JSONValue?) {
    let response = await api.respond(
      to: APIRequest(method: method, target: target, body: Array(body.utf8)))
    return (response.status, try? JSONValue.parse(response.body))
  }

  @Test func aCustomersLifeWithVersions() async throws {
    let (created, document) = await send(
      "POST", "/v2/customers", #"{"given_name":"Ada","note":"n"}"#)
    #expect(created == 200)
    let id = try #require(document?["customer"]?["id"]?.string)
    let (updated, after) = await send(
      "PUT", "/v2/customers/\(id)", #"{"version":0,"note":null,"family_name":"L"}"#)
    #expect(updated == 200)
    #expect(after?["customer"]?["version"]?.int64 == 1)
    #expect(after?["customer"]?["note"] == nil)
    #expect(after?["customer"]?["given_name"]?.string == "Ada")
    let (stale, error) = await send("PUT", "/v2/customers/\(id)", #"{"version":0,"note":"x"}"#)
    #expect(stale == 400)
    #expect(error?["errors"]?.elements?.first?["code"]?.string == "VERSION_MISMATCH")
    #expect(await send("DELETE", "/v2/customers/\(id)?version=0").0 == 400)
    let (deleted, empty) = await send("DELETE", "/v2/customers/\(id)?version=1")
    #expect(deleted == 200 && empty == .object([]))
    #expect(await send("GET", "/v2/customers/\(id)").0 == 404)
  }

  /// A version below 0, in a body's JSON or a query, is refused as the CLI refuses it, and
  /// changes nothing.
  @Test func aNegativeVersionIsInvalid() async throws {
    let (_, document) = await send("POST", "/v2/customers", #"{"given_name":"Ada"}"#)
    let id = try #require(document?["customer"]?["id"]?.string)
    for (method, target, body) in [
      ("PUT", "/v2/customers/\(id)", #"{"version":-1,"note":"x"}"#),
      ("DELETE", "/v2/customers/\(id)?version=-1", ""),
    ] {
      let (status, refusal) = await send(method, target, body)
      let error = refusal?["errors"]?.elements?.first
      #expect(status == 400, "\(method)")
      #expect(error?["code"]?.string == "INVALID_VALUE", "\(method)")
      #expect(error?["field"]?.string == "version", "\(method)")
      #expect(error?["detail"]?.string?.contains("`-1`") == true, "\(method)")
    }
    let (_, after) = await send("GET", "/v2/customers/\(id)")
    #expect(after?["customer"]?["version"]?.int64 == 0)
    #expect(after?["customer"]?["note"] == nil)
  }

  @Test func aNestedRefusalNamesTheFieldsPath() async {
    let (_, document) = await send(
      "POST", "/v2/catalog/object",
      ##"{"idempotency_key":"k","object":{"type":"ITEM","id":"#t","item_data":{"name":"T","variations":[]}}}"##
    )
    #expect(document?["errors"]?.elements?.first?["field"]?.string == "object.item_data.variations")
  }

  @Test func anUpsertWithATemporaryIDIsMapped() async throws {
    let (status, document) = await send(
      "POST", "/v2/catalog/object",
      ##"{"idempotency_key":"k","object":{"type":"ITEM","id":"#new","item_data":{"name":"Tea","available_for_pickup":false}}}"##
    )
    #expect(status == 200)
    let id = try #require(document?["catalog_object"]?["id"]?.string)
    #expect(
      document?["id_mappings"]
        == .array([
          .object([.init("client_object_id", .string("#new")), .init("object_id", .string(id))])
        ]))
    #expect(document?["catalog_object"]?["item_data"]?["available_for_pickup"] == .bool(false))
    // An item is not a customer.
    #expect(await send("GET", "/v2/customers/\(id)").0 == 404)
    #expect(await send("GET", "/v2/catalog/object/\(id)").1?["object"]?["id"]?.string == id)
  }

  @Test(arguments: [
    ("POST", "/v2/customers", #"{"given_name":7}"#, "EXPECTED_STRING"),
    ("POST", "/v2/customers", #"{"address":{}}"#, "UNKNOWN_BODY_PARAMETER"),
    ("PUT", "/v2/customers/X", #"{"version":"1","note":"a"}"#, "EXPECTED_INTEGER"),
    ("PUT", "/v2/customers/X", #"{}"#, "MISSING_REQUIRED_PARAMETER"),
    (
      "POST", "/v2/payments", #"{"source_id":"s","amount_money":{"amount":1,"currency":"USD"}}"#,
      "MISSING_REQUIRED_PARAMETER"
    ),
    (
      "POST", "/v2/payments",
      #"{"idempotency_key":"k","source_id":"s","amount_money":{"amount":1.0,"currency":"USD"}}"#,
      "EXPECTED_INTEGER"
    ),
    (
      "POST", "/v2/catalog/object", ##"{"idempotency_key":"k","object":{"type":"TAX","id":"#t"}}"##,
      "INVALID_VALUE"
    ),
    (
      "POST", "/v2/catalog/object",
      ##"{"idempotency_key":"k","object":{"type":"ITEM","id":"#t","item_data":{"name":"T","variations":[]}}}"##,
      "UNKNOWN_BODY_PARAMETER"
    ),
    (
      "POST", "/v2/catalog/batch-upsert", #"{"idempotency_key":"k","batches":[{"objects":[]}]}"#,
      "INVALID_VALUE"
    ),
    ("POST", "/v2/catalog/batch-retrieve", #"{"object_ids":[1]}"#, "EXPECTED_STRING"),
    (
      "PUT", "/v2/payments/P",
      #"{"idempotency_key":"k","payment":{"amount_money":{"amount":1,"currency":"USD"},"tip_money":{"amount":1,"currency":"EUR"}}}"#,
      "INVALID_VALUE"
    ),
    ("GET", "/v2/payments?sort_order=DESC", "", "INVALID_VALUE"),
    ("GET", "/v2/refunds?limit=abc", "", "INVALID_VALUE"),
    ("POST", "/v2/refunds", "[", "EXPECTED_JSON_BODY"),
  ])
  func aRefusedRequestIs400WithItsCodeAndChangesNothing(
    _ method: String, _ target: String, _ body: String, _ code: String
  ) async {
    let (status, document) = await send(method, target, body)
    #expect(status == 400, "\(String(describing: document))")
    #expect(
      document?["errors"]?.elements?.first?["code"]?.string == code,
      "\(String(describing: document))")
    #expect(!FileManager.default.fileExists(atPath: folder + "/optimist.db"))
  }
}
