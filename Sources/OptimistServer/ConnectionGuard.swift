import NIOCore
import NIOHTTP1

/// One connection's limits, between NIO's HTTP/1 decoder and the request handling: what a
/// slow or hostile client may hold, and for how long.
///
/// - A new connection has `head` to send its first request's head, a kept-alive one `idle`
///   for its next; then it is closed.
/// - A body has `body` from its head to its end (then a 408); an answer has `body` from its
///   head to its end, and a client that does not read its answers meets `idle`.
/// - An answer with `Connection: close` (401, 413, the 400 for malformed HTTP, the 408), an
///   HTTP/1.0 request without keep-alive, or a request asking for close: after the answer
///   nothing more is read, the output is shut (the client sees the end), and the connection
///   is closed `linger` later, the unread rest of the body never read.
/// - An informational answer (`100 Continue`, which `SquareChannel` sends to a client that
///   waits for it) is flushed at once and is not the request's answer; HTTP/1.0 gets none.
/// - Malformed HTTP (the decoder's error, a head over the size limit) is answered here with
///   Square's error document, as 400 BAD_REQUEST.
/// - On graceful shutdown (NIO's quiesce event) an idle connection closes at once, a busy one
///   after its answer.
///
/// Runs on the channel's event loop only.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
  typealias InboundIn = HTTPServerRequestPart
  typealias InboundOut = HTTPServerRequestPart
  typealias OutboundIn = HTTPServerResponsePart
  typealias OutboundOut = HTTPServerResponsePart

  struct Timeouts: Sendable {
    var head: TimeAmount
    var body: TimeAmount
    var idle: TimeAmount
    /// How long a closing connection stays half-closed so that its client reads the answer
    /// before the close (which resets the unread rest).
    var linger: TimeAmount = .seconds(1)
    /// `--body-timeout` as given, for the 408's message.
    var bodySeconds: Double
  }

  private enum Phase {
    /// No part of a request yet: the first, or the next on a kept-alive connection.
    case waitingForHead
    /// A head came, not yet its end.
    case readingBody
    /// The request is read; its answer is being made or written.
    case answering
    /// The last answer is written (or being written): nothing more is read.
    case closing
  }

  private let timeouts: Timeouts
  private var phase = Phase.waitingForHead
  /// The requests read whose answer has not ended, oldest first: their version and whether
  /// they allow the connection to stay open.
  private var pending: [(version: HTTPVersion, keepAlive: Bool)] = []
  /// Whether the oldest pending request's answer has begun.
  private var answerStarted = false
  /// Whether the connection closes after the answer being written.
  private var closeAfterAnswer = false
  /// Whether this handler answered itself (malformed HTTP, 408): later answers are dropped.
  private var answeredHere = false
  private var deadline: Scheduled<Void>?

  init(_ timeouts: Timeouts) {
    self.timeouts = timeouts
  }

  // MARK: The connection's life

  func handlerAdded(context: ChannelHandlerContext) {
    if context.channel.isActive { arm(timeouts.head, context) }
  }

  func channelActive(context: ChannelHandlerContext) {
    if deadline == nil { arm(timeouts.head, context) }
    context.fireChannelActive()
  }

  func channelInactive(context: ChannelHandlerContext) {
    disarm()
    context.fireChannelInactive()
  }

  func handlerRemoved(context: ChannelHandlerContext) {
    disarm()
  }

  // MARK: Reading

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    guard phase != .closing else { return }
    switch unwrapInboundIn(data) {
    case .head(let head):
      pending.append((head.version, head.isKeepAlive))
      phase = .readingBody
      arm(timeouts.body, context)
    case .body:
      break
    case .end:
      phase = .answering
      if !answerStarted { disarm() }
    }
    context.fireChannelRead(data)
  }

  /// Nothing more is read from a closing connection (its body is never drained).
  func read(context: ChannelHandlerContext) {
    guard phase != .closing else { return }
    context.read()
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    guard let parse = error as? HTTPParserError else {
      context.fireErrorCaught(error)
      return
    }
    // Malformed HTTP: answered here, unless an answer is already on its way.
    guard !answerStarted, phase != .closing else {
      context.close(promise: nil)
      return
    }
    let detail: String
    switch parse {
    case .headerOverflow:
      detail = "The request's head is larger than \(ConnectionGuard.headLimit / 1024) KiB."
    default:
      detail = "The request is not valid HTTP/1.1 (\(parse))."
    }
    answer(.malformedHTTP(detail), context)
  }

  func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
    if event is ChannelShouldQuiesceEvent {
      if phase == .waitingForHead && pending.isEmpty {
        context.close(promise: nil)
      } else {
        closeAfterAnswer = true
      }
      return
    }
    if case ChannelEvent.inputClosed = event, phase == .waitingForHead, pending.isEmpty {
      context.close(promise: nil)
      return
    }
    context.fireUserInboundEventTriggered(event)
  }

  // MARK: Writing

  func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
    guard !answeredHere else {
      promise?.fail(ChannelError.ioOnClosedChannel)
      return
    }
    switch unwrapOutboundIn(data) {
    case .head(let head) where head.status.code / 100 == 1:
      // An informational answer (100 Continue) goes at once, and is not the answer: an
      // HTTP/1.0 client, which knows none, gets none (RFC 9110, 15.2).
      guard pending.first?.version != .http1_0 else {
        promise?.succeed(())
        return
      }
      context.writeAndFlush(data, promise: promise)
    case .head(var head):
      answerStarted = true
      let request = pending.first ?? (.http1_1, true)
      let connection = head.headers["connection"].joined(separator: ",").lowercased()
      if !request.keepAlive || connection.contains("close") { closeAfterAnswer = true }
      head.version = request.version == .http1_0 ? .http1_0 : .http1_1
      if closeAfterAnswer {
        head.headers.replaceOrAdd(name: "connection", value: "close")
      } else if request.version == .http1_0 {
        head.headers.replaceOrAdd(name: "connection", value: "keep-alive")
      }
      // The answer must be taken by the client in time (an early answer, as a 401 before
      // the body, keeps the body's deadline).
      if phase != .readingBody { arm(timeouts.body, context) }
      context.write(wrapOutboundOut(.head(head)), promise: promise)
    case .body:
      context.write(data, promise: promise)
    case .end:
      if !pending.isEmpty { pending.removeFirst() }
      answerStarted = false
      if closeAfterAnswer {
        phase = .closing
        let written = promise ?? context.eventLoop.makePromise()
        context.writeAndFlush(data, promise: written)
        written.futureResult.assumeIsolated().whenComplete { _ in self.linger(context) }
        return
      }
      context.write(data, promise: promise)
      if phase == .answering && pending.isEmpty {
        phase = .waitingForHead
        arm(timeouts.idle, context)
      }
    }
  }

  // MARK: Deadlines and closing

  /// NIO's HTTP/1 decoder's default limit on a head (NIOHTTPDecoderLimitConfiguration).
  static let headLimit = 80 * 1024

  private func arm(_ amount: TimeAmount, _ context: ChannelHandlerContext) {
    deadline?.cancel()
    deadline = context.eventLoop.assumeIsolated().scheduleTask(in: amount) {
      self.deadline = nil
      self.expired(context)
    }
  }

  private func disarm() {
    deadline?.cancel()
    deadline = nil
  }

  private func expired(_ context: ChannelHandlerContext) {
    switch phase {
    case .readingBody where !answerStarted && pending.count == 1:
      answer(.requestTimeout(seconds: timeouts.bodySeconds), context)
    case .waitingForHead, .readingBody, .answering, .closing:
      context.close(promise: nil)
    }
  }

  /// Answers with `error`'s document from here, then closes.
  private func answer(_ error: APIError, _ context: ChannelHandlerContext) {
    let body = error.document
    var headers = HTTPHeaders()
    headers.add(name: "content-type", value: "application/json")
    headers.add(name: "content-length", value: String(body.utf8.count))
    headers.add(name: "date", value: HTTPDate.now())
    headers.add(name: "connection", value: "close")
    let version = pending.first?.version == .http1_0 ? HTTPVersion.http1_0 : .http1_1
    phase = .closing
    answeredHere = true
    disarm()
    let head = HTTPResponseHead(
      version: version, status: HTTPResponseStatus(statusCode: error.status), headers: headers)
    context.write(wrapOutboundOut(.head(head)), promise: nil)
    context.write(
      wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))),
      promise: nil)
    let written = context.eventLoop.makePromise(of: Void.self)
    context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: written)
    written.futureResult.assumeIsolated().whenComplete { _ in self.linger(context) }
  }

  /// Shuts the output (the client reads the answer, then the end), and closes `linger` later.
  private func linger(_ context: ChannelHandlerContext) {
    guard context.channel.isActive else { return }
    context.close(mode: .output, promise: nil)
    arm(timeouts.linger, context)
  }
}
