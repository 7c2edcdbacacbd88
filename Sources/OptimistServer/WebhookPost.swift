import OptimistCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// One webhook POST over HTTP/1.1 on a blocking socket, bounded by a deadline for the whole
/// exchange (connect, send, the status line): the delivery worker's threads make them, never
/// the server's event loops. Only the status code is read; the connection is then closed.
///
/// An https URL's exchange goes through `TLSExchange` (the system OpenSSL) on the same socket
/// and within the same deadline; a failed handshake or an unverified certificate is a failed
/// attempt, retried, with the reason in the server's log.
enum WebhookPost {
  /// The status code the receiver answered with, or why there was no answer in time.
  static func send(
    to url: WebhookURL, headers: [(String, String)], body: String, timeout seconds: Double
  ) -> WebhookOutcome {
    let deadline = Deadline(after: seconds)
    var hints = addrinfo()
    hints.ai_family = AF_UNSPEC
    #if canImport(Glibc)
      hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    #else
      hints.ai_socktype = SOCK_STREAM
    #endif
    var found: UnsafeMutablePointer<addrinfo>?
    guard getaddrinfo(url.host, String(url.port), &hints, &found) == 0, let first = found else {
      return .noAnswer("cannot resolve the host name")
    }
    defer { freeaddrinfo(first) }
    var candidate: UnsafeMutablePointer<addrinfo>? = first
    var refusal = "no address to connect to"
    while let address = candidate {
      candidate = address.pointee.ai_next
      let fd = socket(address.pointee.ai_family, address.pointee.ai_socktype, 0)
      guard fd >= 0 else { continue }
      defer { close(fd) }
      guard limit(fd, by: deadline),
        connect(fd, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0
      else {
        refusal =
          errno == EINPROGRESS || errno == EAGAIN
          ? "no connection within \(Int(seconds)) s" : String(cString: strerror(errno))
        continue
      }
      var request = "POST \(url.target) HTTP/1.1\r\nHost: \(hostHeader(url))\r\n"
      request += "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n"
      request += "Connection: close\r\nUser-Agent: optimist-webhooks\r\n"
      for (name, value) in headers { request += "\(name): \(value)\r\n" }
      request += "\r\n" + body
      let noAnswer = WebhookOutcome.noAnswer("no HTTP answer within \(Int(seconds)) s")
      if url.isHTTPS {
        switch TLSExchange(fd: fd, host: url.host, port: url.port, deadline: deadline).post(request)
        {
        case .success(let received):
          return statusCode(of: received).map { .answered($0) } ?? noAnswer
        case .failure(let failure): return .noAnswer("TLS: \(failure.reason)")
        }
      }
      guard limit(fd, by: deadline), sendAll(fd, request) else {
        return .noAnswer("the request could not be sent (\(String(cString: strerror(errno))))")
      }
      return statusCode(fd, deadline: deadline).map { .answered($0) } ?? noAnswer
    }
    return .noAnswer("cannot connect: \(refusal)")
  }

  private static func hostHeader(_ url: WebhookURL) -> String {
    let host = url.host.contains(":") ? "[\(url.host)]" : url.host
    return url.port == (url.isHTTPS ? 443 : 80) ? host : "\(host):\(url.port)"
  }

  /// Bounds the socket's blocking calls by what is left of `deadline`; false once it passed.
  static func limit(_ fd: Int32, by deadline: Deadline) -> Bool {
    let left = deadline.remaining ?? 10_000_000_000
    guard left > 0 else { return false }
    var time = timeval(tv_sec: Int(left / 1_000_000_000), tv_usec: Int(left % 1_000_000_000 / 1000))
    let size = socklen_t(MemoryLayout<timeval>.size)
    return setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &time, size) == 0
      && setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &time, size) == 0
  }

  static func sendAll(_ fd: Int32, _ text: String) -> Bool {
    var text = text
    return text.withUTF8 { sendAll(fd, $0) }
  }

  /// Sends every byte, each blocking call bounded by the socket's SO_SNDTIMEO; never SIGPIPE.
  static func sendAll(_ fd: Int32, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    var offset = 0
    while offset < bytes.count {
      #if canImport(Glibc)
        let sent = Glibc.send(
          fd, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
      #else
        let sent = Darwin.send(fd, bytes.baseAddress! + offset, bytes.count - offset, 0)
      #endif
      if sent > 0 {
        offset += sent
      } else if sent < 0 && errno == EINTR {
        continue
      } else {
        return false
      }
    }
    return true
  }

  /// Reads up to the end of the status line, `HTTP/1.1 200 OK`, and returns its code.
  private static func statusCode(_ fd: Int32, deadline: Deadline) -> Int? {
    var received: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 1024)
    while !received.contains(0x0A) && received.count < 8192 {
      guard limit(fd, by: deadline) else { return nil }
      let count = recv(fd, &buffer, buffer.count, 0)
      if count > 0 {
        received += buffer[0..<count]
      } else if count < 0 && errno == EINTR {
        continue
      } else {
        break
      }
    }
    return statusCode(of: received)
  }

  /// The code of the status line, `HTTP/1.1 200 OK`, that `received` starts with.
  static func statusCode(of received: [UInt8]) -> Int? {
    let line = String(decoding: received.prefix { $0 != 0x0D && $0 != 0x0A }, as: UTF8.self)
    let parts = line.split(separator: " ")
    guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let code = Int(parts[1]),
      (100...599).contains(code)
    else { return nil }
    return code
  }
}

/// What one attempt got: the receiver's status code, or why there was none (for the log).
enum WebhookOutcome: Equatable {
  case answered(Int)
  case noAnswer(String)

  /// Whether the receiver took the event: a 2xx.
  var delivered: Bool {
    if case .answered(let status) = self { return (200..<300).contains(status) }
    return false
  }
}

extension WebhookURL {
  /// `scheme://host:port`: how the server's log names a receiver (never its path or query,
  /// which may hold a secret).
  var origin: String {
    "\(isHTTPS ? "https" : "http")://\(host.contains(":") ? "[\(host)]" : host):\(port)"
  }
}
