import OptimistCore

/// PostgreSQL's spellings: <https://www.postgresql.org/docs/current/functions-conditional.html>,
/// <https://www.postgresql.org/docs/current/sql-createsequence.html>,
/// <https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS>, and for
/// `$n` <https://www.postgresql.org/docs/current/sql-expressions.html>.
public struct PostgresDialect: SQLDialect {
  public init() {}

  public var name: String { "postgresql" }

  public func greatest(_ a: SQL, _ b: SQL) -> SQL { "GREATEST(\(a), \(b))" }

  /// The server's clock, so that every client's writes share one.
  public var serverMilliseconds: String? {
    "floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint"
  }

  public var lockForUpdate: String { " FOR UPDATE" }

  /// The identity column's sequence is `<table>_seq_seq` (Schema/postgresql/001_initial.sql).
  public func highestPosition(_ table: String) -> SQL {
    "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM \(raw: table)_seq_seq"
  }

  public func serializeInserts(_ table: String) -> String? {
    "SELECT pg_advisory_xact_lock(\(PostgresLocks.namespace), "
      + "hashtext(current_schema() || '.\(table)'))"
  }

  /// In the schema the store's statements name tables in (the first of search_path), read
  /// with the statement's snapshot: after the lock `webhookTables` is created under, it sees
  /// another transaction's committed CREATE.
  public func tableExists(_ table: String) -> SQL {
    "SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = current_schema() AND tablename = \(table)"
  }

  /// The webhook tables, made with the first subscription
  /// (Schema/postgresql/on-demand/webhooks.sql),
  /// embedded by `make schema`.
  public var webhookTables: String { Migration.postgresqlWebhookTables }

  public func setSchemaVersion(_ version: Int) -> String {
    "UPDATE optimist_schema SET version = \(version)"
  }

  /// `$n`, PostgreSQL's own positional parameter.
  public func placeholder(at index: Int) -> String { "$\(index)" }
}

/// Keys of PostgreSQL's advisory locks: (namespace, hash of schema and what is locked).
public enum PostgresLocks {
  /// The first key of every optimist advisory lock ("op" in ASCII).
  public static let namespace = 0x6F70
}
