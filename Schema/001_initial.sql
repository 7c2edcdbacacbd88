-- Versioned objects: customers and catalog items.
-- seq gives list its stable order (AUTOINCREMENT: never reused, so a cursor never skips a
-- new object); id is the public, random id.

CREATE TABLE customers (
  seq           INTEGER PRIMARY KEY AUTOINCREMENT,
  id            TEXT    NOT NULL UNIQUE,
  version       INTEGER NOT NULL,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
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
  seq                  INTEGER PRIMARY KEY AUTOINCREMENT,
  id                   TEXT    NOT NULL UNIQUE,
  version              INTEGER NOT NULL,
  created_at           INTEGER NOT NULL,
  updated_at           INTEGER NOT NULL,
  name                 TEXT    NOT NULL CHECK (name <> ''),
  description          TEXT,
  available_for_pickup INTEGER CHECK (available_for_pickup IN (0, 1))
);

-- The last catalog version handed out: item versions are epoch milliseconds,
-- strictly increasing across the store even within one millisecond.
CREATE TABLE catalog_clock (
  singleton    INTEGER PRIMARY KEY CHECK (singleton = 1),
  last_version INTEGER NOT NULL
);
INSERT INTO catalog_clock (singleton, last_version) VALUES (1, 0);
