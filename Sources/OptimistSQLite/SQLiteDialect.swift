import OptimistCore

/// SQLite's spellings: <https://www.sqlite.org/lang_corefunc.html#max_scalar>,
/// <https://www.sqlite.org/autoinc.html>, <https://www.sqlite.org/pragma.html#pragma_user_version>,
/// <https://www.sqlite.org/lang_expr.html#varparam>.
public struct SQLiteDialect: SQLDialect {
  public init() {}

  public var name: String { "sqlite" }

  public func greatest(_ a: SQL, _ b: SQL) -> SQL { "max(\(a), \(b))" }

  /// Nil: SQLite runs in this process, so the host's clock is bound as a value.
  public var serverMilliseconds: String? { nil }

  /// Nothing: a write transaction holds the database's write lock from `BEGIN IMMEDIATE` on.
  public var lockForUpdate: String { "" }

  public func highestPosition(_ table: String) -> SQL {
    "SELECT seq FROM sqlite_sequence WHERE name = \(table)"
  }

  /// Nil: the write lock already orders every insert.
  public func serializeInserts(_ table: String) -> String? { nil }

  public func tableExists(_ table: String) -> SQL {
    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = \(table)"
  }

  /// The webhook tables, made with the first subscription (Schema/on-demand/webhooks.sql),
  /// embedded by `make schema`.
  public var webhookTables: String { Migration.sqliteWebhookTables }

  public func setSchemaVersion(_ version: Int) -> String { "PRAGMA user_version = \(version)" }

  /// `?NNN`, which SQLite binds to the NNNth value wherever it stands in the statement.
  public func placeholder(at index: Int) -> String { "?\(index)" }
}
