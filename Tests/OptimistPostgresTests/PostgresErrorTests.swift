import OptimistCore
import Testing

@testable import OptimistPostgres

/// Which SQLSTATE becomes which of optimist's errors (the codes stay in OptimistError).
@Suite struct PostgresErrorTests {
  @Test(arguments: [
    ("55P03", Int32(75)), ("40001", 75), ("40P01", 75), ("57P01", 75), ("57P03", 75),
    ("08006", 75), ("53300", 75), ("25006", 75), ("23505", 1), ("42P01", 1), ("3F000", 1),
  ])
  func sqlstateChoosesTheExitCode(_ sqlstate: String, _ exit: Int32) {
    let error = PostgresError(sqlstate: sqlstate, message: "m").optimistError(timeout: 2)
    #expect(error.exitStatus.code == exit)
    #expect(error.code == (exit == 75 ? "TEMPORARY_ERROR" : "INTERNAL_SERVER_ERROR"))
  }

  @Test func aLockTimeoutSaysHowLongItWaited() {
    let error = PostgresError(sqlstate: "55P03", message: "m").optimistError(timeout: 2.5)
    #expect(error == .busy(timeout: 2.5))
  }

  @Test(arguments: [
    (PostgresError.ConnectFailure.unreachable, Int32(75)), (.refused, 1), (.invalidParameters, 1),
    (.notTheKindAsked(reached: "db2:5432, a standby"), 75),
  ])
  func aFailedConnectionChoosesTheExitCode(_ failure: PostgresError.ConnectFailure, _ exit: Int32) {
    let error = PostgresError(sqlstate: nil, message: "m", connectFailure: failure)
    #expect(error.optimistError(timeout: 1).exitStatus.code == exit)
  }
}
