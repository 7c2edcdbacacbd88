import Foundation
import Testing

/// Many `optimist` processes doing read-modify-write cycles on one object at once: no update
/// is lost and nobody sees a busy error inside the default timeout.
@Suite struct ConcurrencyTests {
  let sandbox: Sandbox

  init() throws {
    sandbox = try Sandbox()
  }

  static let workers = 8
  static let incrementsPerWorker = 10
  /// A worker that needs more attempts than this is stuck, not unlucky.
  static let attemptLimit = 2000

  /// Outcome counts shared by the workers.
  struct Tally {
    var successes = 0
    var mismatches = 0
    var failures: [String] = []
  }

  @Test func concurrentIncrementsLoseNoUpdate() throws {
    let id = sandbox.create("create-customer", "--given-name", "Counter", "--note", "0")
    let tally = Locked(Tally())
    let sandbox = self.sandbox

    runTogether(Self.workers) { worker in
      var done = 0
      var attempts = 0
      while done < Self.incrementsPerWorker {
        attempts += 1
        guard attempts <= Self.attemptLimit else {
          tally.withLock {
            $0.failures.append("worker \(worker) gave up after \(attempts - 1) attempts")
          }
          return
        }
        let read = sandbox.run("get", id)
        guard read.exitCode == 0, let object = read.json, let version = object["version"] as? Int,
          let note = (object["note"] as? String).flatMap({ Int($0) })
        else {
          tally.withLock { $0.failures.append("get: \(read)") }
          return
        }
        let write = sandbox.run(
          "update", id, "--version", String(version), "--set", "note=\(note + 1)")
        switch (write.exitCode, write.errorCode) {
        case (0, nil) where write.json?["version"] as? Int == version + 1:
          done += 1
          tally.withLock { $0.successes += 1 }
        case (3, "VERSION_MISMATCH"?) where write.stdout.isEmpty:
          tally.withLock { $0.mismatches += 1 }
        default:
          tally.withLock { $0.failures.append("update: \(write)") }
          return
        }
      }
    }

    let result = tally.withLock { $0 }
    #expect(result.failures.isEmpty, "\(result.failures.prefix(5))")
    #expect(result.successes == Self.workers * Self.incrementsPerWorker)
    let final = sandbox.get(id)
    #expect(final["version"] as? Int == result.successes)
    #expect(final["note"] as? String == String(result.successes))
    // Every version kept as it was stored (on PostgreSQL a write may take the row as its
    // process last saw it, checked on the server): version v's note is v.
    let history = sandbox.run("history", id, "--limit", "100").expectSuccess()
    let versions = try #require(history["objects"] as? [[String: Any]], "\(history)")
    #expect(versions.count == result.successes + 1)
    for version in versions {
      #expect(version["note"] as? String == (version["version"] as? Int).map(String.init))
    }
    let doctor = sandbox.run("doctor").expectSuccess()
    #expect(doctor[sandbox.engine.checkName] as? String == "ok")
  }

  @Test func concurrentItemUpdatesKeepVersionsStrictlyIncreasing() throws {
    let id = sandbox.create("create-item", "--name", "Counter", "--description", "0")
    let versions = Locked<[Int64]>([])
    let failures = Locked<[String]>([])
    let sandbox = self.sandbox

    runTogether(Self.workers) { worker in
      for round in 0..<4 {
        // Without --version the latest is assumed: every one of these must succeed.
        let write = sandbox.run("update", id, "--set", "name=w\(worker)r\(round)")
        if write.exitCode == 0, let version = write.json?["version"] as? Int64 {
          versions.withLock { $0.append(version) }
        } else {
          failures.withLock { $0.append("\(write)") }
        }
      }
    }

    #expect(failures.withLock { $0 }.isEmpty, "\(failures.withLock { $0.prefix(5) })")
    let seen = versions.withLock { $0 }
    #expect(Set(seen).count == seen.count, "two updates got the same version")
    #expect(sandbox.get(id)["version"] as? Int64 == seen.max())
  }

  @Test func simultaneousFirstUseOfANewFileGivesEveryCommandItsOwnAnswer() throws {
    let environment = sandbox.environment(store: try sandbox.freshStore("fresh/optimist.db"))
    let commands: [(arguments: [String], exit: Int32)] = [
      // doctor is left out: before the file exists it rightly says there is no database.
      (["list"], 0), (["prune-keys", "--older-than", "7d"], 0), (["get", Shop.missing], 4),
      (["create-customer", "--given-name", "Ada"], 0),
      (["create-item", "--name", "Coffee"], 0), (["list", "--type", "ITEM"], 0),
      (
        ["create-payment", "--key", "k", "--amount", "1", "--currency", "USD", "--source-id", "s"],
        0
      ),
      (["delete", Shop.missing], 4),
    ]
    let results = Locked<[Int: CLIResult]>([:])

    runTogether(commands.count) { index in
      let result = OptimistProcess.run(commands[index].arguments, environment: environment)
      results.withLock { $0[index] = result }
    }

    for (index, command) in commands.enumerated() {
      let result = results.withLock { $0[index] }
      #expect(result?.exitCode == command.exit, "\(result.map { "\($0)" } ?? "no result")")
      if command.exit == 0 { result?.expectSuccess() }
      if command.exit == 4 { result?.expectError(4, "NOT_FOUND") }
    }
    let doctor = sandbox.run(["doctor"], environment: environment).expectSuccess()
    #expect(doctor[sandbox.engine.checkName] as? String == "ok")
    let counts = doctor["objects"] as? [String: Any]
    #expect(counts?["customers"] as? Int == 1)
    #expect(counts?["items"] as? Int == 1)
    #expect(counts?["payments"] as? Int == 1)
  }
}
