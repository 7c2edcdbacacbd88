import OptimistCore

struct Serve: Subcommand {
  static let about = About(
    "serve",
    abstract:
      "Serve the store as a Square-compatible HTTP API for Square's SDKs (runs optimist-serve).",
    discussion: [
      "Customers, Catalog items, Payments and Refunds at Square's /v2 paths, with Square's JSON, error documents and statuses: VERSION_MISMATCH and IDEMPOTENCY_KEY_REUSED are 400, NOT_FOUND 404, CARD_DECLINED 402. CLI processes may use the same store at the same time.",
      "Events (SearchEvents) and webhook subscriptions too: the server delivers every new event of the store, the CLI's included, to the subscriptions that want it, signed and retried on Square's schedule; $OPTIMIST_WEBHOOK_RETRY_SCALE (above 0, at most 1) shrinks the schedule for tests.",
      "Every request needs Authorization: Bearer TOKEN, the token from --token-file, else $OPTIMIST_TOKEN, else a new random one. When ready, one JSON line goes to stdout: {\"url\":…} with the address listened on, and \"token\" only when it was generated.",
      "A client is held to limits: its request head within --header-timeout, its body within --body-timeout, its next request on a kept-alive connection within --idle-timeout, else the connection is closed; at most --max-connections at once (more wait in the listen backlog). SIGTERM or SIGINT stops accepting, finishes the requests in flight and exits 0, closing what is still open after --shutdown-grace.",
    ],
    examples: [
      "optimist serve --listen 127.0.0.1:8080 --token-file ~/.config/optimist/token",
      "OPTIMIST_TOKEN=test-token optimist serve --listen 127.0.0.1:0 --db ./ci.db",
    ])

  /// nil when `--listen` is malformed: refused by `run` (exit 2), as every malformed value.
  let listen: ServeOptions.Address?
  let listenText: String
  let tokenFile: String?
  let limits: Result<ServeOptions.Limits, OptimistError>
  let options: StoreOptions

  init(_ arguments: inout Arguments) throws(UsageError) {
    let listen = arguments.option(
      "listen", value: "host:port",
      help:
        "The address to listen on; port 0 picks a free one. Keep it on loopback unless the network is yours.",
      defaultValue: ServeOptions.defaultListen)
    tokenFile = arguments.option(
      "token-file", value: "path",
      help: "A file holding the bearer token (default: $OPTIMIST_TOKEN, else a generated one).",
      completion: .file)
    let headerTimeout = arguments.option(
      "header-timeout", value: "seconds",
      help: "Seconds a new connection has to send its first request's head; then it is closed.",
      defaultValue: "5")
    let bodyTimeout = arguments.option(
      "body-timeout", value: "seconds",
      help:
        "Seconds a client has to send a request's body after its head; then it is answered 408 and closed.",
      defaultValue: "30")
    let idleTimeout = arguments.option(
      "idle-timeout", value: "seconds",
      help:
        "Seconds a kept-alive connection may wait for its next request's head before it is closed.",
      defaultValue: "30")
    let maxConnections = arguments.option(
      "max-connections", value: "count",
      help:
        "Connections served at once, at most; more wait in the listen backlog. Lowered to what the descriptor limit (raised to its hard limit) leaves.",
      defaultValue: "1000")
    let shutdownGrace = arguments.option(
      "shutdown-grace", value: "seconds",
      help:
        "Seconds SIGTERM or SIGINT waits for the requests in flight before closing every connection and exiting 0.",
      defaultValue: "10")
    options = StoreOptions(&arguments, color: false)
    listenText = listen ?? ServeOptions.defaultListen
    self.listen = ServeOptions.Address(listenText)
    // A malformed limit is refused by `run` (exit 2), as every malformed value.
    limits = Result { () throws(OptimistError) in
      ServeOptions.Limits(
        headerTimeout: try Serve.seconds(headerTimeout, "header-timeout", default: 5),
        bodyTimeout: try Serve.seconds(bodyTimeout, "body-timeout", default: 30),
        idleTimeout: try Serve.seconds(idleTimeout, "idle-timeout", default: 30),
        maxConnections: try Serve.count(maxConnections, "max-connections", default: 1000),
        shutdownGrace: try Serve.seconds(shutdownGrace, "shutdown-grace", default: 10))
    }
  }

  func run() {
    if let refusal = options.refusal { return emit(StoredAnswer(refusal: refusal)) }
    guard let listen else {
      return emit(
        StoredAnswer(
          refusal: .invalidValue(
            field: "listen",
            detail:
              "`listen` must be HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080, not `\(listenText)`."
          )))
    }
    let limits: ServeOptions.Limits
    switch self.limits {
    case .success(let value): limits = value
    case .failure(let refusal): return emit(StoredAnswer(refusal: refusal))
    }
    guard let start = ServeOptions.start else { Companion.runServer() }
    start(
      ServeOptions(
        address: listen, database: options.db, timeout: options.timeout, tokenFile: tokenFile,
        limits: limits))
  }

  /// A limit in seconds: more than 0, at most a day.
  static func seconds(_ text: String?, _ name: String, default value: Double)
    throws(OptimistError) -> Double
  {
    guard let text else { return value }
    guard let seconds = Double(text), seconds.isFinite, seconds > 0, seconds <= 86_400 else {
      throw .invalidValue(
        field: name,
        detail:
          "`\(name)` must be a number of seconds, more than 0 and at most 86400, not `\(text)`."
      )
    }
    return seconds
  }

  /// A count from 1 to 1,000,000.
  static func count(_ text: String?, _ name: String, default value: Int) throws(OptimistError)
    -> Int
  {
    guard let text else { return value }
    guard text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let count = Int(text), count >= 1,
      count <= 1_000_000
    else {
      throw .invalidValue(
        field: name, detail: "`\(name)` must be a whole number from 1 to 1000000, not `\(text)`.")
    }
    return count
  }
}

/// What `optimist serve` was asked for, handed to the HTTP server that `optimist-serve` links.
public struct ServeOptions: Sendable {
  /// A host (a name or an IP address, IPv6 without brackets) and a port (0: any free one).
  public struct Address: Sendable {
    public let host: String
    public let port: Int

    /// `host:port` or `[v6-address]:port`; nil when it is neither.
    public init?(_ text: String) {
      let host: Substring
      let port: Substring
      if text.hasPrefix("[") {
        guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":")
        else { return nil }
        host = text[text.index(after: text.startIndex)..<close]
        port = text[text.index(close, offsetBy: 2)...]
      } else {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        host = text[..<colon]
        port = text[text.index(after: colon)...]
        if host.contains(":") { return nil }
      }
      guard !host.isEmpty, !port.isEmpty, port.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
        let number = Int(port), number <= 65_535
      else { return nil }
      self.host = String(host)
      self.port = number
    }
  }

  public static let defaultListen = "127.0.0.1:8080"

  public let address: Address
  /// `--db` as given; the server resolves it as every command does.
  public let database: String?
  public let timeout: Double
  public let tokenFile: String?
  public let limits: Limits

  /// What one client may hold, and for how long (each an option of `serve`).
  public struct Limits: Sendable {
    /// Seconds from a connection's start to its first request's complete head.
    public let headerTimeout: Double
    /// Seconds from a head to the end of its body, and to write the answer.
    public let bodyTimeout: Double
    /// Seconds a kept-alive connection waits for its next request's head.
    public let idleTimeout: Double
    /// Connections served at once (before the descriptor limit lowers it).
    public let maxConnections: Int
    /// Seconds SIGTERM waits for the requests in flight.
    public let shutdownGrace: Double
  }

  /// Set by `optimist-serve` before `Optimist.main()`: runs the server. Without it (the
  /// static `optimist`), `serve` execs `optimist-serve` from beside this executable.
  nonisolated(unsafe) public static var start: ((ServeOptions) -> Never)?
}
