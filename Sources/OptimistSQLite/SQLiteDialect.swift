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

  /// Square's webhook subscriptions, and the delivery of each event to each subscription
  /// that wants it, kept so that a server killed and restarted resumes with nothing lost.
  /// Made with the first subscription, not by a migration: SQLite parses every table's text
  /// in every process that opens the file (Schema/006_webhooks.sql).
  /// webhook_subscriptions.after_seq: the feed's position when the subscription was created
  /// (it gets only later events); event_types: the types it wants, separated by commas.
  /// webhook_feed: the one row holding how far the server has scheduled deliveries.
  /// webhook_deliveries: one row per (subscription, event) to deliver; state is PENDING until
  /// a 2xx answer (DELIVERED) or the end of the retry schedule (FAILED); attempts made so
  /// far, the first one's time (square-initial-delivery-timestamp) and the next one's (epoch
  /// milliseconds). (No comments inside CREATE TABLE: SQLite keeps a table's text and parses
  /// it in every process.)
  public var webhookTables: String {
    """
    CREATE TABLE IF NOT EXISTS webhook_subscriptions (
      seq              INTEGER PRIMARY KEY AUTOINCREMENT,
      id               TEXT    NOT NULL UNIQUE,
      name             TEXT,
      enabled          INTEGER NOT NULL,
      event_types      TEXT    NOT NULL,
      notification_url TEXT    NOT NULL,
      api_version      TEXT    NOT NULL,
      signature_key    TEXT    NOT NULL,
      created_at       INTEGER NOT NULL,
      updated_at       INTEGER NOT NULL,
      after_seq        INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS webhook_feed (
      position INTEGER NOT NULL
    );
    INSERT INTO webhook_feed (position) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM webhook_feed);
    CREATE TABLE IF NOT EXISTS webhook_deliveries (
      subscription_id  TEXT    NOT NULL,
      event_seq        INTEGER NOT NULL,
      state            TEXT    NOT NULL,
      attempts         INTEGER NOT NULL,
      first_attempt_at INTEGER,
      next_attempt_at  INTEGER NOT NULL,
      PRIMARY KEY (subscription_id, event_seq)
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at);
    """
  }

  public func setSchemaVersion(_ version: Int) -> String { "PRAGMA user_version = \(version)" }

  /// `?NNN`, which SQLite binds to the NNNth value wherever it stands in the statement.
  public func placeholder(at index: Int) -> String { "?\(index)" }
}
