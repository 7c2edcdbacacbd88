import Foundation
import Testing

@testable import OptimistCore
@testable import OptimistSQLite

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The tests open SQLite stores by path (`runCommand`) as `optimist` does: the engine is
/// registered once, as the executables' main.swift registers it, before any test makes a folder.
private let registerSQLite: Void = { Engines.sqlite = SQLiteStore.open }()

/// What `doctor` reports as the program in these tests (the executables build theirs from
/// the compiled-in version and the linked SQLite).
let testBuild = BuildInfo(
  version: "0.1.0+1.gabcdef0", commit: "abcdef0123456789abcdef0123456789abcdef01",
  sqliteVersion: Connection.libraryVersion)

/// A fresh folder for one test, removed with everything in it when released.
final class TemporaryDirectory {
  let path: String

  init() {
    _ = registerSQLite
    let base = FileManager.default.temporaryDirectory.path
    var template = Array("\(base)/optimist-core-tests.XXXXXX".utf8CString)
    path = template.withUnsafeMutableBufferPointer { buffer in
      guard let made = mkdtemp(buffer.baseAddress!) else {
        fatalError("mkdtemp failed: \(String(cString: strerror(errno)))")
      }
      return String(cString: made)
    }
  }

  deinit { try? FileManager.default.removeItem(atPath: path) }

  /// The path of `name` inside the folder.
  func file(_ name: String) -> String { path + "/" + name }

  /// The names of the folder's entries, sorted.
  func entries() -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
  }
}

/// A store on a database file of its own, in a folder of its own.
final class TestDatabase {
  let directory = TemporaryDirectory()
  let path: String
  let store: SQLiteStore

  init(timeout: Double = 10) {
    path = directory.file("optimist.db")
    store = SQLiteStore(path: path, timeout: timeout)
  }

  /// Creates a customer and returns its JSON.
  @discardableResult
  func createCustomer(_ fields: [(String, String)], key: String? = nil) throws -> [String: Any] {
    let request = try CreateRequest(
      type: .customer, values: FieldValues(.customer, given: fields.map { ($0.0, $0.1) }),
      key: IdempotencyKey(key))
    return try TestJSON.success(store.create(request).printed)
  }

  /// Creates an item and returns its JSON.
  @discardableResult
  func createItem(_ fields: [(String, String)], key: String? = nil) throws -> [String: Any] {
    let request = try CreateRequest(
      type: .item, values: FieldValues(.item, given: fields.map { ($0.0, $0.1) }),
      key: IdempotencyKey(key))
    return try TestJSON.success(store.create(request).printed)
  }

  /// Creates an approved payment and returns its JSON.
  @discardableResult
  func createPayment(key: String, amount: String = "100", customerID: String? = nil) throws
    -> [String: Any]
  {
    let request = try PaymentRequest(
      key: IdempotencyKey(key),
      amount: Money(amount: PaymentRequest.amount(amount), currency: Currency("USD")),
      sourceID: "cnon:card-nonce-ok", customerID: customerID)
    return try TestJSON.success(store.createPayment(request).printed)
  }

  /// `get ID` as printed.
  func getText(_ id: String) throws -> String { StoredAnswer(try store.get(id: id)).stdout }

  /// `get ID` parsed.
  func get(_ id: String) throws -> [String: Any] {
    try TestJSON.success(StoredAnswer(store.get(id: id)))
  }

  /// `update ID` parsed.
  @discardableResult
  func update(_ id: String, version: Int64? = nil, set: [String] = [], unset: [String] = [])
    throws -> [String: Any]
  {
    let request = try UpdateRequest(
      id: id, version: version, changes: changes(set: set, unset: unset))
    return try TestJSON.success(store.update(request).printed)
  }

  /// How many rows each table holds, as `doctor` reports them.
  func counts() throws -> Counts {
    let doctor = try TestJSON.object(store.doctor(testBuild).json)
    let objects = try #require(doctor["objects"] as? [String: Any])
    return Counts(
      customers: TestJSON.int(objects["customers"]) ?? -1,
      items: TestJSON.int(objects["items"]) ?? -1,
      payments: TestJSON.int(objects["payments"]) ?? -1,
      keys: TestJSON.int(doctor["idempotency_keys"]) ?? -1)
  }

  /// One integer read with a connection of its own, e.g. `PRAGMA user_version`.
  func scalar(_ sql: String) throws -> Int64? {
    try Connection(path: path, create: false).first(sql)?.integer(0)
  }
}

/// Row counts of a database.
struct Counts: Equatable, CustomStringConvertible {
  var customers: Int64
  var items: Int64
  var payments: Int64
  var keys: Int64

  var description: String {
    "customers \(customers), items \(items), payments \(payments), keys \(keys)"
  }
}

/// Reading the tool's JSON with Foundation, independently of the encoder under test.
enum TestJSON {
  /// Parses one JSON object.
  static func object(_ text: String) throws -> [String: Any] {
    let value = try JSONSerialization.jsonObject(with: Data(text.utf8))
    return try #require(value as? [String: Any], "not a JSON object: \(text)")
  }

  /// Parses any JSON value, fragments included.
  static func value(_ text: String) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
  }

  /// The JSON object of a successful output: exit 0, nothing on stderr, one line on stdout.
  static func success(_ output: StoredAnswer, sourceLocation: SourceLocation = #_sourceLocation)
    throws
    -> [String: Any]
  {
    #expect(output.status == .success, "stderr: \(output.stderr)", sourceLocation: sourceLocation)
    #expect(output.stderr == "", sourceLocation: sourceLocation)
    #expect(output.stdout.hasSuffix("}\n"), sourceLocation: sourceLocation)
    #expect(
      output.stdout.filter { $0 == "\n" }.count == 1, "one line: \(output.stdout)",
      sourceLocation: sourceLocation)
    return try object(output.stdout)
  }

  /// The single error of an error document.
  static func error(_ text: String) throws -> [String: Any] {
    let document = try object(text)
    let errors = try #require(document["errors"] as? [Any])
    #expect(errors.count == 1)
    return try #require(errors.first as? [String: Any])
  }

  static func int(_ value: Any?) -> Int64? { (value as? NSNumber)?.int64Value }

  static func string(_ value: Any?) -> String? { value as? String }
}

/// A deterministic generator for tables of pseudo-random inputs (SplitMix64).
struct SeededGenerator: RandomNumberGenerator {
  var state: UInt64

  init(seed: UInt64) { state = seed }

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// The bytes of a file, or nil when it cannot be read.
func fileBytes(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

/// A string of `count` copies of `unit`.
func text(_ count: Int, of unit: String = "a") -> String { String(repeating: unit, count: count) }
