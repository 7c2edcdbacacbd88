-- Webhooks (optimist serve): Square's webhook subscriptions, and the delivery of each event to
-- each subscription that wants it, kept here so that a server killed and restarted resumes
-- with nothing lost. webhook_subscriptions.after_seq: the feed's position when the
-- subscription was created (it gets only later events); event_types: the types it wants,
-- separated by commas. webhook_feed: the one row holding how far the server has scheduled
-- deliveries. webhook_deliveries: one row per (subscription, event) to deliver; state is
-- PENDING until a 2xx answer (DELIVERED) or the end of the retry schedule (FAILED); attempts
-- made so far, the first one's time (square-initial-delivery-timestamp) and the next one's
-- (epoch milliseconds).

CREATE TABLE webhook_subscriptions (
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

CREATE TABLE webhook_feed (
  position INTEGER NOT NULL
);
INSERT INTO webhook_feed (position) VALUES (0);

CREATE TABLE webhook_deliveries (
  subscription_id  TEXT    NOT NULL,
  event_seq        INTEGER NOT NULL,
  state            TEXT    NOT NULL,
  attempts         INTEGER NOT NULL,
  first_attempt_at INTEGER,
  next_attempt_at  INTEGER NOT NULL,
  PRIMARY KEY (subscription_id, event_seq)
) WITHOUT ROWID;
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at);
