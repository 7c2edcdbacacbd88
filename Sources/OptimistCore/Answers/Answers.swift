/// The values commands answer with (Answer.swift), each with the JSON `get` prints.
extension VersionedObject: Answer {}
extension Payment: Answer {}
extension Refund: Answer {}
extension StoredObject: Answer {}

/// What `delete` answers (and `wait` for a deletion):
/// `{"deleted_object_ids":[…],"deleted_at":…}`.
public struct Deletion: Answer, Equatable {
  public let id: String
  public let deletedAt: Timestamp

  public var json: String {
    var document = JSONObject()
    document.addRaw("deleted_object_ids", jsonArray([JSONObject.quoted(id)]))
    document.add("deleted_at", deletedAt.rfc3339)
    return document.text
  }
}

/// A count of what a pruning command removed: `{"deleted_keys":N}`,
/// `{"deleted_versions":N}`.
public struct Pruned: Answer, Equatable {
  /// What was removed, as the answer's one member names it.
  public enum Kind: String, Sendable {
    case keys = "deleted_keys"
    case versions = "deleted_versions"
    case events = "deleted_events"
  }

  public let kind: Kind
  public let count: Int

  public var json: String {
    var document = JSONObject()
    document.add(kind.rawValue, Int64(count))
    return document.text
  }
}

/// A past version of an object as its history keeps it: the JSON `get` printed then.
public struct PastVersion: Answer, Equatable {
  public let json: String

  /// Customer or item: `VersionedObject.json` writes an item's `type` first, and a
  /// customer's not at all.
  public var type: ObjectType {
    json.utf8.starts(with: #"{"type":"ITEM""#.utf8) ? .item : .customer
  }
}

/// An object as it is at a version: its current version, or a kept past one.
public enum ObjectAtVersion: Answer, Equatable {
  case current(VersionedObject)
  case past(PastVersion)

  public var json: String {
    switch self {
    case .current(let object): return object.json
    case .past(let version): return version.json
    }
  }

  public var type: ObjectType {
    switch self {
    case .current(let object): return object.type
    case .past(let version): return version.type
    }
  }
}

extension FieldValue: Encodable {
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    switch self {
    case .text(let text): try container.encode(text)
    case .boolean(let flag): try container.encode(flag)
    }
  }
}

extension FieldChange: Encodable {
  /// `{"field":"note","value":"VIP"}`; no `value` removes the field.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: Keys.self)
    try container.encode(field.name, forKey: .field)
    try container.encodeIfPresent(value, forKey: .value)
  }

  private enum Keys: String, CodingKey { case field, value }
}

extension ObjectType: Encodable {}
