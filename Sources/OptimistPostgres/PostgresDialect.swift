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

  /// Square's webhook subscriptions, and the delivery of each event to each subscription
  /// that wants it, kept so that a server killed and restarted resumes with nothing lost;
  /// made with the first subscription, as on SQLite (Schema/postgresql/006_webhooks.sql).
  /// webhook_subscriptions.after_seq: the feed's position when the subscription was created
  /// (it gets only later events); event_types: the types it wants, separated by commas.
  /// webhook_feed: the one row holding how far the server has scheduled deliveries
  /// (events.seq). webhook_deliveries: one row per (subscription, event) to deliver, PENDING
  /// until a 2xx answer (DELIVERED) or the end of the retry schedule (FAILED); the attempts
  /// made so far, the first one's time (square-initial-delivery-timestamp) and the next
  /// one's, in epoch milliseconds.
  public var webhookTables: String {
    """
    CREATE TABLE IF NOT EXISTS webhook_subscriptions (
      seq              BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      id               TEXT    NOT NULL UNIQUE,
      name             TEXT,
      enabled          BIGINT  NOT NULL,
      event_types      TEXT    NOT NULL,
      notification_url TEXT    NOT NULL,
      api_version      TEXT    NOT NULL,
      signature_key    TEXT    NOT NULL,
      created_at       BIGINT  NOT NULL,
      updated_at       BIGINT  NOT NULL,
      after_seq        BIGINT  NOT NULL
    );
    CREATE TABLE IF NOT EXISTS webhook_feed (
      position BIGINT NOT NULL
    );
    INSERT INTO webhook_feed (position) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM webhook_feed);
    CREATE TABLE IF NOT EXISTS webhook_deliveries (
      subscription_id  TEXT    NOT NULL,
      event_seq        BIGINT  NOT NULL,
      state            TEXT    NOT NULL,
      attempts         BIGINT  NOT NULL,
      first_attempt_at BIGINT,
      next_attempt_at  BIGINT  NOT NULL,
      PRIMARY KEY (subscription_id, event_seq)
    );
    CREATE INDEX IF NOT EXISTS webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at);
    """
  }

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
