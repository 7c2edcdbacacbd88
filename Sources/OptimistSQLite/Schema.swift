// Generated from Schema/*.sql by `make schema`; a test checks it matches.

import OptimistCore

extension Migration {
  /// Every SQLite migration, in order: migration N sets `PRAGMA user_version = N`.
  public static let sqlite: [Migration] = [
    Migration(
      number: 1, file: "001_initial.sql",
      sql: #"""
        -- Versioned objects: customers and catalog items.
        -- seq gives list its stable order (AUTOINCREMENT: never reused, so a cursor never skips a
        -- new object); id is the public, random id.

        CREATE TABLE customers (
          seq           INTEGER PRIMARY KEY AUTOINCREMENT,
          id            TEXT    NOT NULL UNIQUE,
          version       INTEGER NOT NULL,
          created_at    INTEGER NOT NULL,
          updated_at    INTEGER NOT NULL,
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
          seq                  INTEGER PRIMARY KEY AUTOINCREMENT,
          id                   TEXT    NOT NULL UNIQUE,
          version              INTEGER NOT NULL,
          created_at           INTEGER NOT NULL,
          updated_at           INTEGER NOT NULL,
          name                 TEXT    NOT NULL CHECK (name <> ''),
          description          TEXT,
          available_for_pickup INTEGER CHECK (available_for_pickup IN (0, 1))
        );

        -- The last catalog version handed out: item versions are epoch milliseconds,
        -- strictly increasing across the store even within one millisecond.
        CREATE TABLE catalog_clock (
          singleton    INTEGER PRIMARY KEY CHECK (singleton = 1),
          last_version INTEGER NOT NULL
        );
        INSERT INTO catalog_clock (singleton, last_version) VALUES (1, 0);
        """#),
    Migration(
      number: 2, file: "002_payments.sql",
      sql: #"""
        -- Payments and idempotency keys.

        CREATE TABLE payments (
          seq           INTEGER PRIMARY KEY AUTOINCREMENT,
          id            TEXT    NOT NULL UNIQUE,
          created_at    INTEGER NOT NULL,
          amount        INTEGER NOT NULL CHECK (amount > 0),
          currency      TEXT    NOT NULL,
          status        TEXT    NOT NULL CHECK (status IN ('APPROVED', 'COMPLETED', 'FAILED')),
          source_id     TEXT    NOT NULL,
          customer_id   TEXT,
          reference_id  TEXT,
          note          TEXT,
          version_token TEXT    NOT NULL
        );

        -- One row per (command, key): the request it was first used for and the response it got,
        -- replayed byte for byte when the same request comes again.
        CREATE TABLE idempotency_keys (
          command    TEXT    NOT NULL,
          key        TEXT    NOT NULL,
          request    TEXT    NOT NULL,
          object_id  TEXT    NOT NULL,
          stdout     TEXT    NOT NULL,
          stderr     TEXT    NOT NULL,
          exit_code  INTEGER NOT NULL,
          created_at INTEGER NOT NULL,
          PRIMARY KEY (command, key)
        ) WITHOUT ROWID;

        CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
        """#),
    Migration(
      number: 3, file: "003_payment_lifecycle.sql",
      sql: #"""
        -- Payments change after they are taken: an APPROVED payment can have its amount and tip
        -- updated, then be completed or canceled; a COMPLETED one can be refunded. Every change gives
        -- it a new version_token. SQLite cannot change a CHECK constraint in place, so the table is
        -- rebuilt (https://www.sqlite.org/lang_altertable.html#otheralter); its rows keep their seq,
        -- and with them every list cursor. `refunded` is what the payment's refunds add up to, never
        -- more than amount + tip; `refund_ids` their ids, oldest first, separated by commas. (Comments
        -- stay outside CREATE TABLE: SQLite keeps a table's text and parses it in every process.)

        CREATE TABLE payments_new (
          seq           INTEGER PRIMARY KEY AUTOINCREMENT,
          id            TEXT    NOT NULL UNIQUE,
          created_at    INTEGER NOT NULL,
          updated_at    INTEGER NOT NULL,
          amount        INTEGER NOT NULL CHECK (amount > 0),
          tip           INTEGER NOT NULL DEFAULT 0 CHECK (tip >= 0),
          refunded      INTEGER NOT NULL DEFAULT 0 CHECK (refunded >= 0 AND refunded <= amount + tip),
          currency      TEXT    NOT NULL,
          status        TEXT    NOT NULL
                        CHECK (status IN ('APPROVED', 'COMPLETED', 'CANCELED', 'FAILED')),
          source_id     TEXT    NOT NULL,
          customer_id   TEXT,
          reference_id  TEXT,
          note          TEXT,
          refund_ids    TEXT    NOT NULL DEFAULT '',
          version_token TEXT    NOT NULL
        );
        INSERT INTO payments_new (seq, id, created_at, updated_at, amount, currency, status, source_id,
            customer_id, reference_id, note, version_token)
          SELECT seq, id, created_at, created_at, amount, currency, status, source_id, customer_id,
            reference_id, note, version_token
          FROM payments;
        DROP TABLE payments;
        ALTER TABLE payments_new RENAME TO payments;

        CREATE TABLE refunds (
          seq        INTEGER PRIMARY KEY AUTOINCREMENT,
          id         TEXT    NOT NULL UNIQUE,
          payment_id TEXT    NOT NULL,
          created_at INTEGER NOT NULL,
          amount     INTEGER NOT NULL CHECK (amount > 0),
          currency   TEXT    NOT NULL,
          reason     TEXT
        );
        -- No index on payment_id: no command looks refunds up by payment (the payment keeps their ids),
        -- and every index is parsed by every process.
        """#),
    Migration(
      number: 4, file: "004_history.sql",
      sql: #"""
        -- Version history: every update and delete of a customer or item keeps the version it
        -- replaces here, in the same transaction (the current version of a live object is its row in
        -- customers or items). `object` is that version's JSON exactly as get printed it; the last
        -- version of a deleted object also says "is_deleted":true and "deleted_at". `replaced_at` is
        -- when the version stopped being current (epoch milliseconds): prune-history --older-than goes
        -- by it. (id, version) is the key: ids are never reused, and an object's versions only grow.
        -- prune-history removes an object's oldest versions first and keeps the row of the newest one
        -- it removed with an empty `object`: versions at or below it were pruned, not never written.
        -- (One table, comments outside CREATE TABLE: SQLite keeps a table's text and parses it in
        -- every process.)

        CREATE TABLE history (
          id          TEXT    NOT NULL,
          version     INTEGER NOT NULL,
          replaced_at INTEGER NOT NULL,
          object      TEXT    NOT NULL,
          PRIMARY KEY (id, version)
        ) WITHOUT ROWID;
        """#),
    Migration(
      number: 5, file: "005_events.sql",
      sql: #"""
        -- The event feed (an outbox): every command that changes an object appends Square-shaped
        -- events here in its own transaction, so the feed holds exactly the committed changes. `seq`
        -- is the global order: SQLite's single writer makes it commit order, and AUTOINCREMENT never
        -- hands out a number twice, even after prune-events removed the newest rows, so a cursor
        -- never repeats nor skips. `type` is the event's type (customer.created, …), `created_at`
        -- when it was written (epoch milliseconds; prune-events --older-than goes by it), `body` the
        -- whole event as delivered: {"merchant_id","type","event_id","created_at","data":{…}}.
        -- (One table, comments outside CREATE TABLE: SQLite keeps a table's text and parses it in
        -- every process.)

        CREATE TABLE events (
          seq        INTEGER PRIMARY KEY AUTOINCREMENT,
          type       TEXT    NOT NULL,
          created_at INTEGER NOT NULL,
          body       TEXT    NOT NULL
        );
        """#),
    Migration(
      number: 6, file: "006_webhooks.sql",
      sql: #"""
        -- Webhooks: nothing. This migration created the three webhook tables (webhook_subscriptions,
        -- webhook_feed, webhook_deliveries) in every store, and SQLite parses every table's text in
        -- every process that opens the file: about 100,000 instructions per CLI call, for tables only
        -- `optimist serve` uses (BENCHMARKS.md). They are now created with the first webhook
        -- subscription, in its transaction (SQLiteDialect.webhookTables, Operations/Webhooks.swift),
        -- and a store without them has no subscription. The number stays, so that schema versions
        -- agree with the stores development builds made; those keep their tables, which are the same.
        """#),
  ]

  /// The webhook tables, made on demand: Schema/on-demand/webhooks.sql.
  public static let sqliteWebhookTables = #"""
    -- The webhook tables: Square's webhook subscriptions, and the delivery of each event to each
    -- subscription that wants it, kept so that a server killed and restarted resumes with nothing
    -- lost. Not a migration: they are made with the first subscription, in its transaction
    -- (Operations/Webhooks.swift, `createWebhookTables`), because SQLite parses every table's text
    -- in every process that opens the file (Schema/006_webhooks.sql). Every statement may run
    -- again. `make schema` embeds this file (SQLiteDialect.webhookTables); a test checks it.
    --
    -- webhook_subscriptions.after_seq: the feed's position when the subscription was created (it
    -- gets only later events); event_types: the types it wants, separated by commas.
    -- webhook_feed: the one row holding how far the server has scheduled deliveries (events.seq).
    -- webhook_deliveries: one row per (subscription, event) to deliver; state is PENDING until a
    -- 2xx answer (DELIVERED) or the end of the retry schedule (FAILED); the attempts made so far,
    -- the first one's time (square-initial-delivery-timestamp) and the next one's, in epoch
    -- milliseconds. No comments inside CREATE TABLE: SQLite keeps a table's text and parses it in
    -- every process.
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
    """#
}
