"""Part `pg`: optimist (which execs optimist-pg), optimist-pg called directly, and psql running
the same SQL, on one throwaway PostgreSQL server (Tests/Scripts/pg-server.sh, durable: fsync
and synchronous_commit on), all over its Unix socket, in the same run. Each psql call connects
too, as each optimist call does.

  one call: get, update --version, create-payment --key: wall time (hyperfine -N), the three
  clients taking turns in blocks (Context.blocks)
  instructions: one `get` under callgrind, optimist-pg's and psql's (and optimist's, both
  processes of the exec), with what the dynamic loader spends of it
  contention: workers x cycles read-modify-write cycles (get, update --version, again on a
  stale version) on one customer: throughput and lost updates
  round trips: how often each command waits for the server after connecting, counted with
  strace (a recvfrom with data after a sendto on the same socket; the connection's own
  start-up, one round trip with trust authentication, is not counted), for optimist's
  commands and for psql sending the same SQL as one script
"""

import json
import os
import re
import subprocess
import tempfile
import threading
import time

import callgrind
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


def instructions(binary, url, customer):
    """Instructions of one `get` (callgrind, in a fixed small environment, from a folder of
    fixed length holding copies of the binaries): optimist-pg's, psql's, and optimist's with
    the optimist-pg it execs (both processes counted), each with the dynamic loader's share."""
    out = {}
    with callgrind.Place() as place:
        opt = place.copy(binary, "optimist")
        pg = place.copy(os.path.join(os.path.dirname(binary), "optimist-pg"), "optimist-pg")
        calls = {"optimist-pg": [pg, "get", customer, "--db", url], "psql": psql(url, get_sql(customer)),
                 "optimist": [opt, "get", customer, "--db", url]}
        for name, argv in calls.items():
            # The exec replaces the process (same pid): what ran before it is dumped at execv,
            # as NAME.PID.1, and the program it becomes is counted afresh in NAME.PID.
            common.run(["valgrind", "--tool=callgrind", "--trace-children=yes", "--dump-before=execv",
                        f"--callgrind-out-file={os.path.join(place.folder, name)}.%p", *argv],
                       env=callgrind.ENVIRONMENT, cwd=place.folder)
            paths = [os.path.join(place.folder, f) for f in sorted(os.listdir(place.folder))
                     if f.startswith(f"{name}.")]
            loader = sum(cost for path in paths for part, cost in callgrind.components(path, set())
                         if part.startswith("dynamic loader"))
            before_exec = sum(callgrind.total(p) for p in paths if p.endswith(".1"))
            out[name] = {"total": sum(callgrind.total(p) for p in paths), "loader": loader,
                         "before_exec": before_exec}
    return out


def round_trips(argv):
    """How often `argv` waited for the server after connecting: a recvfrom that returned data
    after a sendto on the same socket, in every process it started (strace -f), less the
    connection's start-up."""
    with tempfile.NamedTemporaryFile(suffix=".strace") as trace:
        p = subprocess.run(["strace", "-f", "-qq", "-e", "trace=sendto,recvfrom", "-o", trace.name, *argv],
                           capture_output=True, text=True)
        if p.returncode != 0:
            raise SystemExit(f"{argv[0]} exited {p.returncode} under strace: {p.stderr.strip()[:300]}")
        waits, last = 0, {}
        with open(trace.name) as lines:
            for line in lines:
                m = re.match(r"(\d+)\s+(sendto|recvfrom)\((\d+),.*= (-?\d+)", line)
                if not m or int(m.group(4)) <= 0:
                    continue
                socket = (m.group(1), m.group(3))
                if m.group(2) == "recvfrom" and last.get(socket) == "sendto":
                    waits += 1
                last[socket] = m.group(2)
    return waits - 1


def round_trip_counts(binary, url, customer, psql_scripts):
    """Round trips of each command (a fresh object or key for each), optimist's and psql's."""
    def opt(*words):
        return [binary, *words, "--db", url]

    def created(*words):
        return json.loads(common.run(opt(*words)))

    pay = ["--amount", "450", "--currency", "USD", "--source-id", "cnon:card-nonce-ok"]
    a = created("create-customer", "--given-name", "rt")
    b = created("create-customer", "--given-name", "rt")
    approved = [created("create-payment", "--key", f"rt-a{i}", *pay, "--autocomplete", "false")
                for i in range(3)]
    completed = created("create-payment", "--key", "rt-c", *pay)
    counts = {
        "get": round_trips(opt("get", a["id"])),
        "update --version": round_trips(opt("update", a["id"], "--version", "0", "--set", "note=x")),
        "update --version --key": round_trips(opt("update", a["id"], "--version", "1", "--set", "note=y",
                                                  "--key", "rt-u")),
        "delete --version": round_trips(opt("delete", b["id"], "--version", "0")),
        "create-payment --key": round_trips(opt("create-payment", "--key", "rt-p1", *pay)),
        "create-payment --key --customer-id": round_trips(opt("create-payment", "--key", "rt-p2", *pay,
                                                              "--customer-id", a["id"])),
        "update-payment": round_trips(opt("update-payment", approved[0]["id"], "--key", "rt-up",
                                          "--tip", "10")),
        "complete-payment": round_trips(opt("complete-payment", approved[1]["id"], "--key", "rt-co")),
        "cancel-payment": round_trips(opt("cancel-payment", approved[2]["id"], "--key", "rt-ca")),
        "refund-payment": round_trips(opt("refund-payment", "--key", "rt-r", "--payment-id", completed["id"],
                                          "--amount", "100", "--currency", "USD")),
    }
    return {"opt": counts, "psql": {name: round_trips(psql(url, sql)) for name, sql in psql_scripts.items()}}


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

            ids = [create("create-customer", "--given-name", f"c{i}", "--note", "0") for i in range(7)]
            common.run(psql(url, "INSERT INTO customers (id, version, created_at, updated_at, given_name) "
                                 f"SELECT 'FILL' || n, 0, {NOW}, {NOW}, 'x' FROM generate_series(1, 1000) n"))

            pg = os.path.join(os.path.dirname(binary), "optimist-pg")

            def one(name, commands, scan=None):
                """optimist, optimist-pg and psql taking turns (Context.blocks)."""
                letter, first = scan or (None, 0)
                return dict(zip(("opt", "direct", "psql"),
                                ctx.blocks(f"pg-{name}", commands, scan_letter=letter, first=first, runs=runs)))

            pay = ["--amount", "450", "--currency", "USD", "--source-id", "cnon:card-nonce-ok", "--customer-id",
                   ids[0], "--db", url]
            out = {
                "server_version": common.run(psql(url, "SHOW server_version")).strip(),
                "get": one("get", [[binary, "get", ids[0], "--db", url], [pg, "get", ids[0], "--db", url],
                                   psql(url, get_sql(ids[0]))]),
                "update": one("update", [[binary, "update", ids[1], "--version", "{v}", "--set", "note=n{v}",
                                          "--db", url],
                                         [pg, "update", ids[6], "--version", "{v}", "--set", "note=n{v}", "--db",
                                          url],
                                         psql(url, update_sql(ids[2], "{v}", "n{v}"))], ("v", 0)),
                "payment": one("payment", [[binary, "create-payment", "--key", "o{v}", *pay],
                                           [pg, "create-payment", "--key", "d{v}", *pay],
                                           psql(url, payment_sql("s{v}", ids[0]))], ("v", 0)),
                "instructions": instructions(binary, url, ids[0]),
                "contention": {"opt": contention("optimist", binary, url, ids[3], workers, cycles),
                               "psql": contention("psql", binary, url, ids[4], workers, cycles)},
                "round_trips": round_trip_counts(binary, url, ids[5], {
                    "get": get_sql(ids[5]), "update --version": update_sql(ids[5], 0, "rt"),
                    "create-payment --key": payment_sql("rt-psql", ids[5])}),
            }
        finally:
            subprocess.run(["bash", PG_SERVER, "stop", folder], check=False)
    ctx.commands = [c.replace(folder, "$PGDIR").replace(f"port={port}", "port=$PGPORT") for c in ctx.commands]
    return out
