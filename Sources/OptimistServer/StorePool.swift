import Foundation
import OptimistCore

/// Worker threads, each with its own connection to the store, that run the requests' jobs:
/// the operations block (SQLite waits for locks, libpq for the server), so they run here,
/// never on the server's event loops.
///
/// Every job is one operation and so one transaction, through the same `StoreEngine` a CLI
/// command uses: CLI processes and the server share the store with the same guarantees. A
/// worker whose job failed on storage (exit 1 or 75: a lost PostgreSQL connection, a damaged
/// or vanished file) opens a fresh engine for the next one.
final class StorePool: @unchecked Sendable {
  private let location: String
  private let timeout: Double
  private let condition = NSCondition()
  private var queue: [(any StoreEngine) -> Bool] = []

  init(location: String, timeout: Double, workers: Int) {
    self.location = location
    self.timeout = timeout
    for index in 0..<workers {
      let thread = Thread { [self] in work() }
      thread.name = "optimist-store-\(index)"
      thread.start()
    }
  }

  /// Runs `job` on a worker; an error it throws becomes its Square error document.
  func run(_ job: @escaping Job) async -> APIResponse {
    let timeout = self.timeout
    return await withCheckedContinuation { continuation in
      enqueue { store in
        do {
          continuation.resume(returning: try job(store))
          return true
        } catch {
          let failure = OptimistError(error, timeout: timeout)
          continuation.resume(returning: APIError.operation(failure).response)
          return failure.exitCode != 1 && failure.exitCode != 75
        }
      }
    }
  }

  private func enqueue(_ job: @escaping (any StoreEngine) -> Bool) {
    condition.lock()
    queue.append(job)
    condition.signal()
    condition.unlock()
  }

  private func work() {
    var store: (any StoreEngine)?
    while true {
      condition.lock()
      while queue.isEmpty { condition.wait() }
      let job = queue.removeFirst()
      condition.unlock()
      if store == nil {
        do {
          store = try Engines.open(location, timeout: timeout)
        } catch {
          _ = job(FailedStore(error: error))
          continue
        }
      }
      guard let current = store else { continue }
      if !job(current) { store = nil }
    }
  }
}

/// Stands in for an engine that could not be opened: every transaction throws its error.
private final class FailedStore: StoreEngine {
  let error: any Error
  init(error: any Error) { self.error = error }
  var isMissing: Bool { true }
  func write<T>(creating: Bool, _ body: (any Database) throws -> T) throws -> T { throw error }
  func read<T>(_ body: (any Database) throws -> T) throws -> T { throw error }
  func diagnose(_ db: any Database) throws -> Diagnosis { throw error }
}
