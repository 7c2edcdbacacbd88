import Foundation
import Testing

@testable import OptimistCore
@testable import OptimistSQLite

@Suite struct DatabasePathTests {
  private func environment(_ values: [String: String]) -> (String) -> String? {
    { values[$0] }
  }

  @Test func optionComesFirst() throws {
    let env = environment(["OPTIMIST_DB": "/env.db", "XDG_DATA_HOME": "/xdg", "HOME": "/home/u"])
    #expect(try DatabasePath.resolve(option: "/opt.db", environment: env) == "/opt.db")
    #expect(try DatabasePath.resolve(option: "rel/a.db", environment: env) == "rel/a.db")
  }

  @Test func thenOptimistDB() throws {
    let env = environment(["OPTIMIST_DB": "/env.db", "XDG_DATA_HOME": "/xdg", "HOME": "/home/u"])
    #expect(try DatabasePath.resolve(option: nil, environment: env) == "/env.db")
  }

  @Test func thenXDGDataHome() throws {
    let env = environment(["XDG_DATA_HOME": "/xdg", "HOME": "/home/u"])
    #expect(try DatabasePath.resolve(option: nil, environment: env) == "/xdg/optimist/optimist.db")
  }

  @Test func thenHome() throws {
    let env = environment(["HOME": "/home/u"])
    #expect(
      try DatabasePath.resolve(option: nil, environment: env)
        == "/home/u/.local/share/optimist/optimist.db")
  }

  @Test func emptyVariablesCountAsUnset() throws {
    let env = environment(["OPTIMIST_DB": "", "XDG_DATA_HOME": "", "HOME": "/home/u"])
    #expect(
      try DatabasePath.resolve(option: nil, environment: env)
        == "/home/u/.local/share/optimist/optimist.db")
  }

  @Test func noPathAtAllIsAStorageError() {
    let error = #expect(throws: OptimistError.self) {
      try DatabasePath.resolve(option: nil, environment: environment([:]))
    }
    #expect(error?.exitStatus == .storageError)
    let empty = #expect(throws: OptimistError.self) {
      try DatabasePath.resolve(option: "", environment: environment(["OPTIMIST_DB": "/env.db"]))
    }
    #expect(empty?.exitStatus == .storageError)
  }

  /// Missing folders are created private (0700) and a new database file is 0600.
  @Test func newFoldersAndFileArePrivate() throws {
    let directory = TemporaryDirectory()
    let path = directory.file("a/b/c/optimist.db")
    let store = SQLiteStore(path: path, timeout: 1)
    _ = try store.create(StoreRequests.create(.customer, [("given_name", "A")]))
    for folder in ["a", "a/b", "a/b/c"] {
      let attributes = try FileManager.default.attributesOfItem(atPath: directory.file(folder))
      #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o700, "\(folder)")
    }
    let file = try FileManager.default.attributesOfItem(atPath: path)
    #expect((file[.posixPermissions] as? NSNumber)?.intValue == 0o600)
  }

  /// Existing folders are left as they are.
  @Test func existingFoldersKeepTheirMode() throws {
    let directory = TemporaryDirectory()
    try FileManager.default.createDirectory(
      atPath: directory.file("shared"), withIntermediateDirectories: false,
      attributes: [.posixPermissions: 0o755])
    _ = try SQLiteStore(path: directory.file("shared/optimist.db"), timeout: 1).create(
      StoreRequests.create(.item, [("name", "Tea")]))
    let attributes = try FileManager.default.attributesOfItem(atPath: directory.file("shared"))
    #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o755)
  }
}
