/// Checks of the store's own rules that any engine can run (`doctor` on PostgreSQL, where
/// the server guards its files itself).
extension Transaction {
  /// Every rule the stored rows break, in words; empty when all hold.
  ///
  /// - Payments and their idempotency keys match one to one: every `create-payment` key
  ///   names a stored payment (but a key `cancel-payment --key` took before any payment), no
  ///   payment has two keys (pruned keys leave payments alone).
  /// - Every key holds a finished answer (a claim is never committed without one).
  /// - A payment's refunds add up to its refunded amount, which is at most its total.
  /// - Versions are well formed: customers' at least 0; items' positive, at most the catalog
  ///   clock, and never handed out twice; the clock is one row.
  package func consistencyProblems() throws -> [String] {
    let checks: [(String, SQL)] = [
      (
        "create-payment keys that name no payment",
        "SELECT count(*) FROM idempotency_keys k WHERE k.command = 'create-payment' "
          + "AND k.request <> '\(raw: Idempotency.canceledBeforeCreation)' "
          + "AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.id = k.object_id)"
      ),
      (
        "payments with more than one key",
        "SELECT count(*) FROM (SELECT object_id FROM idempotency_keys "
          + "WHERE command = 'create-payment' AND request <> '\(raw: Idempotency.canceledBeforeCreation)' "
          + "GROUP BY object_id HAVING count(*) > 1) AS twice"
      ),
      (
        "keys without a finished answer",
        "SELECT count(*) FROM idempotency_keys WHERE exit_code < 0"
      ),
      (
        "payments whose refunds do not add up to refunded_money or exceed the total",
        "SELECT count(*) FROM payments p WHERE p.refunded > p.amount + p.tip OR p.refunded <> "
          + "(SELECT coalesce(sum(r.amount), 0) FROM refunds r WHERE r.payment_id = p.id)"
      ),
      (
        "refunds of no payment",
        "SELECT count(*) FROM refunds r WHERE NOT EXISTS "
          + "(SELECT 1 FROM payments p WHERE p.id = r.payment_id)"
      ),
      ("customers with a negative version", "SELECT count(*) FROM customers WHERE version < 0"),
      (
        "items with a version outside the catalog clock",
        "SELECT count(*) FROM items WHERE version <= 0 "
          + "OR version > (SELECT max(last_version) FROM catalog_clock)"
      ),
      (
        "item versions handed out twice",
        "SELECT count(*) FROM (SELECT version FROM items GROUP BY version HAVING count(*) > 1) AS twice"
      ),
      ("catalog clock rows other than one", "SELECT abs(count(*) - 1) FROM catalog_clock"),
    ]
    var problems: [String] = []
    for (name, sql) in checks {
      let count = try first(sql)?.integer(0) ?? 0
      if count != 0 { problems.append("\(count) \(name)") }
    }
    return problems
  }
}
