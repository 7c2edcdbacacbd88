/// A customer or catalog item as stored: the tool's own fields and the user's values.
public struct VersionedObject: Sendable, Equatable {
  public let type: ObjectType
  public let id: String
  public var version: Int64
  public let createdAt: Timestamp
  public var updatedAt: Timestamp
  /// The user's values by JSON name; absent fields are not there.
  public var values: FieldValues

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
  public var json: String { json(deletedAt: nil) }

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
