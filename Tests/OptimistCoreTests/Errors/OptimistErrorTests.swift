import Foundation
import Testing

@testable import OptimistCore

/// What an error says about itself. Which exit status, Square code and HTTP status a real
/// failure gets, and that they agree, is checked where failures are provoked: the CLI's
/// `ExitStatusTests` (every spawned refusal, through `CLIResult.expectError`) and the
/// server's `StatusAgreementTests`.
@Suite struct OptimistErrorTests {
  @Test func aBatchOperationsErrorNamesTheOperationsField() {
    let stale = OptimistError.versionMismatch(id: "A", expected: 1, actual: 2)
    #expect(OptimistError.batchOperation(index: 3, error: stale).field == "operations[3].version")
    #expect(OptimistError.batchOperation(index: 0, error: .storage("s")).field == "operations[0]")
  }

  @Test func aBatchOperationsErrorNamesItsIndexAndKeepsItsDetail() {
    let inner = OptimistError.notFound(id: "OBJ", field: "id")
    let error = OptimistError.batchOperation(index: 7, error: inner)
    #expect(error.detail.hasPrefix("operation 7: "))
    #expect(error.detail.contains(inner.detail))
    #expect(error.exitStatus == inner.exitStatus)
    #expect(error.code == inner.code && error.category == inner.category)
  }

  @Test func editsFailureNamesTheCommandAndHowItEnded() {
    let detail = OptimistError.editCommandFailed(
      command: "jq", status: "was killed by signal 9 (Killed)"
    ).detail
    #expect(detail.contains("`jq`") && detail.contains("signal 9"))
  }

  @Test func detailsNameTheirValues() {
    #expect(OptimistError.valueTooLong(field: "note", maximum: 500).detail.contains("500"))
    #expect(OptimistError.valueTooLong(field: "note", maximum: 500).detail.contains("note"))
    let mismatch = OptimistError.versionMismatch(id: "OBJ", expected: 7, actual: 9).detail
    #expect(mismatch.contains("OBJ") && mismatch.contains("7") && mismatch.contains("9"))
    #expect(OptimistError.notFound(id: "OBJ", field: "id").detail.contains("OBJ"))
    #expect(OptimistError.idempotencyKeyReused(key: "my-key").detail.contains("my-key"))
    #expect(OptimistError.unsupportedCurrency("XYZ").detail.contains("XYZ"))
    #expect(OptimistError.expectedBoolean(field: "f", value: "maybe").detail.contains("maybe"))
    let timeout = OptimistError.requestTimeout(id: "OBJ", seconds: 2.5).detail
    #expect(timeout.contains("OBJ") && timeout.contains("2.5"))
  }

  /// User text in a detail (quotes, newlines, control characters) keeps the document valid.
  @Test(arguments: ["a \"quoted\" value", "back\\slash", "new\nline", "\u{1}\u{7F}", "é 👍"])
  func documentEscapesUserText(value: String) throws {
    for error in [
      OptimistError.invalidValue(field: value, detail: "Bad `\(value)`."),
      .notFound(id: value, field: "id"), .idempotencyKeyReused(key: value),
      .expectedBoolean(field: "f", value: value), .storage(value),
    ] {
      let entry = try TestJSON.error(error.document)
      #expect(entry["detail"] as? String == error.detail)
      #expect(entry["field"] as? String == error.field)
    }
  }

  /// (SQLite's errors are mapped in OptimistSQLiteTests/SQLiteErrorTests.)
  @Test func otherErrorsMapToTheirExitStatuses() {
    struct Other: Error {}
    #expect(OptimistError(Other(), timeout: 1).exitStatus == .storageError)

    let own = OptimistError.notFound(id: "X", field: "id")
    #expect(OptimistError(own, timeout: 1) == own)
  }
}
