-- Version history (PostgreSQL): every update and delete of a customer or item keeps the
-- version it replaces here, in the same transaction (the current version of a live object is
-- its row in customers or items).

CREATE TABLE history (
  id          TEXT    NOT NULL,
  version     BIGINT  NOT NULL,
  -- When the version stopped being current (epoch milliseconds); prune-history --older-than
  -- goes by it.
  replaced_at BIGINT  NOT NULL,
  -- The version's JSON exactly as get printed it; the last version of a deleted object also
  -- says "is_deleted":true and "deleted_at". prune-history removes an object's oldest
  -- versions first and keeps the row of the newest one it removed with an empty object:
  -- versions at or below it were pruned, not never written.
  object      TEXT    NOT NULL,
  PRIMARY KEY (id, version)
);

-- optimist wait: every change to a customer or item notifies channel optimist_changes with
-- the object's id as payload, delivered when the change commits. A waiter LISTENs before it
-- first reads, so no change slips between its read and its wait.
CREATE FUNCTION optimist_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('optimist_changes', OLD.id);
  ELSE
    PERFORM pg_notify('optimist_changes', NEW.id);
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER customers_notify AFTER INSERT OR UPDATE OR DELETE ON customers
  FOR EACH ROW EXECUTE FUNCTION optimist_notify_change();
CREATE TRIGGER items_notify AFTER INSERT OR UPDATE OR DELETE ON items
  FOR EACH ROW EXECUTE FUNCTION optimist_notify_change();
