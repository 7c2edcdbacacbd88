import CTLS
import OptimistCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A webhook POST to an https URL: TLS from the system OpenSSL over the connected socket
/// `WebhookPost` made, within the same deadline.
///
/// The peer's certificate is verified against the system's CAs
/// (`SSL_CTX_set_default_verify_paths`, so `SSL_CERT_FILE` and `SSL_CERT_DIR` replace them, as
/// for every OpenSSL client) and must name the URL's host (`SSL_set1_host`: a DNS name or an
/// IP address). OpenSSL reads and writes memory buffers, never the socket: the bytes go through
/// `WebhookPost`'s own `send` (MSG_NOSIGNAL) and `recv`, each bounded by what is left of the
/// deadline, so a slow handshake is bounded like the rest and a closed socket raises no SIGPIPE.
/// A failed handshake or verification is a failed attempt; its reason goes to the server's log
/// (host and port only: a URL's path or query may hold a secret).
struct TLSExchange {
  let fd: Int32
  let host: String
  let port: Int
  let deadline: Deadline

  /// One client context for the process (OpenSSL 3's contexts are safe to share between
  /// threads once set up); nil when OpenSSL could not make one.
  private static let context = Context()

  private final class Context: @unchecked Sendable {
    let pointer: OpaquePointer?

    init() {
      let made = SSL_CTX_new(TLS_client_method())
      if let made {
        SSL_CTX_set_verify(made, SSL_VERIFY_PEER, nil)
        _ = SSL_CTX_set_default_verify_paths(made)
      }
      pointer = made
    }
  }

  /// Why an exchange failed, for the server's log.
  struct Failure: Error {
    let reason: String
  }

  /// Sends `request` and returns what the receiver answered, up to the end of its status line,
  /// or why the handshake, the verification or the exchange failed or ran out of time.
  func post(_ request: String) -> Result<[UInt8], Failure> {
    guard let context = Self.context.pointer else {
      return failed("OpenSSL could not make a client context")
    }
    ERR_clear_error()
    guard let ssl = SSL_new(context) else { return failed("SSL_new failed") }
    defer { SSL_free(ssl) }
    // The two memory buffers belong to `ssl` once set, and are freed with it.
    let incoming = BIO_new(BIO_s_mem())
    let outgoing = BIO_new(BIO_s_mem())
    guard let incoming, let outgoing else {
      BIO_free(incoming)
      BIO_free(outgoing)
      return failed("BIO_new failed")
    }
    SSL_set_bio(ssl, incoming, outgoing)
    SSL_set_connect_state(ssl)
    guard SSL_set1_host(ssl, host) == 1 else { return failed("cannot check the name \(host)") }
    // SNI names a host by its DNS name, never by an address (RFC 6066, section 3).
    if !isAddress(host) {
      _ = optimist_tls_set_server_name(ssl, host)
    }
    let pipe = RecordPipe(fd: fd, incoming: incoming, outgoing: outgoing, deadline: deadline)

    guard pipe.run(ssl, { SSL_connect(ssl) }) != nil else {
      return failed(handshakeFailure(ssl))
    }
    var request = request
    let sent = request.withUTF8 { bytes in
      pipe.run(ssl) { SSL_write(ssl, bytes.baseAddress, Int32(bytes.count)) }
    }
    guard sent == Int32(request.utf8.count) else {
      return failed("the request could not be sent")
    }

    var received: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 1024)
    while !received.contains(0x0A) && received.count < 8192 {
      let count = buffer.withUnsafeMutableBytes { bytes in
        pipe.run(ssl) { SSL_read(ssl, bytes.baseAddress, Int32(bytes.count)) }
      }
      guard let count else { break }
      received += buffer[0..<Int(count)]
    }
    // A polite close_notify, sent without waiting for the peer's.
    _ = SSL_shutdown(ssl)
    pipe.flush()
    return .success(received)
  }

  private func failed(_ reason: String) -> Result<[UInt8], Failure> {
    .failure(Failure(reason: reason))
  }

  /// Why the handshake failed: the certificate's verification error, else OpenSSL's first
  /// queued error, else that the peer closed or did not answer in time.
  private func handshakeFailure(_ ssl: OpaquePointer) -> String {
    let verified = SSL_get_verify_result(ssl)
    if verified != X509_V_OK {
      return "certificate verify failed: "
        + String(cString: X509_verify_cert_error_string(verified))
    }
    let code = ERR_get_error()
    if code != 0 {
      var text = [CChar](repeating: 0, count: 256)
      ERR_error_string_n(code, &text, text.count)
      let bytes = text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
      return "handshake failed: " + String(decoding: bytes, as: UTF8.self)
    }
    return deadline.hasPassed
      ? "handshake failed: no answer in time" : "handshake failed: the peer closed the connection"
  }

  private func isAddress(_ name: String) -> Bool {
    var bytes = [UInt8](repeating: 0, count: 16)
    return inet_pton(AF_INET, name, &bytes) == 1 || inet_pton(AF_INET6, name, &bytes) == 1
  }
}

/// Moves TLS records between OpenSSL's memory buffers and the socket.
private struct RecordPipe {
  let fd: Int32
  let incoming: OpaquePointer
  let outgoing: OpaquePointer
  let deadline: Deadline

  /// Runs an SSL call until it completes, sending what it wrote and receiving what it waits
  /// for; its positive result, or nil on failure, end of stream, or the deadline.
  func run(_ ssl: OpaquePointer, _ call: () -> Int32) -> Int32? {
    while true {
      // SSL_get_error reads this thread's error queue, which must be empty before the call.
      ERR_clear_error()
      let result = call()
      let error = SSL_get_error(ssl, result)
      guard flush() else { return nil }
      if result > 0 { return result }
      guard error == SSL_ERROR_WANT_READ, receive() else { return nil }
    }
  }

  /// Sends what OpenSSL wrote; false when the socket failed or the deadline passed.
  @discardableResult
  func flush() -> Bool {
    var buffer = [UInt8](repeating: 0, count: 16384)
    while BIO_ctrl_pending(outgoing) > 0 {
      let count = buffer.withUnsafeMutableBytes {
        BIO_read(outgoing, $0.baseAddress, Int32($0.count))
      }
      guard count > 0, WebhookPost.limit(fd, by: deadline),
        buffer.withUnsafeBufferPointer({
          WebhookPost.sendAll(fd, UnsafeBufferPointer(rebasing: $0[0..<Int(count)]))
        })
      else { return false }
    }
    return true
  }

  /// Receives what the socket has for OpenSSL; false on end of stream, error or the deadline.
  private func receive() -> Bool {
    var buffer = [UInt8](repeating: 0, count: 16384)
    while true {
      guard WebhookPost.limit(fd, by: deadline) else { return false }
      let count = recv(fd, &buffer, buffer.count, 0)
      if count > 0 {
        return buffer.withUnsafeBytes { BIO_write(incoming, $0.baseAddress, Int32(count)) }
          == Int32(count)
      }
      if count < 0 && errno == EINTR { continue }
      return false
    }
  }
}
