import Foundation
import OptimistCore

/// Worker threads, each with its own connection to the store, that run the requests' jobs:
/// the operations block (SQLite waits for locks, libpq for the server), so they run here,
/// never on the server's event loops.
///
/// Every job is one operation and so one transaction, through the same `StoreEngine` a CLI
/// command uses: CLI processes and the server share the store with the same guarantees. A
/// worker whose job failed on the store (`ExitStatus.isStoreFailure`: a lost PostgreSQL connection, a damaged
/// or vanished file) opens a fresh engine for the next one.
final class StorePool: @unchecked Sendable {
  private let location: String
  private let timeout: Double
  private let condition = NSCondition()
  /// Jobs waiting for a worker: each gets the worker's engine, or the error opening one
  /// failed with, and says whether the engine may serve the next job.
  private var queue: [(Result<any StoreEngine, any Error>) -> Bool] = []
  /// Set by `stop`: a job taken after it is refused (503) without touching the store.
  private var stopped = false
  /// Jobs running now, guarded by `idle`'s lock.
  private var running = 0
  private let idle = NSCondition()

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
      enqueue { opened in
        do {
          continuation.resume(returning: try job(try opened.get()))
          return true
        } catch {
          let failure = OptimistError(error, timeout: timeout)
          continuation.resume(returning: APIError.operation(failure).response)
          return !failure.exitStatus.isStoreFailure
        }
      }
    }
  }

  private func enqueue(_ job: @escaping (Result<any StoreEngine, any Error>) -> Bool) {
    condition.lock()
    queue.append(job)
    condition.signal()
    condition.unlock()
  }

  /// Starts no more jobs (those still queued are answered 503, TEMPORARY_ERROR), and waits
  /// up to `seconds` for the running ones: each is one transaction, so when the process then
  /// exits, a write is wholly there or not at all.
  func stop(waitingAtMost seconds: Double) {
    condition.lock()
    stopped = true
    condition.unlock()
    let deadline = Date(timeIntervalSinceNow: seconds)
    idle.lock()
    while running > 0 && idle.wait(until: deadline) {}
    idle.unlock()
  }

  private func work() {
    var store: (any StoreEngine)?
    while true {
      condition.lock()
      while queue.isEmpty { condition.wait() }
      let job = queue.removeFirst()
      let refused = stopped
      if !refused {
        idle.lock()
        running += 1
        idle.unlock()
      }
      condition.unlock()
      if refused {
        _ = job(.failure(OptimistError.unavailable("The server is shutting down.")))
        continue
      }
      defer {
        idle.lock()
        running -= 1
        idle.broadcast()
        idle.unlock()
      }
      if store == nil {
        do {
          store = try Engines.open(location, timeout: timeout)
        } catch {
          _ = job(.failure(error))
          continue
        }
      }
      guard let current = store else { continue }
      if !job(.success(current)) { store = nil }
    }
  }
}
