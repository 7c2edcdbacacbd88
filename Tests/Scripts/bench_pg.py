#!/usr/bin/env python3
"""PostgreSQL side of `make bench`: optimist against psql running the same SQL on the same
server, in the same run. Prints a Markdown section for BENCHMARKS.md on stdout.

  a. one call: get, update --version, create-payment --key: median wall time (hyperfine -N),
     optimist / psql as a ratio
  b. contention: WORKERS workers x CYCLES read-modify-write cycles (get, update --version,
     again on a stale version) on one customer: throughput and lost updates, optimist vs the
     same workload scripted with psql

The server is a throwaway one (Tests/Scripts/pg-server.sh, durable: fsync and
synchronous_commit on), reached over its Unix socket, as a local psql would reach it.
Nothing here asserts a time.
"""

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
COLUMNS = ("id, version, created_at, updated_at, given_name, family_name, company_name, "
           "email_address, phone_number, reference_id, note")
NOW = "floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint"
PAYMENT_JSON = ("json_build_object('id', p.id, 'amount_money', json_build_object('amount', p.amount, "
                "'currency', p.currency), 'status', p.status, 'source_type', 'CARD', "
                "'customer_id', p.customer_id, 'version_token', p.version_token)::text")


def psql_binary():
    versions = sorted(int(v) for v in os.listdir("/usr/lib/postgresql") if v.isdigit())
    return f"/usr/lib/postgresql/{versions[-1]}/bin/psql"


PSQL = psql_binary()


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
        "WITH p AS (INSERT INTO payments (id, created_at, updated_at, amount, currency, status, source_id, customer_id, version_token) "
        f"SELECT md5(random()::text), {NOW}, {NOW}, 450, 'USD', 'COMPLETED', 'cnon:card-nonce-ok', '{customer}', md5(random()::text) "
        f"WHERE EXISTS (SELECT 1 FROM customers WHERE id = '{customer}') RETURNING *) "
        f"UPDATE idempotency_keys k SET object_id = p.id, stdout = {PAYMENT_JSON}, exit_code = 0 FROM p "
        f"WHERE k.command = 'create-payment' AND k.key = '{key}' AND k.exit_code = -1; "
        f"SELECT stdout FROM idempotency_keys WHERE command = 'create-payment' AND key = '{key}'; COMMIT")


def psql_command(url, sql):
    return [PSQL, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql]


def quoted(words):
    return " ".join("'" + w.replace("'", "'\\''") + "'" if any(c in w for c in " ;'(){}*,=<>|&$") else w
                    for w in words)


def hyperfine(work, name, commands, runs, scan=None):
    """Median ms of each command (a list of words; {v} scanned from 0 when `scan`)."""
    medians = []
    for index, words in enumerate(commands):
        out = os.path.join(work, f"{name}.{index}.json")
        args = ["hyperfine", "-N", "--style", "none", "--export-json", out]
        if scan:
            args += ["--runs", "1", "--parameter-scan", scan, "0", str(runs - 1)]
        else:
            args += ["--warmup", "3", "--runs", str(runs)]
        subprocess.run(args + [quoted(words)], check=True, capture_output=True)
        times = [t for r in json.load(open(out))["results"] for t in r["times"]]
        medians.append(statistics.median(times) * 1000)
    return medians


def contention(tool, binary, url, customer, workers, cycles):
    """(cycles per second, lost updates) of WORKERS x CYCLES increments of the customer's note."""
    done = [0]
    lock = threading.Lock()

    def read():
        if tool == "optimist":
            p = subprocess.run([binary, "get", customer, "--db", url], capture_output=True, text=True, check=True)
            row = json.loads(p.stdout)
            return row["version"], int(row.get("note") or 0)
        p = subprocess.run(psql_command(url, f"SELECT version, coalesce(note, '0') FROM customers WHERE id = '{customer}'"),
                           capture_output=True, text=True, check=True)
        version, note = p.stdout.strip().split("|")
        return int(version), int(note)

    def write(version, note):
        if tool == "optimist":
            p = subprocess.run([binary, "update", customer, "--version", str(version), "--set", f"note={note}",
                                "--db", url], capture_output=True, text=True)
            if p.returncode not in (0, 3):
                raise SystemExit(f"optimist update exited {p.returncode}: {p.stderr}")
            return p.returncode == 0
        p = subprocess.run(psql_command(url, update_sql(customer, version, note)), capture_output=True, text=True,
                           check=True)
        # The locked row, then the updated one: two rows when the version was current.
        return len(p.stdout.strip().splitlines()) == 2

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
    final = read()[1]
    return done[0] / elapsed, workers * cycles - final


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", required=True, help="optimist (optimist-pg beside it)")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--cycles", type=int, default=100)
    parser.add_argument("--work", help="folder for the raw hyperfine files (default: temporary)")
    args = parser.parse_args()
    binary = os.path.abspath(args.bin)
    with tempfile.TemporaryDirectory(prefix="optimist-bench-pg-") as temporary:
        os.chmod(temporary, 0o755)
        work = args.work or temporary
        os.makedirs(work, exist_ok=True)
        folder = os.path.join(temporary, "server")
        port = subprocess.run(["bash", os.path.join(HERE, "pg-server.sh"), "start", folder, "durable"],
                              check=True, capture_output=True, text=True).stdout.strip()
        url = f"postgresql://postgres@/postgres?host={folder}&port={port}"
        try:
            def create(*words):
                p = subprocess.run([binary, *words, "--db", url], capture_output=True, text=True, check=True)
                return json.loads(p.stdout)["id"]

            ids = [create("create-customer", "--given-name", f"c{i}", "--note", "0") for i in range(6)]
            subprocess.run(psql_command(url, "INSERT INTO customers (id, version, created_at, updated_at, given_name) "
                                        f"SELECT 'FILL' || n, 0, {NOW}, {NOW}, 'x' FROM generate_series(1, 1000) n"),
                           check=True, capture_output=True)
            get = hyperfine(work, "get", [[binary, "get", ids[0], "--db", url],
                                          psql_command(url, get_sql(ids[0]))], args.runs)
            update = hyperfine(work, "update", [
                [binary, "update", ids[1], "--version", "{v}", "--set", "note=n{v}", "--db", url],
                psql_command(url, update_sql(ids[2], "{v}", "n{v}"))], args.runs, scan="v")
            pay = hyperfine(work, "pay", [
                [binary, "create-payment", "--key", "o{v}", "--amount", "450", "--currency", "USD",
                 "--source-id", "cnon:card-nonce-ok", "--customer-id", ids[0], "--db", url],
                psql_command(url, payment_sql("s{v}", ids[0]))], args.runs, scan="v")
            opt_rate, opt_lost = contention("optimist", binary, url, ids[3], args.workers, args.cycles)
            sql_rate, sql_lost = contention("psql", binary, url, ids[4], args.workers, args.cycles)
            version = subprocess.run(psql_command(url, "SHOW server_version"), capture_output=True, text=True).stdout.strip()
        finally:
            subprocess.run(["bash", os.path.join(HERE, "pg-server.sh"), "stop", folder], check=False)

    def row(name, pair):
        return f"| `{name}` | {pair[0]:.2f} ms | {pair[1]:.2f} ms | {pair[0] / pair[1]:.2f} |"

    print(f"""
## PostgreSQL

optimist (through `optimist-pg`) against `psql` running the same SQL, on one throwaway
PostgreSQL {version} server (fsync and synchronous_commit on), both over its Unix socket,
in the same run. Each psql call connects too, as each optimist call does.

| one call | optimist | psql | optimist / psql |
| --- | ---: | ---: | ---: |
{row("get", get)}
{row("update --version", update)}
{row("create-payment --key", pay)}

Contention: {args.workers} workers x {args.cycles} read-modify-write cycles on one customer
(get, update --version, again on VERSION_MISMATCH / no row updated):

| | optimist | psql | optimist / psql |
| --- | ---: | ---: | ---: |
| cycles per second | {opt_rate:.1f} | {sql_rate:.1f} | {opt_rate / sql_rate:.2f} |
| lost updates | {opt_lost} | {sql_lost} | |

Repeat it: `python3 Tests/Scripts/bench_pg.py --bin .build/release/optimist --runs {args.runs} --workers {args.workers} --cycles {args.cycles}`
""")


if __name__ == "__main__":
    main()
