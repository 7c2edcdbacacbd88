import Foundation
import NIOPosix
import OptimistCore

/// Worker threads, each with its own connection to the store, that run the requests' jobs:
/// the operations block (SQLite waits for locks, libpq for the server), so they run here,
/// not on the server's event loops.
///
/// One exception: a read of a SQLite store first runs on the event loop that received it, on
/// that loop's own connection, which never waits for a lock (busy timeout 0). A read that
/// would have waited (a writer holds the rollback journal's lock, or another program the
/// whole file) goes to the workers, which wait as long as `--timeout` allows. A read of a
/// cached page takes microseconds; handing it to a worker and back took two thread switches
/// (BENCHMARKS.md, optimist serve).
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
  /// The event loops' own connections, for reads run there; nil for PostgreSQL, whose
  /// every statement waits for the server.
  private let loopStores: LoopStores?

  init(location: String, timeout: Double, workers: Int) {
    self.location = location
    self.timeout = timeout
    loopStores = Engines.isPostgres(location) ? nil : LoopStores()
    for index in 0..<workers {
      let thread = Thread { [self] in work() }
      thread.name = "optimist-store-\(index)"
      thread.start()
    }
  }

  /// Runs `job` on a worker (a read of a SQLite store first on this event loop, if it need
  /// not wait); an error it throws becomes its Square error document.
  func run(_ job: @escaping Job, reading: Bool = false) async -> APIResponse {
    if reading, let loopStores, let loop = MultiThreadedEventLoopGroup.currentEventLoop,
      let answer = loopStores.read(job, on: ObjectIdentifier(loop), location: location)
    {
      return answer
    }
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
      if queue.isEmpty, let store {
        // No work: the connection sits idle, so end what the last job left (a read's COMMIT).
        condition.unlock()
        store.idle()
        condition.lock()
      }
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

/// Each event loop's own SQLite store, opened on its first read, that never waits for a lock.
private final class LoopStores: @unchecked Sendable {
  private let lock = NSLock()
  private var stores: [ObjectIdentifier: any StoreEngine] = [:]

  /// `job`'s answer, run here on this loop's store; nil when it would have had to wait for a
  /// lock (or the store failed here): the workers then run it, as any other job.
  func read(_ job: Job, on loop: ObjectIdentifier, location: String) -> APIResponse? {
    guard let store = store(for: loop, location: location) else { return nil }
    do {
      return try job(store)
    } catch {
      let failure = OptimistError(error, timeout: 0)
      switch failure.exitStatus {
      case .temporary:
        // It would have waited for a lock: the workers wait.
        return nil
      case .storageError:
        // A vanished or damaged file: a fresh store next time; the workers say what it is.
        forget(loop)
        return nil
      default:
        return APIError.operation(failure).response
      }
    }
  }

  private func store(for loop: ObjectIdentifier, location: String) -> (any StoreEngine)? {
    lock.lock()
    defer { lock.unlock() }
    if let store = stores[loop] { return store }
    guard let store = try? Engines.open(location, timeout: 0) else { return nil }
    stores[loop] = store
    return store
  }

  private func forget(_ loop: ObjectIdentifier) {
    lock.lock()
    stores[loop] = nil
    lock.unlock()
  }
}
