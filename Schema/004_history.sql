-- Version history: every update and delete of a customer or item keeps the version it
-- replaces here, in the same transaction (the current version of a live object is its row in
-- customers or items). `object` is that version's JSON exactly as get printed it; the last
-- version of a deleted object also says "is_deleted":true and "deleted_at". `replaced_at` is
-- when the version stopped being current (epoch milliseconds): prune-history --older-than goes
-- by it. (id, version) is the key: ids are never reused, and an object's versions only grow.
-- prune-history removes an object's oldest versions first and keeps the row of the newest one
-- it removed with an empty `object`: versions at or below it were pruned, not never written.
-- (One table, comments outside CREATE TABLE: SQLite keeps a table's text and parses it in
-- every process.)

CREATE TABLE history (
  id          TEXT    NOT NULL,
  version     INTEGER NOT NULL,
  replaced_at INTEGER NOT NULL,
  object      TEXT    NOT NULL,
  PRIMARY KEY (id, version)
) WITHOUT ROWID;
