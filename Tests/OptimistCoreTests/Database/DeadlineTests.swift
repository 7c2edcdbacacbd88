import Testing

@testable import OptimistCore

@Suite struct DeadlineTests {
  @Test func neverHasNoRemainingTimeAndNeverPasses() {
    let never = Deadline(after: nil)
    #expect(never.remaining == nil)
    #expect(!never.hasPassed)
  }

  @Test(arguments: [0, -5])
  func zeroOrLessHasPassedAlready(_ seconds: Double) {
    #expect(Deadline(after: seconds).hasPassed)
    #expect(Deadline(after: seconds).remaining == 0)
  }

  @Test func aDeadlineAheadHasAtMostItsTimeLeft() throws {
    let remaining = try #require(Deadline(after: 3600).remaining)
    #expect(remaining > 0 && remaining <= 3600 * 1_000_000_000)
    #expect(!Deadline(after: 3600).hasPassed)
  }
}
