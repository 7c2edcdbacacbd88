-- Webhooks (optimist serve, PostgreSQL): Square's webhook subscriptions, and the delivery of
-- each event to each subscription that wants it, kept here so that a server killed and
-- restarted resumes with nothing lost.

CREATE TABLE webhook_subscriptions (
  seq              BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id               TEXT    NOT NULL UNIQUE,
  name             TEXT,
  enabled          BIGINT  NOT NULL,
  -- The event types it wants, separated by commas.
  event_types      TEXT    NOT NULL,
  notification_url TEXT    NOT NULL,
  api_version      TEXT    NOT NULL,
  signature_key    TEXT    NOT NULL,
  created_at       BIGINT  NOT NULL,
  updated_at       BIGINT  NOT NULL,
  -- The feed's position when the subscription was created: it gets only later events.
  after_seq        BIGINT  NOT NULL
);

-- The one row holding how far the server has scheduled deliveries (events.seq).
CREATE TABLE webhook_feed (
  position BIGINT NOT NULL
);
INSERT INTO webhook_feed (position) VALUES (0);

-- One row per (subscription, event) to deliver: PENDING until a 2xx answer (DELIVERED) or the
-- end of the retry schedule (FAILED); the attempts made so far, the first one's time
-- (square-initial-delivery-timestamp) and the next one's, in epoch milliseconds.
CREATE TABLE webhook_deliveries (
  subscription_id  TEXT    NOT NULL,
  event_seq        BIGINT  NOT NULL,
  state            TEXT    NOT NULL,
  attempts         BIGINT  NOT NULL,
  first_attempt_at BIGINT,
  next_attempt_at  BIGINT  NOT NULL,
  PRIMARY KEY (subscription_id, event_seq)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at);
