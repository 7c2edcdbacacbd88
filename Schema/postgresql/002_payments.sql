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
