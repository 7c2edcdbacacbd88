import OptimistCore

struct Serve: Subcommand {
  static let about = About(
    "serve",
    abstract:
      "Serve the store as a Square-compatible HTTP API for Square's SDKs (runs optimist-serve).",
    discussion: [
      "Customers, Catalog items, Payments and Refunds at Square's /v2 paths, with Square's JSON, error documents and statuses: VERSION_MISMATCH and IDEMPOTENCY_KEY_REUSED are 400, NOT_FOUND 404, CARD_DECLINED 402. CLI processes may use the same store at the same time.",
      "Events (SearchEvents) and webhook subscriptions too: the server delivers every new event of the store, the CLI's included, to the subscriptions that want it, signed and retried on Square's schedule; $OPTIMIST_WEBHOOK_RETRY_SCALE (above 0, at most 1) shrinks the schedule for tests.",
      "Every request needs Authorization: Bearer TOKEN, the token from --token-file, else $OPTIMIST_TOKEN, else a new random one. When ready, one JSON line goes to stdout: {\"url\":…} with the address listened on, and \"token\" only when it was generated. SIGTERM or SIGINT finishes the requests in flight and exits 0.",
    ],
    examples: [
      "optimist serve --listen 127.0.0.1:8080 --token-file ~/.config/optimist/token",
      "OPTIMIST_TOKEN=test-token optimist serve --listen 127.0.0.1:0 --db ./ci.db",
    ])

  let listen: ServeOptions.Address
  let tokenFile: String?
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
    options = try StoreOptions(&arguments)
    guard let address = ServeOptions.Address(listen ?? ServeOptions.defaultListen) else {
      throw UsageError(
        "The value '\(listen ?? "")' is invalid for '--listen <host:port>': use e.g. 127.0.0.1:8080 or [::1]:8080."
      )
    }
    self.listen = address
  }

  func run() {
    guard let start = ServeOptions.start else { Companion.runServer() }
    start(
      ServeOptions(
        address: listen, database: options.db, timeout: options.timeout, tokenFile: tokenFile))
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

  /// Set by `optimist-serve` before `Optimist.main()`: runs the server. Without it (the
  /// static `optimist`), `serve` execs `optimist-serve` from beside this executable.
  nonisolated(unsafe) public static var start: ((ServeOptions) -> Never)?
}
