import Testing

@testable import OptimistCore
@testable import OptimistSQLite

/// What a SQLite error becomes for the user: busy is TEMPORARY_ERROR (exit 75), anything
/// else a storage error (exit 1) that keeps SQLite's message.
@Suite struct SQLiteErrorTests {
  @Test func sqliteErrorsMapToTheirExitCodes() {
    let busy = SQLiteError(
      code: ResultCode.busy, message: "database is locked", sql: "BEGIN IMMEDIATE")
    #expect(OptimistError(busy, timeout: 2.5) == .busy(timeout: 2.5))
    let locked = SQLiteError(code: ResultCode.lockedSharedCache, message: "locked")
    #expect(OptimistError(locked, timeout: 1).exitStatus == .temporary)

    let damaged = OptimistError(
      SQLiteError(code: ResultCode.notADatabase, message: "file is not a database"), timeout: 1)
    #expect(damaged.exitStatus == .storageError)
    #expect(damaged.code == "INTERNAL_SERVER_ERROR")
    #expect(damaged.detail.contains("file is not a database"))
  }
}
