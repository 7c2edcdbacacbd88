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
