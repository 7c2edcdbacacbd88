import CConcurrencyHook
import NIOCore
import NIOPosix

/// Runs Swift concurrency's tasks on SwiftNIO's event loops where SwiftNIO's own installation
/// (`NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor`)
/// cannot: it finds the runtime's enqueue hook with dlsym, and the release build links the
/// Swift runtime statically without exporting its symbols, so there it fails and every task
/// would run on libdispatch's pool (whose thread monitor aborts the process when descriptors
/// run out, and which costs each request thread switches). This sets the same hook through
/// the address the linker resolved (CConcurrencyHook): each job goes to an event loop of
/// SwiftNIO's singleton group, the current one when it is a loop's.
enum ConcurrencyHook {
  /// The hook's type in the runtime: the job, and the runtime's own enqueue (unused).
  private typealias Hook =
    @convention(thin) (
      UnownedJob, @convention(thin) (UnownedJob) -> Void
    ) -> Void

  /// Installs the hook unless one is set; call once, before any task exists. Returns whether
  /// it is now SwiftNIO's loops that run the tasks (false: another hook was set).
  @discardableResult
  static func install() -> Bool {
    guard let slot = optimist_swift_task_enqueue_global_hook(), slot.pointee == nil else {
      return false
    }
    let hook: Hook = { job, _ in
      MultiThreadedEventLoopGroup.singleton.any().enqueue(ExecutorJob(job))
    }
    withUnsafeTemporaryAllocation(of: Hook.self, capacity: 1) { storage in
      storage.baseAddress!.initialize(to: hook)
      storage.baseAddress!.withMemoryRebound(to: UnsafeMutableRawPointer?.self, capacity: 1) {
        slot.pointee = $0.pointee
      }
    }
    return true
  }
}
