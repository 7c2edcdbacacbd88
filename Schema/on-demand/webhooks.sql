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
