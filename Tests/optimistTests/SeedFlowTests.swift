import Foundation
import Testing

/// The seed flow of the issue, with every step a real process.
@Suite struct SeedFlowTests {
  let sandbox: Sandbox

  init() throws {
    sandbox = try Sandbox()
  }

  @Test func staleWriterIsRefusedThenRetriesAndBothChangesSurvive() throws {
    let id = sandbox.create("create-item", "--name", "Coffee", "--available-for-pickup", "true")

    // Clients A and B both read the item.
    let readByA = sandbox.run("get", id)
    let readByB = sandbox.run("get", id)
    #expect(readByA.stdout == readByB.stdout)
    let seen = try #require(readByA.json?["version"] as? Int64)

    // A changes the description with the version it read.
    let afterA = sandbox.run(
      "update", id, "--version", String(seen), "--set", "description=Filter coffee")
    let newVersion = try #require(afterA.expectSuccess()["version"] as? Int64)
    #expect(newVersion > seen)
    let stateAfterA = try #require(sandbox.snapshot())

    // B writes with the version it read: refused, nothing changes.
    let stale = sandbox.run(
      "update", id, "--version", String(seen), "--set", "available_for_pickup=false")
    stale.expectError(3, "VERSION_MISMATCH", field: "version", category: "INVALID_REQUEST_ERROR")
    #expect(sandbox.snapshot() == stateAfterA)
    #expect(sandbox.run("get", id).stdout == afterA.stdout)

    // B reads again and retries with the new version.
    let reread = sandbox.get(id)
    let current = try #require(reread["version"] as? Int64)
    #expect(current == newVersion)
    let retried = sandbox.run(
      "update", id, "--version", String(current), "--set", "available_for_pickup=false"
    )
    .expectSuccess()
    #expect(try #require(retried["version"] as? Int64) > current)

    // The item carries both changes.
    let final = sandbox.get(id)
    let data = try #require(final["item_data"] as? [String: Any])
    #expect(data["name"] as? String == "Coffee")
    #expect(data["description"] as? String == "Filter coffee")
    #expect(data["available_for_pickup"] as? Bool == false)
    #expect(final["version"] as? Int64 == retried["version"] as? Int64)
  }

  @Test func staleDeleteIsRefusedForCustomers() throws {
    let id = sandbox.create("create-customer", "--given-name", "Ada")
    sandbox.run("update", id, "--version", "0", "--set", "note=first").expectSuccess()
    let before = try #require(sandbox.snapshot())

    sandbox.run("update", id, "--version", "0", "--set", "note=second").expectError(
      3, "VERSION_MISMATCH")
    sandbox.run("delete", id, "--version", "0").expectError(3, "VERSION_MISMATCH")

    #expect(sandbox.snapshot() == before)
    #expect(sandbox.get(id)["note"] as? String == "first")
    sandbox.run("delete", id, "--version", "1").expectSuccess()
  }
}
