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
