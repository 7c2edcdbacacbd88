/// A whole customer or item given back as JSON (`edit`'s command output; the body of the
/// server's upsert): which writable fields it changes against the object it was made from.
extension VersionedObject {
  /// The typed changes that turn this object into `json`, the object as `get` prints it with
  /// some fields changed, in the type's field order; empty when nothing changed.
  ///
  /// - Writable fields (an item's inside `item_data`, an object): present, that value, by the
  ///   rules of `Field.value(json:)` (a string for text, `true`/`false` for a boolean); left
  ///   out or `null`, the field is removed (an empty string too, as `--set FIELD=` does).
  /// - Read-only fields (`id`, `version`, `created_at`, `updated_at`, an item's `type` and
  ///   `is_deleted`) may be left out; given, they must be as this object has them.
  /// - Any other key, another type's field included: INVALID_VALUE. Not an object:
  ///   INVALID_VALUE.
  public func changes(toMatch json: JSONValue) throws(OptimistError) -> [FieldChange] {
    guard let members = json.members else {
      throw .invalidValue(
        field: nil,
        detail: "Expected the whole \(type.rawValue) as a JSON object, not \(json.typeName).")
    }
    let original = try JSONValue.parse(self.json)
    var given: [JSONValue.Member] = []
    for member in members {
      if type == .item && member.key == "item_data" { continue }
      if type == .customer, Field.named(member.key).map(type.fields.contains) == true {
        given.append(member)
        continue
      }
      try checkReadOnly(member, original: original)
    }
    if type == .item, let itemData = json["item_data"] {
      guard let inner = itemData.members else {
        throw .invalidValue(
          field: "item_data", detail: "`item_data` must be a JSON object, not \(itemData.typeName)."
        )
      }
      for member in inner {
        guard Field.named(member.key).map(type.fields.contains) == true else {
          throw unknownField("item_data." + member.key, near: member.key)
        }
        given.append(member)
      }
    }
    var changes: [FieldChange] = []
    for field in type.fields {
      let path = type == .item ? "item_data." + field.name : field.name
      let value = try given.first { $0.key == field.name }.flatMap {
        (member) throws(OptimistError) in
        try field.value(json: member.value, path: path)
      }
      if value != values[field.name] { changes.append(FieldChange(field, value)) }
    }
    return changes
  }

  /// A key that is not a writable field of this type must be one of its read-only fields,
  /// unchanged.
  private func checkReadOnly(_ member: JSONValue.Member, original: JSONValue) throws(OptimistError)
  {
    guard let was = original[member.key], !type.fields.contains(where: { $0.name == member.key })
    else {
      if ObjectType.readOnlyFields.contains(member.key) {
        throw .invalidValue(
          field: member.key, detail: "`\(member.key)` is not a field of a \(type.rawValue).")
      }
      throw unknownField(member.key, near: member.key)
    }
    if member.value == was { return }
    // The same number written another way (`1.0`, `1e3`) is the same version.
    if case .number(let text) = member.value, case .number(let wasText) = was,
      let number = Double(text), let wasNumber = Double(wasText), number == wasNumber,
      abs(wasNumber) < 9_007_199_254_740_992
    {
      return
    }
    throw .invalidValue(
      field: member.key,
      detail:
        "`\(member.key)` is read-only: it must stay \(was.text), not become \(member.value.text).")
  }

  private func unknownField(_ path: String, near name: String) -> OptimistError {
    let known = type.fields.map(\.name)
    let hint = nearestName(to: name, in: known).map { " Did you mean `\($0)`?" } ?? ""
    return .invalidValue(
      field: path, detail: "Unknown field `\(path)` for a \(type.rawValue).\(hint)")
  }
}
