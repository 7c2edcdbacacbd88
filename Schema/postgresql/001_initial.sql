-- Versioned objects: customers and catalog items (PostgreSQL).
-- seq gives list its stable order (an identity column: its sequence <table>_seq_seq never
-- hands a value out twice, so a cursor never skips a new object); id is the public, random id.

-- The schema version, the one row migrations update (SQLite keeps it in PRAGMA user_version).
CREATE TABLE optimist_schema (
  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
  version   INTEGER NOT NULL
);
INSERT INTO optimist_schema (singleton, version) VALUES (1, 0);

CREATE TABLE customers (
  seq           BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id            TEXT    NOT NULL UNIQUE,
  version       BIGINT  NOT NULL,
  created_at    BIGINT  NOT NULL,
  updated_at    BIGINT  NOT NULL,
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
  seq                  BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id                   TEXT    NOT NULL UNIQUE,
  version              BIGINT  NOT NULL,
  created_at           BIGINT  NOT NULL,
  updated_at           BIGINT  NOT NULL,
  name                 TEXT    NOT NULL CHECK (name <> ''),
  description          TEXT,
  available_for_pickup BIGINT  CHECK (available_for_pickup IN (0, 1))
);

-- The last catalog version handed out: item versions are epoch milliseconds of the
-- server's clock, strictly increasing across the store even within one millisecond.
CREATE TABLE catalog_clock (
  singleton    INTEGER PRIMARY KEY CHECK (singleton = 1),
  last_version BIGINT  NOT NULL
);
INSERT INTO catalog_clock (singleton, last_version) VALUES (1, 0);
