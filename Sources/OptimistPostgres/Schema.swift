// Generated from Schema/postgresql/*.sql by `make schema`; a test checks it matches.

import OptimistCore

extension Migration {
  /// Every PostgreSQL migration, in order: migration N sets `optimist_schema.version = N`.
  public static let postgresql: [Migration] = [
    Migration(
      number: 1, file: "001_initial.sql",
      sql: #"""
        -- Versioned objects: customers and catalog items (PostgreSQL).
        -- seq gives list its stable order (an identity column: its sequence <table>_seq_seq never
        -- hands a value out twice, so a cursor never skips a new object); id is the public, random id.

        -- The schema version, the one row migrations update (SQLite keeps it in PRAGMA user_version).
        CREATE TABLE optimist_schema (
          singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
          version   INTEGER NOT NULL
        );
        INSERT INTO optimist_schema (singleton, version) VALUES (1, 0);

        CREATE TABLE customers (
          seq           BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          id            TEXT    NOT NULL UNIQUE,
          version       BIGINT  NOT NULL,
          created_at    BIGINT  NOT NULL,
          updated_at    BIGINT  NOT NULL,
          given_name    TEXT,
          family_name   TEXT,
          company_name  TEXT,
          email_address TEXT,
          phone_number  TEXT,
          reference_id  TEXT,
          note          TEXT,
          CHECK (coalesce(given_name, family_name, company_name, email_address, phone_number) IS NOT NULL)
        );

        CREATE TABLE items (
          seq                  BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          id                   TEXT    NOT NULL UNIQUE,
          version              BIGINT  NOT NULL,
          created_at           BIGINT  NOT NULL,
          updated_at           BIGINT  NOT NULL,
          name                 TEXT    NOT NULL CHECK (name <> ''),
          description          TEXT,
          available_for_pickup BIGINT  CHECK (available_for_pickup IN (0, 1))
        );

        -- The last catalog version handed out: item versions are epoch milliseconds of the
        -- server's clock, strictly increasing across the store even within one millisecond.
        CREATE TABLE catalog_clock (
          singleton    INTEGER PRIMARY KEY CHECK (singleton = 1),
          last_version BIGINT  NOT NULL
        );
        INSERT INTO catalog_clock (singleton, last_version) VALUES (1, 0);
        """#),
    Migration(
      number: 2, file: "002_payments.sql",
      sql: #"""
        -- Payments and idempotency keys (PostgreSQL).

        CREATE TABLE payments (
          seq           BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          id            TEXT    NOT NULL UNIQUE,
          created_at    BIGINT  NOT NULL,
          amount        BIGINT  NOT NULL CHECK (amount > 0),
          currency      TEXT    NOT NULL,
          status        TEXT    NOT NULL CHECK (status IN ('APPROVED', 'COMPLETED', 'FAILED')),
          source_id     TEXT    NOT NULL,
          customer_id   TEXT,
          reference_id  TEXT,
          note          TEXT,
          version_token TEXT    NOT NULL
        );

        -- One row per (command, key): the request it was first used for and the response it got,
        -- replayed byte for byte when the same request comes again. A command claims its key by
        -- inserting this row first; a concurrent caller with the same key waits on it.
        CREATE TABLE idempotency_keys (
          command    TEXT    NOT NULL,
          key        TEXT    NOT NULL,
          request    TEXT    NOT NULL,
          object_id  TEXT    NOT NULL,
          stdout     TEXT    NOT NULL,
          stderr     TEXT    NOT NULL,
          exit_code  INTEGER NOT NULL,
          created_at BIGINT  NOT NULL,
          PRIMARY KEY (command, key)
        );

        CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
        """#),
    Migration(
      number: 3, file: "003_payment_lifecycle.sql",
      sql: #"""
        -- Payments change after they are taken (PostgreSQL): an APPROVED payment can have its amount
        -- and tip updated, then be completed or canceled; a COMPLETED one can be refunded. Every
        -- change gives it a new version_token.

        ALTER TABLE payments DROP CONSTRAINT payments_status_check;
        ALTER TABLE payments
          ADD CONSTRAINT payments_status_check
            CHECK (status IN ('APPROVED', 'COMPLETED', 'CANCELED', 'FAILED')),
          ADD COLUMN updated_at BIGINT,
          ADD COLUMN tip        BIGINT NOT NULL DEFAULT 0 CHECK (tip >= 0),
          -- What the refunds of this payment add up to; never more than amount + tip.
          ADD COLUMN refunded   BIGINT NOT NULL DEFAULT 0,
          -- The ids of the payment's refunds, oldest first, separated by commas.
          ADD COLUMN refund_ids TEXT   NOT NULL DEFAULT '';
        UPDATE payments SET updated_at = created_at;
        ALTER TABLE payments
          ALTER COLUMN updated_at SET NOT NULL,
          ADD CONSTRAINT payments_refunded_check CHECK (refunded >= 0 AND refunded <= amount + tip);

        CREATE TABLE refunds (
          seq        BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          id         TEXT    NOT NULL UNIQUE,
          payment_id TEXT    NOT NULL,
          created_at BIGINT  NOT NULL,
          amount     BIGINT  NOT NULL CHECK (amount > 0),
          currency   TEXT    NOT NULL,
          reason     TEXT
        );
        CREATE INDEX refunds_by_payment ON refunds (payment_id);
        """#),
    Migration(
      number: 4, file: "004_history.sql",
      sql: #"""
        -- Version history (PostgreSQL): every update and delete of a customer or item keeps the
        -- version it replaces here, in the same transaction (the current version of a live object is
        -- its row in customers or items).

        CREATE TABLE history (
          id          TEXT    NOT NULL,
          version     BIGINT  NOT NULL,
          -- When the version stopped being current (epoch milliseconds); prune-history --older-than
          -- goes by it.
          replaced_at BIGINT  NOT NULL,
          -- The version's JSON exactly as get printed it; the last version of a deleted object also
          -- says "is_deleted":true and "deleted_at". prune-history removes an object's oldest
          -- versions first and keeps the row of the newest one it removed with an empty object:
          -- versions at or below it were pruned, not never written.
          object      TEXT    NOT NULL,
          PRIMARY KEY (id, version)
        );

        -- optimist wait: every change to a customer or item notifies channel optimist_changes with
        -- the object's id as payload, delivered when the change commits. A waiter LISTENs before it
        -- first reads, so no change slips between its read and its wait.
        CREATE FUNCTION optimist_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP = 'DELETE' THEN
            PERFORM pg_notify('optimist_changes', OLD.id);
          ELSE
            PERFORM pg_notify('optimist_changes', NEW.id);
          END IF;
          RETURN NULL;
        END
        $$;
        CREATE TRIGGER customers_notify AFTER INSERT OR UPDATE OR DELETE ON customers
          FOR EACH ROW EXECUTE FUNCTION optimist_notify_change();
        CREATE TRIGGER items_notify AFTER INSERT OR UPDATE OR DELETE ON items
          FOR EACH ROW EXECUTE FUNCTION optimist_notify_change();
        """#),
    Migration(
      number: 5, file: "005_events.sql",
      sql: #"""
        -- The event feed (PostgreSQL): every command that changes an object appends Square-shaped
        -- events here in its own transaction (an outbox).

        CREATE TABLE events (
          -- The global order. An identity value is handed out before commit, so on its own it is not
          -- commit order; a writer takes the feed's transaction-level advisory lock just before it
          -- inserts its events, as the last thing it does before COMMIT (WriteTransaction's outbox),
          -- so numbers are handed out in commit order and a reader paging by seq never skips one
          -- that commits later.
          seq        BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          -- customer.created, payment.updated, … (Square's names).
          type       TEXT    NOT NULL,
          -- When the event was written (epoch milliseconds); prune-events --older-than goes by it.
          created_at BIGINT  NOT NULL,
          -- The whole event as delivered: {"merchant_id","type","event_id","created_at","data":{…}}.
          body       TEXT    NOT NULL
        );

        -- optimist events --follow: a statement that appends events notifies channel
        -- optimist_changes with payload `*events` (not an id: ids have no `*`) when it commits.
        CREATE FUNCTION optimist_notify_events() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          PERFORM pg_notify('optimist_changes', '*events');
          RETURN NULL;
        END
        $$;
        CREATE TRIGGER events_notify AFTER INSERT ON events
          FOR EACH STATEMENT EXECUTE FUNCTION optimist_notify_events();
        """#),
    Migration(
      number: 6, file: "006_webhooks.sql",
      sql: #"""
        -- Webhooks: nothing. The webhook tables (webhook_subscriptions, webhook_feed,
        -- webhook_deliveries) are created with the first webhook subscription, in its transaction
        -- (PostgresDialect.webhookTables, Operations/Webhooks.swift), as on SQLite, where every
        -- table costs every process that opens the file its parse; a store without them has no
        -- subscription. The number stays, so that schema versions agree with the stores development
        -- builds made; those keep their tables, which are the same.
        """#),
  ]

  /// The webhook tables, made on demand: Schema/postgresql/on-demand/webhooks.sql.
  public static let postgresqlWebhookTables = #"""
    -- The webhook tables: Square's webhook subscriptions, and the delivery of each event to each
    -- subscription that wants it, kept so that a server killed and restarted resumes with nothing
    -- lost. Made with the first subscription, in its transaction, after an advisory lock, as on
    -- SQLite (Schema/on-demand/webhooks.sql, Schema/postgresql/006_webhooks.sql). Every statement
    -- may run again. `make schema` embeds this file (PostgresDialect.webhookTables); a test checks
    -- it.
    --
    -- webhook_subscriptions.after_seq: the feed's position when the subscription was created (it
    -- gets only later events); event_types: the types it wants, separated by commas.
    -- webhook_feed: the one row holding how far the server has scheduled deliveries (events.seq).
    -- webhook_deliveries: one row per (subscription, event) to deliver, PENDING until a 2xx answer
    -- (DELIVERED) or the end of the retry schedule (FAILED); the attempts made so far, the first
    -- one's time (square-initial-delivery-timestamp) and the next one's, in epoch milliseconds.
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
    """#
}
