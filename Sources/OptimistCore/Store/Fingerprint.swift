/// What an idempotency key is compared on: the typed request, every stored property of it,
/// in one canonical JSON text (members sorted, as `JSONValue.canonicalText`).
///
/// A request is `Encodable`, so the compiler lists its properties: a field added to a
/// request is in its fingerprint without anyone remembering to put it there, and a retry
/// that differs in any of them is IDEMPOTENCY_KEY_REUSED rather than a replay of another
/// request's answer. A request leaves a property out only by naming its `CodingKeys`, and
/// says why there.
public protocol IdempotentRequest: Encodable, Sendable {
  /// The key, when the request has one: the same key and the same fingerprint replay.
  var key: IdempotencyKey? { get }
}

extension IdempotentRequest {
  /// The request's canonical text (`Fingerprint.of`).
  var fingerprint: String { Fingerprint.of(self) }
}

/// An idempotency key as given: 1 to 45 characters (Square's limit for CreatePayment).
public struct IdempotencyKey: Sendable, Equatable, Encodable {
  public let text: String

  public init(_ text: String) throws(OptimistError) {
    guard !text.isEmpty else {
      throw .invalidValue(
        field: "idempotency_key", detail: "The idempotency key must not be empty.")
    }
    guard text.unicodeScalars.count <= 45 else {
      throw .valueTooLong(field: "idempotency_key", maximum: 45)
    }
    self.text = text
  }

  /// A key given or not: `--key` is optional on most commands.
  public init?(_ text: String?) throws(OptimistError) {
    guard let text else { return nil }
    try self.init(text)
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(text)
  }
}

/// Encodes a value into canonical JSON text: the one fingerprint function.
enum Fingerprint {
  static func of(_ value: some Encodable) -> String {
    let encoder = CanonicalEncoder()
    // The encoder itself never throws; a value's own encode(to:) could, and is then told
    // apart from every request by its error (so it replays nothing).
    do {
      try value.encode(to: encoder)
    } catch {
      return "{\"unencodable\":\(JSONObject.quoted(String(describing: error)))}"
    }
    return encoder.storage.value.canonicalText
  }
}

/// A node of the tree being encoded, shared by the containers that fill it.
private final class Node {
  enum Kind {
    case empty
    case value(JSONValue)
    case object([(String, Node)])
    case array([Node])
  }

  var kind = Kind.empty

  var value: JSONValue {
    switch kind {
    case .empty: return .null
    case .value(let value): return value
    case .object(let members): return .object(members.map { JSONValue.Member($0.0, $0.1.value) })
    case .array(let elements): return .array(elements.map(\.value))
    }
  }

  func child(_ key: String) -> Node {
    let node = Node()
    if case .object(var members) = kind {
      members.append((key, node))
      kind = .object(members)
    } else {
      kind = .object([(key, node)])
    }
    return node
  }

  func append() -> Node {
    let node = Node()
    if case .array(var elements) = kind {
      elements.append(node)
      kind = .array(elements)
    } else {
      kind = .array([node])
    }
    return node
  }
}

private struct CanonicalEncoder: Encoder {
  let storage: Node
  var codingPath: [any CodingKey] = []
  var userInfo: [CodingUserInfoKey: Any] { [:] }

  init(_ storage: Node = Node()) { self.storage = storage }

  func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
    if case .object = storage.kind {} else { storage.kind = .object([]) }
    return KeyedEncodingContainer(Keyed<Key>(node: storage))
  }

  func unkeyedContainer() -> any UnkeyedEncodingContainer {
    if case .array = storage.kind {} else { storage.kind = .array([]) }
    return Unkeyed(node: storage)
  }

  func singleValueContainer() -> any SingleValueEncodingContainer { Single(node: storage) }

  struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: Node
    var codingPath: [any CodingKey] { [] }

    mutating func encodeNil(forKey key: Key) {}
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
      try value.encode(to: CanonicalEncoder(node.child(key.stringValue)))
    }
    mutating func nestedContainer<NestedKey: CodingKey>(
      keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
      CanonicalEncoder(node.child(key.stringValue)).container(keyedBy: keyType)
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
      CanonicalEncoder(node.child(key.stringValue)).unkeyedContainer()
    }
    mutating func superEncoder() -> any Encoder { CanonicalEncoder(node.child("super")) }
    mutating func superEncoder(forKey key: Key) -> any Encoder {
      CanonicalEncoder(node.child(key.stringValue))
    }
  }

  struct Unkeyed: UnkeyedEncodingContainer {
    let node: Node
    var codingPath: [any CodingKey] { [] }
    var count: Int {
      if case .array(let elements) = node.kind { return elements.count }
      return 0
    }

    mutating func encodeNil() { node.append().kind = .value(.null) }
    mutating func encode<T: Encodable>(_ value: T) throws {
      try value.encode(to: CanonicalEncoder(node.append()))
    }
    mutating func nestedContainer<NestedKey: CodingKey>(
      keyedBy keyType: NestedKey.Type
    ) -> KeyedEncodingContainer<NestedKey> {
      CanonicalEncoder(node.append()).container(keyedBy: keyType)
    }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
      CanonicalEncoder(node.append()).unkeyedContainer()
    }
    mutating func superEncoder() -> any Encoder { CanonicalEncoder(node.append()) }
  }

  struct Single: SingleValueEncodingContainer {
    let node: Node
    var codingPath: [any CodingKey] { [] }

    mutating func encodeNil() { node.kind = .value(.null) }
    mutating func encode(_ value: Bool) { node.kind = .value(.bool(value)) }
    mutating func encode(_ value: String) { node.kind = .value(.string(value)) }
    mutating func encode(_ value: Double) { node.kind = .value(.number(String(value))) }
    mutating func encode(_ value: Float) { node.kind = .value(.number(String(value))) }
    mutating func encode(_ value: Int) { node.kind = .value(.number(String(value))) }
    mutating func encode(_ value: Int8) { node.kind = .value(.number(String(value))) }
    mutating func encode(_ value: Int16) { node.kind = .value(.number(String(value))) }
    mutating func encode(_ value: Int32) { node.kind = .value(.number(String(value))) }
    mutating func encode(_ value: Int64) { node.kind = .value(.number(String(value))) }
    mutating func encode(_ value: UInt) { node.kind = .value(.number(String(value))) }
    mutating func encode(_ value: UInt8) { node.kind = .value(.number(String(value))) }
    mutating func encode(_ value: UInt16) { node.kind = .value(.number(String(value))) }
    mutating func encode(_ value: UInt32) { node.kind = .value(.number(String(value))) }
    mutating func encode(_ value: UInt64) { node.kind = .value(.number(String(value))) }
    mutating func encode<T: Encodable>(_ value: T) throws {
      try value.encode(to: CanonicalEncoder(node))
    }
  }
}
