/// A customer or catalog item as stored: the tool's own fields and the user's values.
public struct VersionedObject: Sendable, Equatable {
  public let type: ObjectType
  public let id: String
  public var version: Int64 { didSet { rendered = nil } }
  public let createdAt: Timestamp
  public var updatedAt: Timestamp { didSet { rendered = nil } }
  /// The user's values by JSON name; absent fields are not there.
  public var values: FieldValues { didSet { rendered = nil } }
  /// `json` as `render()` made it, until a value changes: a write renders the object it
  /// wrote once, for its event (Outbox.swift) and for the answer that prints it.
  private var rendered: String?

  public init(
    type: ObjectType, id: String, version: Int64, createdAt: Timestamp, updatedAt: Timestamp,
    values: FieldValues
  ) {
    self.type = type
    self.id = id
    self.version = version
    self.createdAt = createdAt
    self.updatedAt = updatedAt
    self.values = values
  }

  /// Checks the rules across fields for the values of a new object of `type`.
  public static func validateNew(type: ObjectType, values: FieldValues) throws(OptimistError) {
    let object = VersionedObject(
      type: type, id: "", version: 0, createdAt: .init(milliseconds: 0),
      updatedAt: .init(milliseconds: 0), values: values)
    try object.validate()
  }

  /// Checks the rules that involve more than one field.
  public func validate() throws(OptimistError) {
    switch type {
    case .customer:
      guard Customer.contactFields.contains(where: { values[$0] != nil }) else {
        throw .missingRequiredParameter(
          field: nil,
          detail:
            "A customer needs at least one of given_name, family_name, company_name, email_address or phone_number."
        )
      }
    case .item:
      guard values["name"] != nil else {
        throw .missingRequiredParameter(field: "name", detail: "An item needs a non-empty `name`.")
      }
    case .payment, .refund:
      break
    }
  }

  /// The object in Square's JSON shape.
  public var json: String { rendered ?? json(deletedAt: nil) }

  /// Renders `json` now and keeps it, until a value changes.
  mutating func render() { rendered = json(deletedAt: nil) }

  /// Equal objects are equal whether or not either was rendered.
  public static func == (a: VersionedObject, b: VersionedObject) -> Bool {
    a.type == b.type && a.id == b.id && a.version == b.version && a.createdAt == b.createdAt
      && a.updatedAt == b.updatedAt && a.values == b.values
  }

  /// The object in Square's JSON shape; the last version of a deleted object (as its history
  /// keeps it) also says `"is_deleted":true` and `"deleted_at"`, right after `version`.
  public func json(deletedAt: Timestamp?) -> String {
    var object = JSONObject()
    switch type {
    case .item:
      object.add("type", type.rawValue)
      object.add("id", id)
      object.add("updated_at", updatedAt.rfc3339)
      object.add("version", version)
      object.add("is_deleted", deletedAt != nil)
      object.add("deleted_at", deletedAt?.rfc3339)
      var itemData = JSONObject()
      addValues(to: &itemData)
      object.addRaw("item_data", itemData.text)
    case .customer, .payment, .refund:
      object.add("id", id)
      object.add("created_at", createdAt.rfc3339)
      object.add("updated_at", updatedAt.rfc3339)
      object.add("version", version)
      if let deletedAt {
        object.add("is_deleted", true)
        object.add("deleted_at", deletedAt.rfc3339)
      }
      addValues(to: &object)
    }
    return object.text
  }

  private func addValues(to object: inout JSONObject) {
    for field in type.fields {
      switch values[field.name] {
      case .text(let text): object.add(field.name, text)
      case .boolean(let flag): object.add(field.name, flag)
      case nil: break
      }
    }
  }
}
