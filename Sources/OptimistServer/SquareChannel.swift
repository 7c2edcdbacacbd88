import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// One accepted connection: NIO's HTTP/1 codec, the connection's limits (`ConnectionGuard`),
/// the conversion to HTTP types, then Hummingbird's request loop answering with
/// `SquareResponder`.
struct SquareChannel: HTTPChannelHandler {
  typealias Value = NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>

  let responder: HTTPChannelHandler.Responder
  let timeouts: ConnectionGuard.Timeouts

  init(api: SquareAPI, timeouts: ConnectionGuard.Timeouts) {
    self.timeouts = timeouts
    let square = SquareResponder(api: api)
    responder = { (request, writer: consuming ResponseWriter, _) in
      if let refusal = square.refusal(of: request) {
        try await writer.write(response: refusal.head, body: refusal.body)
        return
      }
      if SquareResponder.expectsContinue(request) {
        try await writer.writeInformationalHead(HTTPResponse(status: .continue))
      }
      let response = try await square.answer(request)
      try await writer.write(response: response.head, body: response.body)
    }
  }

  func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
    channel.eventLoop.makeCompletedFuture {
      let pipeline = channel.pipeline.syncOperations
      // No NIO error handler: ConnectionGuard answers malformed HTTP with Square's document.
      try pipeline.configureHTTPServerPipeline(
        withPipeliningAssistance: false, withErrorHandling: false,
        withOutboundHeaderValidation: false, withEncoderConfiguration: .init(),
        withDecoderLimitConfiguration: .init())
      try pipeline.addHandler(ConnectionGuard(timeouts))
      try pipeline.addHandler(HTTP1ToHTTPServerCodec(secure: false))
      return try NIOAsyncChannel(
        wrappingChannelSynchronously: channel,
        configuration: .init(isOutboundHalfClosureEnabled: true))
    }
  }

  func handle(value: Value, logger: Logger) async {
    await handleHTTP(asyncChannel: value, logger: logger)
  }
}
