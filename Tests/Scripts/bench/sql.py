"""The sqlite3 shell's side of every SQLite comparison, and the seeded databases.

Every side commits durably the same way (Durability.swift): the rollback journal in TRUNCATE
mode at synchronous=FULL. These are the one place those settings live: the shell's calls and
the floor programs follow them. journal_mode is per connection, so every shell call sets it,
its answer sent to /dev/null. Every call waits up to 10 s for a lock, like optimist's default
--timeout 10; -bail stops a script at its first error.
"""

import os
import subprocess

JOURNAL_MODE = "TRUNCATE"
SYNCHRONOUS = "FULL"
PRAGMAS = f"PRAGMA journal_mode = {JOURNAL_MODE}; PRAGMA synchronous = {SYNCHRONOUS};"
COLUMNS = ("id, version, created_at, updated_at, given_name, family_name, company_name, email_address, "
           "phone_number, reference_id, note")
NOW = "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"  # epoch milliseconds
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"  # ids: 26 of these
RANDOM_ID = (f"(SELECT group_concat(substr('{ALPHABET}', (random() & 31) + 1, 1), '') FROM (WITH RECURSIVE "
             "i(n) AS (VALUES (1) UNION ALL SELECT n + 1 FROM i WHERE n < 26) SELECT n FROM i))")
ISO_TIME = "strftime('%Y-%m-%dT%H:%M:%fZ', created_at / 1000.0, 'unixepoch')"


def shell(mode=JOURNAL_MODE):
    """The sqlite3 command line every shell call starts with (journal mode MODE)."""
    return ["sqlite3", "-bail", "-cmd", ".timeout 10000", "-cmd", ".output /dev/null",
            "-cmd", f"PRAGMA journal_mode = {mode}", "-cmd", ".output stdout"]


def get_sql(customer):
    """What `optimist get ID` reads."""
    return f"SELECT {COLUMNS} FROM customers WHERE id = '{customer}'"


def update_sql(customer, version, note, synchronous=SYNCHRONOUS):
    """`optimist update ID --version V --set note=N`: a conditional UPDATE, then the row with
    changes() (1: updated, 0: the version was stale)."""
    return (f"PRAGMA synchronous = {synchronous}; BEGIN IMMEDIATE; "
            f"UPDATE customers SET note = '{note}', version = version + 1, updated_at = {NOW} "
            f"WHERE id = '{customer}' AND version = {version}; "
            f"SELECT changes() AS changed, {COLUMNS} FROM customers WHERE id = '{customer}'; COMMIT;")


def payment_sql(key, customer):
    """`optimist create-payment --key KEY --amount 450 --currency USD --source-id
    cnon:card-nonce-ok --customer-id CUSTOMER`: unless the key exists, insert the payment and the
    key row with its answer, in one transaction; then print the key's answer."""
    money = "json_object('amount', amount, 'currency', currency)"
    return (
        f"PRAGMA synchronous = {SYNCHRONOUS}; BEGIN IMMEDIATE; "
        "INSERT INTO payments (id, created_at, updated_at, amount, currency, status, source_id, customer_id, "
        "version_token) "
        f"SELECT {RANDOM_ID}, {NOW}, {NOW}, 450, 'USD', 'COMPLETED', 'cnon:card-nonce-ok', '{customer}', {RANDOM_ID} "
        f"WHERE NOT EXISTS (SELECT 1 FROM idempotency_keys WHERE command = 'create-payment' AND key = '{key}') "
        f"AND EXISTS (SELECT 1 FROM customers WHERE id = '{customer}'); "
        "INSERT INTO idempotency_keys (command, key, request, object_id, stdout, stderr, exit_code, created_at) "
        f"SELECT 'create-payment', '{key}', json_object('amount', amount, 'currency', currency, 'source_id', "
        "source_id, 'customer_id', customer_id), "
        f"id, json_object('id', id, 'created_at', {ISO_TIME}, 'updated_at', {ISO_TIME}, "
        f"'amount_money', {money}, 'total_money', {money}, "
        f"'approved_money', {money}, 'status', status, 'source_type', 'CARD', "
        "'customer_id', customer_id, 'version_token', version_token), '', 0, created_at "
        "FROM payments WHERE seq = last_insert_rowid(); "
        f"SELECT stdout FROM idempotency_keys WHERE command = 'create-payment' AND key = '{key}'; COMMIT;")


def _digits(expression, count):
    """COUNT characters of ALPHABET from the bits of an SQL integer."""
    return " || ".join(f"substr('{ALPHABET}', ((({expression}) >> {5 * i}) & 31) + 1, 1)" for i in range(count))


# The id of row n: its first 6 characters are n * an odd number mod 2^30 (one-to-one, so ids are
# unique and spread over the index like random ones); the other 20 only look random.
ROW_ID = " || ".join([
    _digits("(n * 2654435761) % 1073741824", 6),
    _digits("(n * 2246822519 + 374761393) % 1073741824", 6),
    _digits("(n * 3266489917 + 668265263) % 1073741824", 6),
    _digits("(n * 668265263 + 2654435761) % 1099511627776", 8)])


# The seeded customers' creation times: row n was created at SEEDED + n ms. Fixed, so that one
# call's instructions do not depend on the day (times are formatted into the answers).
SEEDED = 1764547200000  # 2025-12-01T00:00:00Z


def seed(optimist, db, n):
    """optimist creates the database and its schema (with one customer: reads do not create a
    missing database); then SQL replaces that customer with N customers, each with the
    idempotency key it was created with (as `create-customer --key` stores it), in one
    transaction."""
    started = SEEDED + n
    for path in (db, db + "-journal"):
        if os.path.exists(path):
            os.remove(path)
    subprocess.run([optimist, "create-customer", "--given-name", "Seed", "--db", db], check=True,
                   stdout=subprocess.DEVNULL)
    script = f"""
PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -400000;
BEGIN;
DELETE FROM customers;
DELETE FROM sqlite_sequence WHERE name = 'customers';
WITH RECURSIVE row(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM row WHERE n < {n})
INSERT INTO customers (id, version, created_at, updated_at, given_name, family_name, email_address, note)
SELECT {ROW_ID}, 0, {started} - {n} + n, {started} - {n} + n,
       'Given' || n, 'Family' || n, 'customer' || n || '@example.com', '0'
FROM row;
INSERT INTO idempotency_keys (command, key, request, object_id, stdout, stderr, exit_code, created_at)
SELECT 'create-customer', 'seed-' || seq,
       json_object('given_name', given_name, 'family_name', family_name, 'email_address', email_address, 'note', note),
       id,
       json_object('id', id, 'created_at', {ISO_TIME}, 'updated_at', {ISO_TIME}, 'version', version,
                   'given_name', given_name, 'family_name', family_name, 'email_address', email_address, 'note', note),
       '', 0, created_at
FROM customers;
COMMIT;
"""
    subprocess.run(["sqlite3", db], input=script, text=True, check=True, stdout=subprocess.DEVNULL)


def query(db, sql):
    """One value from the database, through the sqlite3 shell (the same library as the seed)."""
    return subprocess.run(["sqlite3", db, sql], check=True, capture_output=True, text=True).stdout.strip()


def id_at(db, position):
    return query(db, f"SELECT id FROM customers WHERE seq = {position}")


def version_of(db, customer):
    return int(query(db, f"SELECT version FROM customers WHERE id = '{customer}'"))
