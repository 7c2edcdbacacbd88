import Foundation
import Testing

@testable import OptimistCore

/// `history`, `get --at-version` and `prune-history` against one store, in process.
@Suite struct HistoryTests {
  let database = TestDatabase()
  static let id = "7WPM2YVQ4J5XGTNQ3SZ6ABCDEF"

  @Test(
    arguments: [
      ("0", nil), ("1001", nil), ("x", nil), ("-1", nil), ("", nil),
      (nil, "nope"), (nil, "\(HistoryTests.id)-0"), (nil, "\(HistoryTests.id)-01"),
      (nil, "\(HistoryTests.id)-x"), (nil, "\(HistoryTests.id)--1"),
      (nil, "OTHERID2345677WPM2YVQ4J5XG-3"),
      (nil, HistoryTests.id), (nil, ""),
    ] as [(String?, String?)])
  func badLimitsAndCursorsAreInvalidValue(limit: String?, cursor: String?) {
    let error = #expect(throws: OptimistError.self) {
      try EdgeRequest.history(Self.id, limit: limit, cursor: cursor)
    }
    #expect(error?.code == "INVALID_VALUE")
    #expect(error?.field == (limit != nil ? "limit" : "cursor"))
  }

  @Test func aCursorNamesTheObjectAndTheLastVersionPrinted() throws {
    let request = try EdgeRequest.history(Self.id, limit: "2", cursor: "\(Self.id)-17")
    #expect(request.below == 17)
    #expect(request.limit == 2)
  }

  /// A customer at version `count - 1`, each version's JSON as printed, oldest first.
  func customer(versions count: Int) throws -> (String, [String]) {
    let created = try database.store.create(EdgeRequest.create(.customer, [("given_name", "Ada")]))
      .printed
    let id = try #require(try TestJSON.object(created.stdout)["id"] as? String)
    var printed = [created.stdout]
    for n in 1..<count {
      printed.append(
        try database.store.update(EdgeRequest.update(id, set: ["note=\(n)"])).printed.stdout)
    }
    return (id, printed)
  }

  @Test func pagesGoNewestFirstWithEveryVersionOnce() throws {
    let (id, printed) = try customer(versions: 5)
    var seen: [String] = []
    var cursor: String?
    repeat {
      let page = StoredAnswer(
        try database.store.history(EdgeRequest.history(id, limit: "2", cursor: cursor))
      ).stdout
      let document = try TestJSON.object(page)
      let objects = try #require(document["objects"] as? [Any])
      #expect(objects.count == 2 || document["cursor"] == nil)
      for object in objects {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        seen.append(String(decoding: data, as: UTF8.self))
      }
      cursor = document["cursor"] as? String
    } while cursor != nil && seen.count < 10
    let expected = try printed.reversed().map {
      let data = try JSONSerialization.data(
        withJSONObject: TestJSON.object($0), options: [.sortedKeys])
      return String(decoding: data, as: UTF8.self)
    }
    #expect(seen == expected)
  }

  @Test func aCursorBeyondTheNewestVersionWasNeverPrinted() throws {
    let (id, _) = try customer(versions: 2)
    let error = #expect(throws: OptimistError.self) {
      try database.store.history(EdgeRequest.history(id, cursor: "\(id)-2"))
    }
    #expect(error?.field == "cursor")
  }

  @Test func getAtVersionPrintsEachVersionAsItWasPrinted() throws {
    let (id, printed) = try customer(versions: 3)
    for (version, text) in printed.enumerated() {
      let answer = try database.store.get(id: id, atVersion: Int64(version))
      #expect(StoredAnswer(answer).stdout == text)
    }
    let never = #expect(throws: OptimistError.self) {
      try database.store.get(id: id, atVersion: 3)
    }
    #expect(never?.exitStatus == .notFound)
    #expect(never?.detail.contains("never had version 3") == true)
  }

  /// `--at-version` is parsed at the edge, before the store is read.
  @Test(arguments: ["-1", "x", "", "1.0", "99999999999999999999"])
  func badAtVersionIsInvalidValue(_ raw: String) {
    let error = #expect(throws: OptimistError.self) {
      try Values.version(raw, field: "at_version")
    }
    #expect(error?.code == "INVALID_VALUE")
    #expect(error?.field == "at_version")
  }

  @Test func paymentsHaveNoHistory() throws {
    let payment = try #require(try database.createPayment(key: "k")["id"] as? String)
    let commands: [() throws -> any Answer] = [
      { try database.store.history(EdgeRequest.history(payment)) },
      { try database.store.get(id: payment, atVersion: 0) },
      { try database.store.wait(WaitRequest(id: payment, changedFrom: 0, timeout: 0)) },
    ]
    for command in commands {
      let error = #expect(throws: OptimistError.self) { try command() }
      #expect(error?.exitStatus == .invalidRequest)
      #expect(error?.field == "id")
    }
  }

  @Test func anUnknownIdIsNotFound() throws {
    _ = try customer(versions: 2)
    let commands: [() throws -> any Answer] = [
      { try database.store.history(EdgeRequest.history(Self.id)) },
      { try database.store.get(id: Self.id, atVersion: 0) },
      { try database.store.wait(WaitRequest(id: Self.id, changedFrom: 0, timeout: nil)) },
    ]
    for command in commands {
      let error = #expect(throws: OptimistError.self) { try command() }
      #expect(error == .notFound(id: Self.id, field: "id"))
    }
  }

  @Test(
    arguments: [
      ("0", nil), ("-1", nil), ("x", nil), ("", nil), (nil, "5y"), (nil, "1.5h"), (nil, "-1d"),
      (nil, nil),
    ] as [(String?, String?)])
  func badPruneRulesAreInvalidValueAndPruneNothing(keep: String?, olderThan: String?) throws {
    let (id, _) = try customer(versions: 3)
    let error = #expect(throws: OptimistError.self) {
      try database.store.pruneHistory(EdgeRequest.pruneHistory(keep: keep, olderThan: olderThan))
    }
    #expect(error?.exitStatus == .invalidRequest)
    #expect(StoredAnswer(try database.store.get(id: id, atVersion: 0)).status == .success)
  }
}
