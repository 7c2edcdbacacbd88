-- Version history: every update and delete of a customer or item keeps the version it
-- replaces here, in the same transaction (the current version of a live object is its row in
-- customers or items). `object` is that version's JSON exactly as get printed it; the last
-- version of a deleted object also says "is_deleted":true and "deleted_at". `replaced_at` is
-- when the version stopped being current (epoch milliseconds): prune-history --older-than goes
-- by it. (id, version) is the key: ids are never reused, and an object's versions only grow.
-- (Comments stay outside CREATE TABLE: SQLite keeps a table's text and parses it in every
-- process.)

CREATE TABLE history (
  id          TEXT    NOT NULL,
  version     INTEGER NOT NULL,
  replaced_at INTEGER NOT NULL,
  object      TEXT    NOT NULL,
  PRIMARY KEY (id, version)
) WITHOUT ROWID;

-- Per object, the newest version prune-history removed (it removes an object's oldest
-- versions first): a version at or below it is reported as pruned, not as never written.

CREATE TABLE history_pruned (
  id      TEXT    PRIMARY KEY,
  version INTEGER NOT NULL
) WITHOUT ROWID;
