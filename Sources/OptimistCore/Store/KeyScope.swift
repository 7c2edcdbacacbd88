/// Whose idempotency keys these are: each command keeps its own (`create-customer --key K`
/// and `create-payment --key K` are different keys), and the server's catalog upserts keep
/// theirs apart from `batch`. The raw value is what `idempotency_keys.command` holds.
public enum KeyScope: String, Sendable, CaseIterable {
  case createCustomer = "create-customer"
  case createItem = "create-item"
  case createPayment = "create-payment"
  case update
  case delete
  case edit
  case batch
  case updatePayment = "update-payment"
  case completePayment = "complete-payment"
  case cancelPayment = "cancel-payment"
  case refundPayment = "refund-payment"
  /// The server's `POST /v2/catalog/object`.
  case upsertCatalogObject = "upsert-catalog-object"
  /// The server's `POST /v2/catalog/batch-upsert`.
  case batchUpsertCatalogObjects = "batch-upsert"
  case createWebhookSubscription = "create-webhook-subscription"

  /// The scope of creating an object of `type` (customers and items).
  static func create(_ type: ObjectType) -> KeyScope {
    type == .item ? .createItem : .createCustomer
  }
}
