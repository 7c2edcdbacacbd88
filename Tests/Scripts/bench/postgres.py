"""Part `pg`: optimist (which execs optimist-pg), optimist-pg called directly, and psql, on one
throwaway PostgreSQL server (Tests/Scripts/pg-server.sh, durable: fsync and synchronous_commit
on), all over its Unix socket, in the same run. Each psql call connects too, as each optimist
call does. psql sends one script (`psql -c "stmt1; stmt2; …"`: one message), in two versions:

  same SQL: exactly the statements optimist-pg sends for the command, captured at bench time
  from the server's statement log (pgcapture: log_statement = 'all' for one call, then off),
  with the parameters inlined as SQL literals and the per-call values (version, note, key, ids)
  made placeholders; each script is checked once before it is timed. The goal's baseline.
  least SQL: the least SQL with the same effect on the customer or payment row (get_sql,
  update_sql, payment_sql below).

  one call: get, update --version, create-payment --key: wall time (hyperfine -N), the four
  clients taking turns in blocks (Context.blocks); afterwards every timed call's work is
  checked (the versions reached, the payments taken)
  instructions: one `get` under callgrind, optimist-pg's and psql's (the least SQL; and
  optimist's, both processes of the exec), with what the dynamic loader spends of it
  contention: workers x cycles read-modify-write cycles (get, update --version, again on a
  stale version) on one customer: throughput and lost updates (psql with the least SQL)
  round trips: how often each command waits for the server after connecting, counted with
  strace (a recvfrom with data after a sendto on the same socket; the connection's own
  start-up, one round trip with trust authentication, is not counted), for optimist's
  commands and for psql's scripts, both versions
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
import pgcapture

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


# The capture's customer is set to this version before its update, so that the version (and
# the next one) stand out in the captured script: no other number there equals them.
CAPTURE_VERSION = 424242
# What each captured script must do, in order (regular expressions, each matching one statement):
# a capture that misses one fails.
EXPECTED = {
    "get": [r"BEGIN .*", r"SELECT .* FROM optimist_schema.*", r"SELECT .* FROM customers WHERE id = .*"],
    # A write speculates on the row optimist-pg last saw (it read it just before): a check that
    # the row is still exactly that one, locked, goes with the writes instead of a locked read.
    "update": [r"BEGIN .*", r"SELECT .* FROM optimist_schema.*",
               r"SELECT .* FROM \(SELECT 1 FROM customers WHERE id = .* IS NOT DISTINCT FROM .* FOR UPDATE.*",
               r"WITH changed AS \(UPDATE customers SET .*", r"WITH changed AS \(INSERT INTO history .*",
               r"WITH changed AS \(INSERT INTO events .*", r"COMMIT"],
    "payment": [r"BEGIN .*", r"SELECT .* FROM optimist_schema.*", r"(WITH changed AS \()?INSERT INTO idempotency_keys .*",
                r"WITH changed AS \(INSERT INTO payments .*", r"WITH changed AS \(UPDATE idempotency_keys .*",
                r"WITH changed AS \(INSERT INTO events .*", r"COMMIT"],
}


def expect(name, statements):
    """Fails unless the captured statements do what EXPECTED says `name` does, in that order."""
    left = list(EXPECTED[name])
    for sql in statements:
        if left and re.fullmatch(left[0], sql, re.S):
            left.pop(0)
    if left:
        raise SystemExit(f"bench: the captured `{name}` has no statement like {left[0]!r}: "
                         + " | ".join(s[:80] for s in statements))


def per_call(statements, replacements):
    """The statements with each per-call value (captured, placeholder) replaced by its
    placeholder ({v}, {v+1}: common.expand); a number only where it stands alone. Each value
    must occur."""
    for captured, placeholder in replacements:
        pattern = rf"(?<![0-9]){captured}(?![0-9])" if captured.isdigit() else re.escape(captured)
        total = 0
        for k, sql in enumerate(statements):
            statements[k], count = re.subn(pattern, lambda m: placeholder, sql)
            total += count
        if not total:
            raise SystemExit(f"bench: no {captured!r} in the captured statements, to make per call")
    return statements


def event_ids(statements):
    """Each event's id in the statements, with its per-call placeholder: its last group the run's value."""
    found = dict.fromkeys(e for sql in statements for e in re.findall(r'"event_id":"([0-9a-f-]{36})"', sql))
    return [(e, e[:24] + "{v}") for e in found]


def same_sql(url, folder, pg, customers, capture):
    """psql's scripts of exactly the SQL optimist sends: the statements `optimist-pg get`, `update
    --version` and `create-payment --key` send, captured from the server's log (pgcapture), with
    the parameters inlined and each per-call value made a placeholder: {v} (the run's value) and
    {v+1} in the version, the note (n{v} before, n{v+1} after) and the event's id of an update;
    the key, the payment's id and version token and the event's id of a payment. Timestamps
    stay the captured call's: the update's check that the row is as optimist-pg last saw it
    names the time the update itself writes, so that the script can run again and again.
    Each template is run once here and checked. customers: {"get", "update", "payment"}: whose
    rows the scripts read, update and pay for; capture: a customer of the capture's own, at
    version 0, named and noted as the one updated. Returns ({name: [statement, ...]}, the SQL
    that makes a customer fit the update's script at version v: same_row(id, v))."""
    def captured(name, argv):
        statements, stdout = pgcapture.capture(psql, url, folder, argv)
        statements = [pgcapture.inline(sql, parameters) for sql, parameters in statements]
        expect(name, statements)
        return statements, stdout

    def check(template, v, sql, expected):
        common.run(psql(url, common.expand("; ".join(template), "v", v)))
        got = common.run(psql(url, sql)).strip()
        if got != expected:
            raise SystemExit(f"bench: psql's same-SQL script did not do what optimist's call does: {sql} gave "
                             f"{got!r}, not {expected!r}")

    get, stdout = captured("get", [pg, "get", customers["get"], "--db", url])
    row = common.run(psql(url, "; ".join(get)))
    if json.loads(stdout)["id"] not in row:
        raise SystemExit(f"bench: psql's same-SQL get did not read the customer: {row!r}")

    # Its update time moved off its creation time, so that the two stand apart in the script.
    common.run(psql(url, f"UPDATE customers SET version = {CAPTURE_VERSION}, note = 'capture-old', "
                         f"updated_at = updated_at + 7 WHERE id = '{capture}'"))
    # optimist-pg reads the row as it now is (and keeps it: its update then speculates on it).
    common.run([pg, "get", capture, "--db", url])

    def stamps():
        return common.run(psql(url, f"SELECT created_at, updated_at FROM customers WHERE id = '{capture}'")
                          ).strip().split("|")
    created_at, before = stamps()
    update, _ = captured("update", [pg, "update", capture, "--version", str(CAPTURE_VERSION), "--set",
                                    "note=capture-note", "--db", url])
    after = stamps()[1]
    update = per_call(update, [(str(CAPTURE_VERSION), "{v}"), (str(CAPTURE_VERSION + 1), "{v+1}"),
                               ("capture-old", "n{v}"), ("capture-note", "n{v+1}"), (before, after),
                               *event_ids(update)])

    def same_row(customer, v):
        """The row as the update's script expects it at version v: the capture's name and times."""
        return (f"UPDATE customers SET version = {v}, note = 'n{v}', given_name = 'c7', "
                f"created_at = {created_at}, updated_at = {after} WHERE id = '{customer}'")
    # Once more on the capture's customer: the next version, its note and history row.
    v = CAPTURE_VERSION + 1
    common.run(psql(url, same_row(capture, v)))
    check(update, v, f"SELECT version, note, (SELECT count(*) FROM history WHERE id = '{capture}') FROM customers "
                     f"WHERE id = '{capture}'", f"{v + 1}|n{v + 1}|2")
    update = per_call(update, [(capture, customers["update"])])
    common.run(psql(url, same_row(customers["update"], 0)))

    payment, stdout = captured("payment", [pg, "create-payment", "--key", "capture-key", "--amount", "450",
                                           "--currency", "USD", "--source-id", "cnon:card-nonce-ok",
                                           "--customer-id", customers["payment"], "--db", url])
    paid = json.loads(stdout)
    payment = per_call(payment, [("capture-key", "q{v}"), (paid["id"], paid["id"][:20] + "{v}"),
                                 (paid["version_token"], paid["version_token"][:20] + "{v}"), *event_ids(payment)])
    v = 1000000
    check(payment, v, f"SELECT k.exit_code, p.status FROM idempotency_keys k JOIN payments p ON p.id = k.object_id "
                      f"WHERE k.command = 'create-payment' AND k.key = 'q{v}' AND p.id = '{paid['id'][:20]}{v}'",
          "0|COMPLETED")
    return {"get": get, "update": update, "payment": payment}, same_row


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
        opt = place.program(binary, "optimist")
        pg = place.program(os.path.join(os.path.dirname(binary), "optimist-pg"), "optimist-pg")
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


def done(url, runs, expected):
    """Fails unless every timed call did its work: each updated customer is at version `runs`
    (one update per run, from 0), and each key prefix has `runs` payments taken (o0, o1, ...)."""
    for customer in expected["update"]:
        version = common.run(psql(url, f"SELECT version FROM customers WHERE id = '{customer}'")).strip()
        if version != str(runs):
            raise SystemExit(f"bench: customer {customer} is at version {version} after {runs} updates")
    for prefix in expected["payment"]:
        paid = common.run(psql(url, "SELECT count(*) FROM idempotency_keys k JOIN payments p ON p.id = k.object_id "
                                    f"WHERE k.command = 'create-payment' AND k.exit_code = 0 "
                                    f"AND k.key ~ '^{prefix}[0-9]+$' AND substr(k.key, 2)::int < {runs}")).strip()
        if paid != str(runs):
            raise SystemExit(f"bench: {paid} payments with keys {prefix}0… after {runs} calls")


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


def round_trip_counts(binary, url, customer, least, same, before_same):
    """Round trips of each command (a fresh object or key for each), optimist's and psql's (the
    least SQL's scripts, then, after the SQL before_same, the same SQL's). optimist's keep what
    they last saw of each object (their known states); the rows marked "not known" run with
    OPTIMIST_KNOWN_STATES=off, as a write of an object last changed elsewhere does."""
    def opt(*words):
        return [binary, *words, "--db", url]

    def unknown(*words):
        return ["env", "OPTIMIST_KNOWN_STATES=off", *opt(*words)]

    def created(*words):
        return json.loads(common.run(opt(*words)))

    pay = ["--amount", "450", "--currency", "USD", "--source-id", "cnon:card-nonce-ok"]
    a = created("create-customer", "--given-name", "rt")
    b = created("create-customer", "--given-name", "rt")
    approved = [created("create-payment", "--key", f"rt-a{i}", *pay, "--autocomplete", "false")
                for i in range(3)]
    completed = created("create-payment", "--key", "rt-c", *pay)
    c = created("create-customer", "--given-name", "rt")
    item = created("create-item", "--name", "rt")
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
        "update --version, not known": round_trips(unknown("update", c["id"], "--version", "0", "--set",
                                                           "note=x")),
        "delete --version, not known": round_trips(unknown("delete", c["id"], "--version", "1")),
        "update --version (an item)": round_trips(opt("update", item["id"], "--version", str(item["version"]),
                                                      "--set", "description=x")),
    }
    least = {name: round_trips(psql(url, sql)) for name, sql in least.items()}
    common.run(psql(url, before_same))
    return {"opt": counts, "same": {name: round_trips(psql(url, sql)) for name, sql in same.items()},
            "psql": least}


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

            # The capture's customer (8) is named as the one psql's same SQL updates (7): the
            # captured UPDATE sets every column, its name too.
            ids = [create("create-customer", "--given-name", f"c{min(i, 7)}", "--note", "0") for i in range(9)]
            common.run(psql(url, "INSERT INTO customers (id, version, created_at, updated_at, given_name) "
                                 f"SELECT 'FILL' || n, 0, {NOW}, {NOW}, 'x' FROM generate_series(1, 1000) n"))

            pg = os.path.join(os.path.dirname(binary), "optimist-pg")
            # ids: 0 read and paid for by all; updated by optimist 1, optimist-pg 6, psql's same SQL 7,
            # psql's least SQL 2; 3 and 4 contended; 5 round trips; 8 the capture's.
            same, same_row = same_sql(url, folder, pg, {"get": ids[0], "update": ids[7], "payment": ids[0]},
                                      ids[8])
            least = {"get": get_sql(ids[0]), "update": update_sql(ids[2], "{v}", "n{v}"),
                     "payment": payment_sql("s{v}", ids[0])}

            def one(name, commands, scan=None):
                """optimist, optimist-pg, psql with the same SQL and psql with the least, taking
                turns (Context.blocks)."""
                letter, first = scan or (None, 0)
                return dict(zip(("opt", "direct", "same", "psql"),
                                ctx.blocks(f"pg-{name}", commands + [psql(url, "; ".join(same[name])),
                                                                     psql(url, least[name])],
                                           scan_letter=letter, first=first, runs=runs)))

            pay = ["--amount", "450", "--currency", "USD", "--source-id", "cnon:card-nonce-ok", "--customer-id",
                   ids[0], "--db", url]
            out = {
                "server_version": common.run(psql(url, "SHOW server_version")).strip(),
                "get": one("get", [[binary, "get", ids[0], "--db", url], [pg, "get", ids[0], "--db", url]]),
                "update": one("update", [[binary, "update", ids[1], "--version", "{v}", "--set", "note=n{v+1}",
                                          "--db", url],
                                         [pg, "update", ids[6], "--version", "{v}", "--set", "note=n{v+1}",
                                          "--db", url]], ("v", 0)),
                "payment": one("payment", [[binary, "create-payment", "--key", "o{v}", *pay],
                                           [pg, "create-payment", "--key", "d{v}", *pay]], ("v", 0)),
            }
            whole = max(1, runs // ctx.size["blocks"]) * ctx.size["blocks"]  # the runs Context.blocks made
            done(url, whole, {"update": (ids[1], ids[6], ids[7], ids[2]), "payment": "odqs"})
            out.update({
                "scripts": {"same": same, "least": {name: sql.split("; ") for name, sql in least.items()}},
                "instructions": instructions(binary, url, ids[0]),
                "contention": {"opt": contention("optimist", binary, url, ids[3], workers, cycles),
                               "psql": contention("psql", binary, url, ids[4], workers, cycles)},
                "round_trips": round_trip_counts(binary, url, ids[5], {
                    "get": get_sql(ids[5]), "update --version": update_sql(ids[5], 0, "rt"),
                    "create-payment --key": payment_sql("rt-psql", ids[5])}, {
                    "get": "; ".join(same["get"]),
                    # After the least SQL's update of the same customer: at version 1.
                    "update --version": common.expand("; ".join(same["update"]).replace(ids[7], ids[5]), "v", 1),
                    "create-payment --key": common.expand("; ".join(same["payment"]), "v", 1000001)},
                    same_row(ids[5], 1)),
            })
        finally:
            subprocess.run(["bash", PG_SERVER, "stop", folder], check=False)
    ctx.commands = [c.replace(folder, "$PGDIR").replace(f"port={port}", "port=$PGPORT") for c in ctx.commands]
    return out
