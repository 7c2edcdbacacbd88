import Testing

@testable import OptimistCore

/// The one check every engine makes of the schema version it finds.
@Suite struct SchemaVersionTests {
  @Test(arguments: [0, 3, 4])
  func aVersionThisOptimistKnowsIsAccepted(_ version: Int) throws {
    try Migration.refuseNewer(version, than: 4)
  }

  @Test func aNewerVersionIsAStorageErrorNamingBoth() {
    let error = #expect(throws: OptimistError.self) { try Migration.refuseNewer(5, than: 4) }
    #expect(error?.exitStatus == .storageError)
    #expect(error?.code == "INTERNAL_SERVER_ERROR")
    #expect(error?.detail.contains("5") == true)
    #expect(error?.detail.contains("(4)") == true)
  }
}
