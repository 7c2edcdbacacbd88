import Foundation
import Testing

@testable import OptimistCore

@Suite struct OptimistErrorTests {
  /// Every case with the exit code, Square code and category the spec documents.
  static let table: [(OptimistError, Int32, String, String)] = [
    (.invalidValue(field: "limit", detail: "bad"), 2, "INVALID_VALUE", "INVALID_REQUEST_ERROR"),
    (.invalidValue(field: nil, detail: "bad"), 2, "INVALID_VALUE", "INVALID_REQUEST_ERROR"),
    (
      .missingRequiredParameter(field: "name", detail: "needed"), 2, "MISSING_REQUIRED_PARAMETER",
      "INVALID_REQUEST_ERROR"
    ),
    (
      .missingRequiredParameter(field: nil, detail: "needed"), 2, "MISSING_REQUIRED_PARAMETER",
      "INVALID_REQUEST_ERROR"
    ),
    (.valueTooLong(field: "note", maximum: 500), 2, "VALUE_TOO_LONG", "INVALID_REQUEST_ERROR"),
    (
      .expectedBoolean(field: "available_for_pickup", value: "yes"), 2, "EXPECTED_BOOLEAN",
      "INVALID_REQUEST_ERROR"
    ),
    (.unsupportedCurrency("XYZ"), 2, "UNSUPPORTED_CURRENCY", "INVALID_REQUEST_ERROR"),
    (
      .versionMismatch(id: "ID", expected: 1, actual: 2), 3, "VERSION_MISMATCH",
      "INVALID_REQUEST_ERROR"
    ),
    (.notFound(id: "ID", field: "id"), 4, "NOT_FOUND", "INVALID_REQUEST_ERROR"),
    (.notFound(id: "ID", field: "customer_id"), 4, "NOT_FOUND", "INVALID_REQUEST_ERROR"),
    (.idempotencyKeyReused(key: "k"), 5, "IDEMPOTENCY_KEY_REUSED", "INVALID_REQUEST_ERROR"),
    (.cardDeclined, 6, "CARD_DECLINED", "PAYMENT_METHOD_ERROR"),
    (
      .staleVersionToken(id: "ID", given: "T"), 3, "VERSION_MISMATCH", "INVALID_REQUEST_ERROR"
    ),
    (
      .stateRefused(.delayedTransactionCaptured, detail: "done"), 7, "DELAYED_TRANSACTION_CAPTURED",
      "INVALID_REQUEST_ERROR"
    ),
    (
      .stateRefused(.delayedTransactionCanceled, detail: "gone"), 7, "DELAYED_TRANSACTION_CANCELED",
      "INVALID_REQUEST_ERROR"
    ),
    (
      .stateRefused(.delayedTransactionFailed, detail: "declined"), 7, "DELAYED_TRANSACTION_FAILED",
      "INVALID_REQUEST_ERROR"
    ),
    (
      .stateRefused(.paymentNotRefundable, detail: "no"), 7, "PAYMENT_NOT_REFUNDABLE",
      "INVALID_REQUEST_ERROR"
    ),
    (
      .stateRefused(.refundNeedsCompletion, detail: "cancel"), 7,
      "REFUND_ERROR_PAYMENT_NEEDS_COMPLETION", "INVALID_REQUEST_ERROR"
    ),
    (
      .stateRefused(.refundAmountInvalid, detail: "too much"), 7, "REFUND_AMOUNT_INVALID",
      "INVALID_REQUEST_ERROR"
    ),
    (
      .versionNotFound(field: "at_version", detail: "Version 1 of `A` was pruned."), 4, "NOT_FOUND",
      "INVALID_REQUEST_ERROR"
    ),
    (.requestTimeout(id: "A", seconds: 5), 8, "REQUEST_TIMEOUT", "INVALID_REQUEST_ERROR"),
    (.busy(timeout: 10), 75, "TEMPORARY_ERROR", "API_ERROR"),
    (.storage("disk on fire"), 1, "INTERNAL_SERVER_ERROR", "API_ERROR"),
    (
      .editCommandFailed(command: "jq", status: "exited with status 5"), 9, "EDIT_COMMAND_FAILED",
      "INVALID_REQUEST_ERROR"
    ),
    (
      .batchOperation(index: 3, error: .versionMismatch(id: "ID", expected: 1, actual: 2)), 3,
      "VERSION_MISMATCH", "INVALID_REQUEST_ERROR"
    ),
    (.batchOperation(index: 0, error: .busy(timeout: 1)), 75, "TEMPORARY_ERROR", "API_ERROR"),
  ]

  @Test(arguments: table)
  func exitCodeCodeAndCategoryAreTheDocumentedOnes(
    error: OptimistError, exitCode: Int32, code: String, category: String
  ) {
    #expect(error.exitCode == exitCode)
    #expect(error.code == code)
    #expect(error.category == category)
    #expect(!error.detail.isEmpty)
  }

  @Test(arguments: table)
  func documentIsSquaresErrorShape(
    error: OptimistError, exitCode: Int32, code: String, category: String
  ) throws {
    let document = try TestJSON.object(error.document)
    #expect(document.count == 1)
    let errors = try #require(document["errors"] as? [[String: Any]])
    #expect(errors.count == 1)
    let entry = try #require(errors.first)
    #expect(entry["category"] as? String == category)
    #expect(entry["code"] as? String == code)
    #expect(entry["detail"] as? String == error.detail)
    #expect(entry["field"] as? String == error.field)
    let expectedKeys: Set<String> =
      error.field == nil
      ? ["category", "code", "detail"] : ["category", "code", "detail", "field"]
    #expect(Set(entry.keys) == expectedKeys)
    #expect(!error.document.contains("\n"))
    // Output(error:) puts the document on stderr and nothing on stdout.
    let output = Output(error: error)
    #expect(output.stdout == "")
    #expect(output.stderr == error.document + "\n")
    #expect(output.exitCode == exitCode)
  }

  @Test func everyDocumentedExitCodeIsCovered() {
    #expect(Set(Self.table.map(\.1)) == [1, 2, 3, 4, 5, 6, 7, 8, 9, 75])
  }

  @Test func fieldsNameTheRequestField() {
    #expect(OptimistError.versionMismatch(id: "A", expected: 1, actual: 2).field == "version")
    #expect(OptimistError.idempotencyKeyReused(key: "k").field == "idempotency_key")
    #expect(OptimistError.notFound(id: "A", field: "customer_id").field == "customer_id")
    #expect(OptimistError.valueTooLong(field: "note", maximum: 1).field == "note")
    #expect(
      OptimistError.expectedBoolean(field: "autocomplete", value: "x").field == "autocomplete")
    #expect(OptimistError.invalidValue(field: nil, detail: "d").field == nil)
    #expect(OptimistError.storage("s").field == nil)
    #expect(OptimistError.busy(timeout: 1).field == nil)
    #expect(OptimistError.versionNotFound(field: "at_version", detail: "d").field == "at_version")
    #expect(OptimistError.requestTimeout(id: "A", seconds: 1).field == nil)
    #expect(OptimistError.editCommandFailed(command: "jq", status: "s").field == "command")
    let stale = OptimistError.versionMismatch(id: "A", expected: 1, actual: 2)
    #expect(OptimistError.batchOperation(index: 3, error: stale).field == "operations[3].version")
    #expect(OptimistError.batchOperation(index: 0, error: .storage("s")).field == "operations[0]")
  }

  @Test func aBatchOperationsErrorNamesItsIndexAndKeepsItsDetail() {
    let inner = OptimistError.notFound(id: "OBJ", field: "id")
    let error = OptimistError.batchOperation(index: 7, error: inner)
    #expect(error.detail.hasPrefix("operation 7: "))
    #expect(error.detail.contains(inner.detail))
    #expect(error.exitCode == 4)
  }

  @Test func editsFailureNamesTheCommandAndHowItEnded() {
    let detail = OptimistError.editCommandFailed(command: "jq", status: "was killed by signal 9 (Killed)").detail
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

  /// SQLite's errors: OptimistSQLiteTests' SQLiteErrorTests.
  @Test func otherErrorsMapToTheirExitCodes() {
    struct Other: Error {}
    #expect(OptimistError(Other(), timeout: 1).exitCode == 1)

    let own = OptimistError.notFound(id: "X", field: "id")
    #expect(OptimistError(own, timeout: 1) == own)
  }
}
