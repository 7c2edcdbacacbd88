/// A value a command answers with: the object, page, payment or refund it read or wrote, which
/// each surface renders its own way (the CLI: JSON on stdout and an exit status; the server:
/// a body and an HTTP status).
///
/// Refusals are thrown as `OptimistError`; an answer carries an error only when the value
/// comes with one (a declined payment is recorded, and refused: `refusal`).
public protocol Answer: Sendable {
  /// The value as JSON, as `get` prints it, without a trailing newline; empty for none.
  var json: String { get }
  /// The refusal that comes with the value, if any (CARD_DECLINED with its FAILED payment).
  var refusal: OptimistError? { get }
}

extension Answer {
  public var refusal: OptimistError? { nil }

  /// How the CLI prints it (and a key stores it).
  public var printed: StoredAnswer { StoredAnswer(self) }
}

/// The answer of a command run with an idempotency key: the value it produced now, or the
/// first answer to the same key and request, replayed byte for byte (Idempotency.swift).
public enum Keyed<Value: Answer>: Sendable {
  case new(Value)
  case replayed(StoredAnswer)

  /// The value produced now; nil for a replay.
  public var value: Value? {
    if case .new(let value) = self { return value }
    return nil
  }
}

/// `Keyed` with its value's type left out, as a transaction carries it: a generic type would
/// have the runtime build its metadata in every process that runs the command (a `get`
/// costs about as much), since `StoreEngine.write` is called on an existential engine.
public enum KeyedAnswer: Sendable {
  case new(any Answer)
  case replayed(StoredAnswer)
}

extension Keyed {
  /// The typed answer `erased` carries; its value is of type `Value`, as the operation that
  /// made it produced (anything else is a storage error, not a crash).
  @inline(__always)
  init(_ erased: KeyedAnswer) throws(OptimistError) {
    switch erased {
    case .new(let value):
      guard let value = value as? Value else {
        throw .storage(
          "Internal error: an answer of type \(type(of: value)) where \(Value.self) was due.")
      }
      self = .new(value)
    case .replayed(let answer): self = .replayed(answer)
    }
  }
}

/// An answer as the CLI prints it, and as it is stored for its key: the exact bytes and the
/// exit status.
public struct StoredAnswer: Sendable, Equatable {
  /// stdout: the JSON and its newline, or empty.
  public let stdout: String
  /// stderr: Square's error document and its newline, or empty.
  public let stderr: String
  public let status: ExitStatus

  public init(stdout: String, stderr: String = "", status: ExitStatus = .success) {
    self.stdout = stdout
    self.stderr = stderr
    self.status = status
  }

  /// How `answer` is printed, and so stored.
  public init(_ answer: some Answer) {
    let json = answer.json
    stdout = json.isEmpty ? "" : json + "\n"
    stderr = answer.refusal.map { $0.document + "\n" } ?? ""
    status = answer.refusal?.exitStatus ?? .success
  }
}

extension StoredAnswer {
  /// How a refused or failed command prints: the error document on stderr, nothing on stdout.
  public init(refusal: OptimistError) {
    self.init(stdout: "", stderr: refusal.document + "\n", status: refusal.exitStatus)
  }
}

extension Keyed {
  /// How the CLI prints it: the value's JSON, or the first answer's bytes again.
  public var printed: StoredAnswer {
    switch self {
    case .new(let value): return StoredAnswer(value)
    case .replayed(let answer): return answer
    }
  }
}
