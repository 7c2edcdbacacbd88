import Foundation
import OptimistCore

/// Worker threads, each with its own connection to the store, that run the requests' jobs:
/// the operations block (SQLite waits for locks, libpq for the server), so they run here,
/// never on the server's event loops.
///
/// Every job is one operation and so one transaction, through the same `StoreEngine` a CLI
/// command uses: CLI processes and the server share the store with the same guarantees. A
/// worker whose job failed on the store (`ExitStatus.isStoreFailure`: a lost PostgreSQL
/// connection, a damaged or vanished file) opens a fresh engine for the next one.
///
/// On SQLite, whose one write lock lets a single transaction write at a time, one worker
/// takes every write, in order, and the others the reads (which WAL never blocks): writers
/// queue here instead of sleeping in SQLite's busy handler, whose back-off made the slow tail.
/// On PostgreSQL every worker takes both.
final class StorePool: @unchecked Sendable {
  /// Jobs waiting for one set of workers.
  private final class Lane: @unchecked Sendable {
    let condition = NSCondition()
    /// Each job gets the worker's engine, or the error opening one failed with, and says
    /// whether the engine may serve the next job.
    var queue: [(Result<any StoreEngine, any Error>) -> Bool] = []
    /// Set by `stop`: a job taken after it is refused (503) without touching the store.
    var stopped = false
  }

  private let location: String
  private let timeout: Double
  private let reads: Lane
  private let writes: Lane
  /// Jobs running now, guarded by `idle`'s lock.
  private var running = 0
  private let idle = NSCondition()

  init(location: String, timeout: Double, workers: Int) {
    self.location = location
    self.timeout = timeout
    reads = Lane()
    let oneWriter = !Engines.isPostgres(location) && workers > 1
    writes = oneWriter ? Lane() : reads
    for index in 0..<workers {
      let lane = oneWriter && index == 0 ? writes : reads
      let thread = Thread { [self] in work(lane) }
      thread.name = "optimist-store-\(index)"
      thread.start()
    }
  }

  /// Runs `job` on a worker (the writer, for a job that `writes` on SQLite); an error it
  /// throws becomes its Square error document.
  func run(_ job: @escaping Job, writes: Bool) async -> APIResponse {
    let timeout = self.timeout
    return await withCheckedContinuation { continuation in
      enqueue(writes ? self.writes : reads) { opened in
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

  /// Starts no more jobs (those still queued are answered 503, TEMPORARY_ERROR), and waits
  /// up to `seconds` for the running ones: each is one transaction, so when the process then
  /// exits, a write is wholly there or not at all.
  func stop(waitingAtMost seconds: Double) {
    for lane in [reads, writes] {
      lane.condition.lock()
      lane.stopped = true
      lane.condition.unlock()
    }
    let deadline = Date(timeIntervalSinceNow: seconds)
    idle.lock()
    while running > 0 && idle.wait(until: deadline) {}
    idle.unlock()
  }

  private func enqueue(
    _ lane: Lane, _ job: @escaping (Result<any StoreEngine, any Error>) -> Bool
  ) {
    lane.condition.lock()
    lane.queue.append(job)
    lane.condition.signal()
    lane.condition.unlock()
  }

  private func work(_ lane: Lane) {
    var store: (any StoreEngine)?
    while true {
      lane.condition.lock()
      while lane.queue.isEmpty { lane.condition.wait() }
      let job = lane.queue.removeFirst()
      let refused = lane.stopped
      if !refused {
        idle.lock()
        running += 1
        idle.unlock()
      }
      lane.condition.unlock()
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
