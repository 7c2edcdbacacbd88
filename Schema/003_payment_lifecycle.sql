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
