import Foundation
import Testing

@testable import OptimistCore

/// optimist's exit status, not Swift Testing's `ExitStatus` (of exit tests), in every file
/// of this test target.
typealias ExitStatus = OptimistCore.ExitStatus

/// The exit-status table against what documents it (the README) and what stores it (an
/// idempotency key's answer keeps its exit code as an integer).
@Suite struct ExitStatusTests {
  /// One row of the README's "Exit codes" table.
  struct Row: Equatable, CustomStringConvertible {
    var code: Int32
    var meaning: String
    var squareCodes: Set<String>

    var description: String { "\(code) | \(meaning) | \(squareCodes.sorted())" }
  }

  /// README.md of this checkout, found from this file's path.
  static let readme = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("README.md")

  /// The rows of the table under `## Exit codes`: `| exit | meaning | Square code(s) |`, the
  /// codes being the backquoted words of the third cell outside its `(category …)` notes.
  static func readmeRows() throws -> [Row] {
    let text = try String(contentsOf: readme, encoding: .utf8)
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    let heading = try #require(lines.firstIndex(of: "## Exit codes"), "no `## Exit codes`")
    let table = lines[(heading + 1)...].drop { !$0.hasPrefix("|") }.prefix { $0.hasPrefix("|") }
    try #require(table.count > 2, "no table under `## Exit codes`")
    return try table.dropFirst(2).map { line in
      let cells = line.dropFirst().dropLast()
        .split(separator: "|", omittingEmptySubsequences: false)
        .map { $0.trimmingCharacters(in: .whitespaces) }
      try #require(cells.count == 3, "not three cells: \(line)")
      let code = try #require(Int32(cells[0]), "not an exit code: \(line)")
      let notes = cells[2].replacing(/\(category [^)]*\)/, with: "")
      let squareCodes = notes.matches(of: /`([A-Z_]+)`/).map { String($0.output.1) }
      return Row(code: code, meaning: cells[1], squareCodes: Set(squareCodes))
    }
  }

  /// Every status is a row of the README with its meaning and Square codes, and every row
  /// is a status: the README and the type say the same, in the same order.
  @Test func theREADMEsTableIsTheExitStatuses() throws {
    let rows = try Self.readmeRows()
    let statuses = ExitStatus.allCases.map {
      Row(code: $0.code, meaning: $0.meaning, squareCodes: Set($0.squareCodes))
    }
    for row in rows where !statuses.contains(row) {
      Issue.record("README row that is no ExitStatus: \(row)")
    }
    for status in statuses where !rows.contains(status) {
      Issue.record("ExitStatus missing from the README's table, or different there: \(status)")
    }
    #expect(rows.map(\.code) == statuses.map(\.code))
  }

  /// Every "exit N" the README's prose mentions is a status.
  @Test func theREADMEMentionsOnlyRealExitStatuses() throws {
    let text = try String(contentsOf: Self.readme, encoding: .utf8)
    let mentioned = text.matches(of: /\b[Ee]xits? (\d+)\b/).map { String($0.output.1) }
    #expect(mentioned.count > 10)
    for code in mentioned {
      #expect(Int32(code).flatMap(ExitStatus.init(code:)) != nil, "exit \(code)")
    }
  }

  /// The parser takes the Square codes, not the `(category …)` notes beside them.
  @Test func theREADMEParserReadsCodesOutsideCategoryNotes() throws {
    let rows = try Self.readmeRows()
    let storage = try #require(rows.first { $0.code == ExitStatus.storageError.code })
    #expect(storage.squareCodes == ["INTERNAL_SERVER_ERROR"])
    #expect(rows.first { $0.code == ExitStatus.success.code }?.squareCodes == [])
  }

  /// A Square code names one status: a script (or the server) that sees the code on stderr
  /// knows the exit status, and no two statuses share a number.
  @Test func aSquareCodeBelongsToOneStatus() {
    let codes = ExitStatus.allCases.flatMap(\.squareCodes)
    #expect(Set(codes).count == codes.count, "\(codes)")
    #expect(Set(ExitStatus.allCases.map(\.code)).count == ExitStatus.allCases.count)
    for status in ExitStatus.allCases {
      #expect(ExitStatus(code: status.code) == status)
      // Only success is 2xx; only a failure carries error codes on stderr.
      #expect((status.httpStatus == 200) == (status == .success), "\(status)")
    }
    #expect(ExitStatus(code: 10) == nil && ExitStatus(code: -1) == nil)
  }

  /// An answer stored with any status is replayed with that status: the integer column
  /// (`idempotency_keys.exit_code`) loses nothing; a number optimist never exits with is a
  /// storage error.
  @Test(arguments: ExitStatus.allCases.map { Optional($0) } + [nil])
  func aStoredAnswerKeepsItsStatus(_ status: ExitStatus?) throws {
    let database = TestDatabase()
    _ = try database.createCustomer([("given_name", "Ada")])
    let stored = status?.code ?? 42
    _ = try database.store.write { db in
      try db.run(
        "INSERT INTO idempotency_keys (command, key, request, object_id, stdout, stderr, "
          + "exit_code, created_at) VALUES ('create-payment', 'k', 'r', '', 'out', 'err', "
          + "\(Int64(stored)), 0)")
    }
    let replay = try database.store.read { db in
      try db.keyRow(.createPayment, IdempotencyKey("k")).answer
    }
    #expect(replay == Output(stdout: "out", stderr: "err", status: status ?? .storageError))
  }

  /// The real round trip: a declined payment's answer (exit 6, stdout and stderr) is stored
  /// with its key and replayed with the same status.
  @Test func aDeclinedPaymentIsReplayedWithItsStatus() throws {
    let database = TestDatabase()
    let request = try PaymentRequest(
      key: IdempotencyKey("d"), amount: Money(amount: 100, currency: Currency("USD")),
      sourceID: "cnon:card-nonce-declined")
    let first = try database.store.createPayment(request).printed
    let replay = try database.store.createPayment(request).printed
    #expect(first.status == .cardDeclined)
    #expect(replay == first)
    let column = try database.scalar("SELECT exit_code FROM idempotency_keys")
    #expect(column == Int64(first.status.code))
  }
}
