import Dispatch
import Foundation
import OptimistCore

/// Delivers the event feed to webhook subscriptions: a thread of the server with its own
/// connection to the store, following the feed (so events written by CLI processes are
/// delivered too).
///
/// Each turn it schedules deliveries for new events (`scheduleWebhookDeliveries`), makes the
/// attempts that are due (up to 8 at once, each bounded by 10 seconds), records each outcome
/// in the store, then waits for a new event or the next due attempt, at most a second, as
/// `wait` does. A delivery is DELIVERED only once a 2xx answer is recorded, so a server killed
/// at any moment resumes, restarted, with nothing lost (a delivery may then come twice: at
/// least once, as Square's).
final class WebhookWorker: @unchecked Sendable {
  /// A 2xx within this many seconds is success, as Square's.
  static let attemptTimeout = 10.0
  /// Attempts made at once.
  static let parallel = 8

  private let location: String
  private let timeout: Double
  private let schedule: RetrySchedule

  private init(location: String, timeout: Double, schedule: RetrySchedule) {
    self.location = location
    self.timeout = timeout
    self.schedule = schedule
  }

  /// Starts the worker's thread.
  static func start(location: String, timeout: Double, schedule: RetrySchedule) {
    let worker = WebhookWorker(location: location, timeout: timeout, schedule: schedule)
    let thread = Thread { worker.run() }
    thread.name = "optimist-webhooks"
    thread.start()
  }

  /// `OPTIMIST_WEBHOOK_RETRY_SCALE`: a number above 0, at most 1, that the retry schedule's
  /// delays are multiplied by (for tests: 0.001 makes a minute 60 ms); nil when malformed.
  static func retryScale(_ text: String?) -> Double? {
    guard let text else { return 1 }
    guard let scale = Double(text), scale.isFinite, scale > 0, scale <= 1 else { return nil }
    return scale
  }

  private func run() {
    var store: (any StoreEngine)?
    while true {
      do {
        let engine = try store ?? Engines.open(location, timeout: timeout)
        store = engine
        try turn(engine)
        if engine.isMissing {
          // No store yet, so no subscription: look again in a second, with a fresh engine
          // (an engine that found no store keeps saying so).
          store = nil
          Thread.sleep(forTimeInterval: 1)
        }
      } catch {
        // A lost connection or a busy store: start afresh a moment later.
        store = nil
        Server.write(
          "optimist-serve: webhook delivery: \(OptimistError(error, timeout: timeout).detail)\n",
          to: 2)
        Thread.sleep(forTimeInterval: 1)
      }
    }
  }

  /// One turn: waits for a new event, or the next due attempt, at most a second, and makes
  /// the attempts due. The work runs as the engine's watch's check, which the engine calls
  /// only once it is watching (SQLite has read its change counter, PostgreSQL LISTENs): an
  /// event committed while an attempt is made wakes the next look at once.
  private func turn(_ store: any StoreEngine) throws {
    let now = Timestamp.now().milliseconds
    let next = try store.nextWebhookAttempt()?.milliseconds ?? Int64.max
    let wait = min(1.0, max(0.0, Double(next - now) / 1000))
    let _: Bool? = try store.watch(id: EventFeed.watchID, until: Deadline(after: wait)) {
      try attempt(store) ? true : nil
    }
  }

  /// Schedules the new events' deliveries and makes the attempts due; whether it made any
  /// (or found no store), so that the turn ends.
  private func attempt(_ store: any StoreEngine) throws -> Bool {
    _ = try store.scheduleWebhookDeliveries(now: Timestamp.now())
    if store.isMissing { return true }
    let due = try store.dueWebhookDeliveries(now: Timestamp.now(), limit: 4 * Self.parallel)
    guard !due.isEmpty else { return false }
    // The posts take up to 10 seconds: the store's connection holds nothing meanwhile.
    store.idle()
    var outcomes = [WebhookOutcome](repeating: .noAnswer(""), count: due.count)
    let started = Timestamp.now()
    outcomes.withUnsafeMutableBufferPointer { slots in
      let slots = UnsafeSendable(slots)
      DispatchQueue.concurrentPerform(iterations: due.count) { index in
        let delivery = due[index]
        slots.value[index] = Self.post(
          delivery.body, to: delivery.url, key: delivery.signatureKey,
          retry: delivery.attempts, firstAttempt: delivery.firstAttemptAt ?? started)
      }
    }
    for (delivery, outcome) in zip(due, outcomes) {
      try store.recordWebhookAttempt(
        delivery, delivered: outcome.delivered, at: started, schedule: schedule)
      if !outcome.delivered { logFailure(delivery, outcome, at: started) }
    }
    return true
  }

  /// One line in the server's log for an attempt that failed: the receiver (scheme, host and
  /// port, never the path or query, which may hold a secret), its answer or why there was
  /// none, the attempt's number and what happens next.
  private func logFailure(_ delivery: WebhookDelivery, _ outcome: WebhookOutcome, at: Timestamp) {
    let attempts = delivery.attempts + 1
    let next = schedule.next(after: attempts, firstAttemptAt: delivery.firstAttemptAt ?? at)
    let origin = (try? WebhookURL(delivery.url))?.origin ?? "the subscription's URL"
    let answer: String
    switch outcome {
    case .answered(let status): answer = "answered HTTP \(status)"
    case .noAnswer(let reason): answer = reason
    }
    let then = next.map { "retried at \($0.rfc3339)" } ?? "the last attempt: given up"
    Server.write(
      "optimist-serve: webhook delivery to \(origin) (subscription \(delivery.subscriptionID), "
        + "event \(delivery.eventPosition)): \(answer), attempt \(attempts); \(then)\n", to: 2)
  }

  /// POSTs `body` to `url` signed with `key`, with Square's delivery headers: the status code
  /// the receiver answered with, or why there was none (nothing within 10 seconds, a failed
  /// TLS handshake, …).
  static func post(
    _ body: String, to url: String, key: String, retry: Int64, firstAttempt: Timestamp
  ) -> WebhookOutcome {
    guard let target = try? WebhookURL(url) else { return .noAnswer("the URL is not valid") }
    let headers = [
      ("x-square-hmacsha256-signature", HMAC.signature(key: key, message: url + body)),
      ("square-retry-number", String(retry)),
      ("square-initial-delivery-timestamp", firstAttempt.rfc3339),
      ("square-environment", "Sandbox"),
    ]
    return WebhookPost.send(to: target, headers: headers, body: body, timeout: attemptTimeout)
  }
}

/// A value handed to `concurrentPerform`'s iterations, each of which writes its own slot.
private struct UnsafeSendable<Value>: @unchecked Sendable {
  let value: Value
  init(_ value: Value) { self.value = value }
}
