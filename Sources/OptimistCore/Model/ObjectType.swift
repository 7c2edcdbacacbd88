/// The kinds of object the store holds.
public enum ObjectType: String, CaseIterable, Sendable {
  case customer = "CUSTOMER"
  case item = "ITEM"
  case payment = "PAYMENT"
  case refund = "REFUND"

  /// The table that holds objects of this type.
  var table: String {
    switch self {
    case .customer: return "customers"
    case .item: return "items"
    case .payment: return "payments"
    case .refund: return "refunds"
    }
  }

  /// The fields `create-…` and `update` may set; payments and refunds have none (payments
  /// change through their own commands, refunds never).
  public var fields: [Field] {
    switch self {
    case .customer: return Customer.fields
    case .item: return CatalogItem.fields
    case .payment, .refund: return []
    }
  }

  /// JSON names that only the tool sets (an array: see `Currency.codes` on sets' cost).
  public static let readOnlyFields: [String] = [
    "id", "type", "version", "created_at", "updated_at", "is_deleted",
  ]
}

/// Customers: Square's Customers API shape; `version` starts at 0 and grows by 1 per update.
public enum Customer {
  public static let fields: [Field] = [
    Field("given_name", .text(maxLength: 300)),
    Field("family_name", .text(maxLength: 300)),
    Field("company_name", .text(maxLength: 500)),
    Field("email_address", .text(maxLength: 254)),
    Field("phone_number", .text(maxLength: 32)),
    Field("reference_id", .text(maxLength: 100)),
    Field("note", .text(maxLength: 500)),
  ]

  /// A customer must keep at least one of these (Square's CreateCustomer rule).
  public static let contactFields = [
    "given_name", "family_name", "company_name", "email_address", "phone_number",
  ]
}

/// Catalog items: Square's Catalog API shape; `version` is the update time in epoch
/// milliseconds, strictly increasing across the store.
public enum CatalogItem {
  public static let fields: [Field] = [
    Field("name", .text(maxLength: 512)),
    Field("description", .text(maxLength: 4096)),
    Field("available_for_pickup", .boolean),
  ]
}

extension ObjectType {
  /// A type named as `list --type` takes it (CUSTOMER, ITEM, PAYMENT or REFUND).
  public static func parse(_ raw: String) throws(OptimistError) -> ObjectType {
    guard let type = ObjectType(rawValue: raw) else {
      let hint =
        nearestName(to: raw, in: ObjectType.allCases.map { $0.rawValue })
        .map { " Did you mean `\($0)`?" } ?? ""
      throw .invalidValue(
        field: "type",
        detail: "`type` must be CUSTOMER, ITEM, PAYMENT or REFUND, not `\(raw)`.\(hint)")
    }
    return type
  }
}
