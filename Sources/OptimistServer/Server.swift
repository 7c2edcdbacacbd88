import Foundation
import HummingbirdCore
import Logging
import NIOCore
import NIOPosix
import OptimistCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// What one client may hold, and for how long: `serve`'s options (README, "Limits").
public struct ServerLimits: Sendable {
  /// Seconds from a connection's start to its first request's complete head.
  public var headerTimeout: Double
  /// Seconds from a head to the end of its body, and to write the answer.
  public var bodyTimeout: Double
  /// Seconds a kept-alive connection waits for its next request's head.
  public var idleTimeout: Double
  /// Connections served at once, before the descriptor limit lowers it.
  public var maxConnections: Int
  /// Seconds SIGTERM or SIGINT waits for the requests in flight.
  public var shutdownGrace: Double

  public init(
    headerTimeout: Double, bodyTimeout: Double, idleTimeout: Double, maxConnections: Int,
    shutdownGrace: Double
  ) {
    self.headerTimeout = headerTimeout
    self.bodyTimeout = bodyTimeout
    self.idleTimeout = idleTimeout
    self.maxConnections = maxConnections
    self.shutdownGrace = shutdownGrace
  }

  var timeouts: ConnectionGuard.Timeouts {
    func amount(_ seconds: Double) -> TimeAmount { .nanoseconds(Int64(seconds * 1e9)) }
    return ConnectionGuard.Timeouts(
      head: amount(headerTimeout), body: amount(bodyTimeout), idle: amount(idleTimeout),
      bodySeconds: bodyTimeout)
  }
}

/// `optimist serve`: HummingbirdCore's HTTP/1.1 server in front of `SquareAPI`.
///
/// Swift concurrency runs on SwiftNIO's event loop threads, not libdispatch's pool (whose
/// thread monitor aborts when it cannot open `/proc/<tid>/stat`, as when descriptors run
/// out); the operations run on `StorePool`'s threads; signals are taken by one thread with
/// `sigwait`.
public enum Server {
  /// How many store connections serve requests at once.
  static let workers = 8

  /// Runs the server until SIGTERM or SIGINT, then stops accepting, finishes the requests in
  /// flight and exits 0; whatever is still open after `limits.shutdownGrace` is closed (a
  /// store operation already running is let finish: it is one transaction). A store or token
  /// that cannot be used, or an address that cannot be bound, exits 1 with a Square error
  /// document on stderr.
  public static func run(
    host: String, port: Int, database: String?, timeout: Double, tokenFile: String?,
    limits: ServerLimits
  ) -> Never {
    // Before any thread exists, so that every thread inherits the mask and only `sigwait`
    // below receives them.
    var signals = sigset_t()
    sigemptyset(&signals)
    sigaddset(&signals, SIGTERM)
    sigaddset(&signals, SIGINT)
    pthread_sigmask(SIG_BLOCK, &signals, nil)
    if !NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor() {
      // The release build: the Swift runtime linked statically (ConcurrencyHook.swift).
      ConcurrencyHook.install()
    }

    let location: String
    let token: (token: BearerToken, text: String, generated: Bool)
    let connections: Int
    do throws(OptimistError) {
      location = try DatabasePath.resolve(option: database)
      token = try BearerToken.resolve(
        tokenFile: tokenFile, environment: getenv("OPTIMIST_TOKEN").map { String(cString: $0) })
      connections = try Descriptors.connectionCap(
        requested: limits.maxConnections, workers: workers)
    } catch {
      fail(error)
    }
    guard
      let scale = WebhookWorker.retryScale(
        getenv("OPTIMIST_WEBHOOK_RETRY_SCALE").map { String(cString: $0) })
    else {
      fail(
        .invalidValue(
          field: "OPTIMIST_WEBHOOK_RETRY_SCALE",
          detail: "OPTIMIST_WEBHOOK_RETRY_SCALE must be a number above 0 and at most 1."))
    }
    let api = SquareAPI(token: token.token, location: location, timeout: timeout, workers: workers)
    WebhookWorker.start(location: location, timeout: timeout, schedule: RetrySchedule(scale: scale))
    var logger = Logger(label: "optimist-serve")
    logger.logLevel = .critical
    let server = HummingbirdCore.Server(
      childChannelSetup: SquareChannel(api: api, timeouts: limits.timeouts),
      configuration: ServerConfiguration(
        address: .hostname(host, port: port), serverName: nil, backlog: 256,
        availableConnectionsDelegate: MaximumAvailableConnections(connections, logger: logger)),
      onServerRunning: { channel in
        ready(channel.localAddress, host: host, token: token.generated ? token.text : nil)
      },
      eventLoopGroup: NIOSingletons.posixEventLoopGroup,
      logger: logger)
    let done = Completion()
    Task {
      do {
        try await server.run()
        done.finish(nil)
      } catch {
        done.finish(error)
      }
    }
    let mask = signals
    let signalWaiter = Thread {
      var awaited = mask
      var received: Int32 = 0
      sigwait(&awaited, &received)
      Task { try? await server.shutdownGracefully() }
      Thread.sleep(forTimeInterval: limits.shutdownGrace)
      // Past the grace: no new operation starts, the running ones end, everything closes.
      api.pool.stop(waitingAtMost: timeout + 5)
      exit(ExitStatus.success.code)
    }
    signalWaiter.name = "optimist-signals"
    signalWaiter.start()
    if let error = done.wait() {
      fail(.storage(describe(error, host: host, port: port)))
    }
    api.pool.stop(waitingAtMost: timeout + 5)
    exit(ExitStatus.success.code)
  }

  /// A bind error as `cannot listen on HOST:PORT: address already in use`; another error as
  /// the server stopping.
  static func describe(_ error: any Error, host: String, port: Int) -> String {
    let address = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    if let error = error as? IOError {
      var reason = String(cString: strerror(error.errnoCode))
      if let first = reason.first { reason = first.lowercased() + reason.dropFirst() }
      return "cannot listen on \(address): \(reason)"
    }
    if error is SocketAddressError {
      return "cannot listen on \(address): the host cannot be resolved"
    }
    return "The server stopped: \(error)"
  }

  /// The one line on stdout once the server accepts connections: `{"url":…}`, with `token`
  /// only when it was generated (the only time it is ever shown).
  static func ready(_ address: SocketAddress?, host: String, token: String?) {
    let port = address?.port ?? 0
    let shown = host.contains(":") ? "[\(host)]" : host
    var line = JSONObject()
    line.add("url", "http://\(shown):\(port)")
    line.add("token", token)
    write(line.text + "\n", to: STDOUT_FILENO)
  }

  static func fail(_ error: OptimistError) -> Never {
    write(error.document + "\n", to: STDERR_FILENO)
    exit(ExitStatus.storageError.code)
  }

  /// Writes all of `text` to a descriptor, retrying short and interrupted writes.
  static func write(_ text: String, to descriptor: Int32) {
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
      let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
      if written > 0 {
        bytes = bytes.dropFirst(written)
      } else if written < 0 && errno == EINTR {
        continue
      } else {
        return
      }
    }
  }
}

/// The server's descriptor budget: its soft limit raised to the hard one, less a reserve for
/// the store's connections and files, the event loops and the process itself; connections
/// get at most what is left.
enum Descriptors {
  /// The connection cap: `requested`, lowered to what the limit leaves.
  static func connectionCap(requested: Int, workers: Int) throws(OptimistError) -> Int {
    let limit = raiseLimit()
    let reserve = 64 + 4 * workers + 4 * System.coreCount + inUse()
    let left = limit - reserve
    guard left >= 16 else {
      throw .storage(
        "The descriptor limit (ulimit -n) is \(limit): it leaves no room for connections after the \(reserve) the server keeps for itself; raise it."
      )
    }
    return min(requested, left)
  }

  /// Raises the soft `RLIMIT_NOFILE` to the hard limit; the soft limit in force after.
  static func raiseLimit() -> Int {
    var limit = rlimit()
    #if canImport(Glibc)
      let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
      let resource = RLIMIT_NOFILE
    #endif
    guard getrlimit(resource, &limit) == 0 else { return 1024 }
    if limit.rlim_cur < limit.rlim_max {
      var raised = limit
      raised.rlim_cur = limit.rlim_max
      if setrlimit(resource, &raised) == 0 { limit = raised }
    }
    return limit.rlim_cur >= rlim_t(Int32.max) ? Int(Int32.max) : Int(limit.rlim_cur)
  }

  /// The descriptors open now.
  static func inUse() -> Int {
    (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 16
  }
}

/// A result the main thread waits for while the server runs on the event loops.
private final class Completion: @unchecked Sendable {
  private let condition = NSCondition()
  private var result: (any Error)??

  func finish(_ error: (any Error)?) {
    condition.lock()
    result = .some(error)
    condition.signal()
    condition.unlock()
  }

  func wait() -> (any Error)? {
    condition.lock()
    defer { condition.unlock() }
    while result == nil { condition.wait() }
    return result ?? nil
  }
}
