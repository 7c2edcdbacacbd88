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
