"""Part `pg`: optimist (through optimist-pg) against psql running the same SQL on one
throwaway PostgreSQL server (Tests/Scripts/pg-server.sh, durable: fsync and synchronous_commit
on), both over its Unix socket, in the same run. Each psql call connects too, as each optimist
call does.

  one call: get, update --version, create-payment --key: wall time (hyperfine -N)
  contention: workers x cycles read-modify-write cycles (get, update --version, again on a
  stale version) on one customer: throughput and lost updates
"""

import json
import os
import subprocess
import tempfile
import threading
import time

import common

COLUMNS = ("id, version, created_at, updated_at, given_name, family_name, company_name, "
           "email_address, phone_number, reference_id, note")
NOW = "floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint"
PAYMENT_JSON = ("json_build_object('id', p.id, 'amount_money', json_build_object('amount', p.amount, "
                "'currency', p.currency), 'status', p.status, 'source_type', 'CARD', "
                "'customer_id', p.customer_id, 'version_token', p.version_token)::text")
PG_SERVER = os.path.join(common.SCRIPTS, "pg-server.sh")


def psql_binary():
    versions = sorted(int(v) for v in os.listdir("/usr/lib/postgresql") if v.isdigit())
    return f"/usr/lib/postgresql/{versions[-1]}/bin/psql"


def get_sql(customer):
    return f"SELECT {COLUMNS} FROM customers WHERE id = '{customer}'"


def update_sql(customer, version, note):
    """`optimist update ID --version V --set note=N`: lock, conditional UPDATE, the row."""
    return (f"BEGIN; SELECT {COLUMNS} FROM customers WHERE id = '{customer}' FOR UPDATE; "
            f"UPDATE customers SET note = '{note}', version = version + 1, updated_at = {NOW} "
            f"WHERE id = '{customer}' AND version = {version} RETURNING {COLUMNS}; COMMIT")


def payment_sql(key, customer):
    """`optimist create-payment --key K …`: claim the key, insert, store the answer, print it."""
    return (
        "BEGIN; "
        "INSERT INTO idempotency_keys (command, key, request, object_id, stdout, stderr, exit_code, created_at) "
        f"VALUES ('create-payment', '{key}', '{{}}', '', '', '', -1, {NOW}) ON CONFLICT DO NOTHING; "
        "WITH p AS (INSERT INTO payments (id, created_at, updated_at, amount, currency, status, source_id, "
        "customer_id, version_token) "
        f"SELECT md5(random()::text), {NOW}, {NOW}, 450, 'USD', 'COMPLETED', 'cnon:card-nonce-ok', '{customer}', "
        f"md5(random()::text) WHERE EXISTS (SELECT 1 FROM customers WHERE id = '{customer}') RETURNING *) "
        f"UPDATE idempotency_keys k SET object_id = p.id, stdout = {PAYMENT_JSON}, exit_code = 0 FROM p "
        f"WHERE k.command = 'create-payment' AND k.key = '{key}' AND k.exit_code = -1; "
        f"SELECT stdout FROM idempotency_keys WHERE command = 'create-payment' AND key = '{key}'; COMMIT")


def psql(url, statement):
    return [psql_binary(), "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", statement]


def contention(tool, binary, url, customer, workers, cycles):
    """(cycles per second, lost updates) of WORKERS x CYCLES increments of the customer's note."""
    done = [0]
    lock = threading.Lock()

    def read():
        if tool == "optimist":
            row = json.loads(common.run([binary, "get", customer, "--db", url]))
            return row["version"], int(row.get("note") or 0)
        version, note = common.run(psql(url, f"SELECT version, coalesce(note, '0') FROM customers "
                                             f"WHERE id = '{customer}'")).strip().split("|")
        return int(version), int(note)

    def write(version, note):
        if tool == "optimist":
            p = subprocess.run([binary, "update", customer, "--version", str(version), "--set", f"note={note}",
                                "--db", url], capture_output=True, text=True)
            if p.returncode not in (0, 3):
                raise SystemExit(f"optimist update exited {p.returncode}: {p.stderr}")
            return p.returncode == 0
        # The locked row, then the updated one: two rows when the version was current.
        return len(common.run(psql(url, update_sql(customer, version, note))).strip().splitlines()) == 2

    def worker():
        for _ in range(cycles):
            while True:
                version, note = read()
                if write(version, note + 1):
                    with lock:
                        done[0] += 1
                    break

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    started = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.time() - started
    return {"cycles_per_second": done[0] / elapsed, "lost_updates": workers * cycles - read()[1]}


def measure(ctx):
    binary, runs = ctx.binary, ctx.size["pg_runs"]
    workers, cycles = ctx.size["workers"], ctx.size["pg_cycles"]
    common.say("PostgreSQL: one call and contention, optimist against psql")
    with tempfile.TemporaryDirectory(prefix="optimist-bench-pg-") as temporary:
        os.chmod(temporary, 0o755)
        folder = os.path.join(temporary, "server")
        port = common.run(["bash", PG_SERVER, "start", folder, "durable"]).strip()
        url = f"postgresql://postgres@/postgres?host={folder}&port={port}"
        try:
            def create(*words):
                return json.loads(common.run([binary, *words, "--db", url]))["id"]

            ids = [create("create-customer", "--given-name", f"c{i}", "--note", "0") for i in range(6)]
            common.run(psql(url, "INSERT INTO customers (id, version, created_at, updated_at, given_name) "
                                 f"SELECT 'FILL' || n, 0, {NOW}, {NOW}, 'x' FROM generate_series(1, 1000) n"))

            def one(name, argv, scan=None):
                return common.summary([ctx.hyperfine(f"pg-{name}", argv, runs=runs, warmup=None if scan else 3,
                                                     scan=scan)])

            out = {
                "server_version": common.run(psql(url, "SHOW server_version")).strip(),
                "get": {"opt": one("get-opt", [binary, "get", ids[0], "--db", url]),
                        "psql": one("get-psql", psql(url, get_sql(ids[0])))},
                "update": {"opt": one("update-opt", [binary, "update", ids[1], "--version", "{v}", "--set",
                                                     "note=n{v}", "--db", url], ("v", 0)),
                           "psql": one("update-psql", psql(url, update_sql(ids[2], "{v}", "n{v}")), ("v", 0))},
                "payment": {"opt": one("payment-opt", [binary, "create-payment", "--key", "o{v}", "--amount", "450",
                                                       "--currency", "USD", "--source-id", "cnon:card-nonce-ok",
                                                       "--customer-id", ids[0], "--db", url], ("v", 0)),
                            "psql": one("payment-psql", psql(url, payment_sql("s{v}", ids[0])), ("v", 0))},
                "contention": {"opt": contention("optimist", binary, url, ids[3], workers, cycles),
                               "psql": contention("psql", binary, url, ids[4], workers, cycles)},
            }
        finally:
            subprocess.run(["bash", PG_SERVER, "stop", folder], check=False)
    ctx.commands = [c.replace(folder, "$PGDIR").replace(f"port={port}", "port=$PGPORT") for c in ctx.commands]
    return out
