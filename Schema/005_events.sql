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
