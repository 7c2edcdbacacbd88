import Dispatch
import Hummingbird
import Logging
import NIOCore
import OptimistCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `optimist serve`: Hummingbird's HTTP/1.1 server in front of `SquareAPI`.
public enum Server {
  /// How many store connections serve requests at once.
  static let workers = 8

  /// Runs the server until SIGTERM or SIGINT, then finishes the requests in flight and exits
  /// 0. A store or token that cannot be used, or an address that cannot be bound, exits 1
  /// with a Square error document on stderr.
  public static func run(
    host: String, port: Int, database: String?, timeout: Double, tokenFile: String?
  ) -> Never {
    let location: String
    let token: (token: BearerToken, text: String, generated: Bool)
    do throws(OptimistError) {
      location = try DatabasePath.resolve(option: database)
      token = try BearerToken.resolve(
        tokenFile: tokenFile, environment: getenv("OPTIMIST_TOKEN").map { String(cString: $0) })
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
    logger.logLevel = .warning
    let app = Application(
      responder: SquareResponder(api: api),
      configuration: ApplicationConfiguration(
        address: .hostname(host, port: port), serverName: nil),
      onServerRunning: { channel in
        ready(channel.localAddress, host: host, token: token.generated ? token.text : nil)
      },
      logger: logger)
    let done = Completion()
    Task.detached {
      do {
        try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
        done.finish(nil)
      } catch {
        done.finish(error)
      }
    }
    if let error = done.wait() {
      fail(.storage("The server stopped: \(error)"))
    }
    exit(ExitStatus.success.code)
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

/// A result the main thread waits for while the server runs on the concurrency pool.
private final class Completion: @unchecked Sendable {
  private let semaphore = DispatchSemaphore(value: 0)
  private var error: (any Error)?

  func finish(_ error: (any Error)?) {
    self.error = error
    semaphore.signal()
  }

  func wait() -> (any Error)? {
    semaphore.wait()
    return error
  }
}
