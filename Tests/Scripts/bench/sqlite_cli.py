"""Part `sqlite`: optimist against the sqlite3 shell doing the same SQL and against the floor.

  a. one call: get, update --version, create-payment: wall time in blocks (hyperfine), and the
     same writes with the database on tmpfs (no disk wait)
  b. contention: workers x cycles read-modify-write on one customer, in rounds
  c. idempotency: workers with distinct keys; workers replaying one key, in rounds
  d. scale: get and update with the small and the big database
  e. memory: peak resident size of one call; list --all streaming
  and system calls (strace -c -f -w) of one call.
"""

import json
import os
import re
import shutil
import subprocess

import common
import sql
import workers

KINDS = [f"{side}-{op}" for op in ("get", "update", "payment") for side in ("opt", "sql", "flr")]


class Calls:
    """The command line of one call of each kind (update: at the customer's current version;
    payment: with a new key), on the small or the big database. With `within`, the database
    and the floor programs are named relative to that folder, where the call is to run."""

    def __init__(self, ctx, dbs=None, within=None, binary=None, floor=None):
        self.ctx, self.dbs, self.within = ctx, dbs or ctx.databases(), within
        self.binary = self.path(binary or ctx.binary)
        self.floor = {op: self.path(p) for op, p in (floor or ctx.floor()["programs"]).items()}
        self.probes = 0

    def path(self, path):
        return os.path.join(".", os.path.relpath(path, self.within)) if self.within else path

    def argv(self, kind, size):
        version_db = self.dbs[size]
        db = self.path(version_db)
        ids = self.dbs["ids"]
        side, op = kind.split("-")
        customer = ids[f"GET_{size}"] if op in ("get", "payment") else ids[f"{side.upper()}_UPDATE_{size}"]
        if op == "payment":
            self.probes += 1
            key = f"probe-{ {'opt': 'opt', 'sql': 'sql', 'flr': 'floor'}[side]}-{self.probes}"
        if kind == "opt-get":
            return [self.binary, "get", customer, "--db", db]
        if kind == "sql-get":
            return sql.shell() + ["-json", db, sql.get_sql(customer)]
        if kind == "flr-get":
            return [self.floor["get"], db, customer]
        if op == "update":
            version = sql.version_of(version_db, customer)
            if side == "opt":
                return [self.binary, "update", customer, "--version", str(version), "--set", "note=probe",
                        "--db", db]
            if side == "sql":
                return sql.shell() + ["-json", db, sql.update_sql(customer, version, "probe")]
            return [self.floor["update"], db, customer, str(version), "probe"]
        if side == "opt":
            return [self.binary, "create-payment", "--key", key, "--amount", "450", "--currency", "USD",
                    "--source-id", "cnon:card-nonce-ok", "--customer-id", customer, "--db", db]
        if side == "sql":
            return sql.shell() + [db, sql.payment_sql(key, customer)]
        return [self.floor["payment"], db, key, customer]


def strace_table(path):
    """{syscall: calls} from an `strace -c` summary, with 'total'."""
    table = {}
    for line in common.read(path).splitlines():
        fields = line.split()
        # % time, seconds, usecs/call, calls, [errors], syscall
        if len(fields) >= 5 and re.fullmatch(r"[\d.]+", fields[0]) and fields[3].isdigit():
            table[fields[-1]] = int(fields[3])
    return table


def updated_every_run(db, customer, version):
    """Every run must have changed its customer: a stale version would be a no-op on the shell's side."""
    if sql.version_of(db, customer) != version:
        raise SystemExit(f"bench: an update run changed nothing ({customer})")


def one_call(ctx, dbs, floor, out):
    ids, small, big, runs = dbs["ids"], dbs["SMALL"], dbs["BIG"], ctx.size["runs"]
    opt, shell = ctx.binary, sql.shell()
    common.say(f"one call: get, {runs} runs each, {ctx.size['small']:,} and {ctx.size['big']:,} customers")
    names = ["opt", "sql", "opt_big", "sql_big", "flr", "flr_big"]
    got = ctx.blocks("get", [
        [opt, "get", ids["GET_SMALL"], "--db", small],
        shell + ["-json", small, sql.get_sql(ids["GET_SMALL"])],
        [opt, "get", ids["GET_BIG"], "--db", big],
        shell + ["-json", big, sql.get_sql(ids["GET_BIG"])],
        [floor["get"], small, ids["GET_SMALL"]],
        [floor["get"], big, ids["GET_BIG"]]])
    out["get"] = dict(zip(names, got))

    common.say(f"one call: update --version, {runs} runs each")
    updates = [("OPT_UPDATE_SMALL", small), ("SQL_UPDATE_SMALL", small), ("OPT_UPDATE_BIG", big),
               ("SQL_UPDATE_BIG", big), ("FLR_UPDATE_SMALL", small), ("FLR_UPDATE_BIG", big)]
    first = sql.version_of(small, ids["OPT_UPDATE_SMALL"])
    got = ctx.blocks("update", [
        [opt, "update", ids["OPT_UPDATE_SMALL"], "--version", "{v}", "--set", "note=bench-{v}", "--db", small],
        shell + ["-json", small, sql.update_sql(ids["SQL_UPDATE_SMALL"], "{v}", "bench-{v}")],
        [opt, "update", ids["OPT_UPDATE_BIG"], "--version", "{v}", "--set", "note=bench-{v}", "--db", big],
        shell + ["-json", big, sql.update_sql(ids["SQL_UPDATE_BIG"], "{v}", "bench-{v}")],
        [floor["update"], small, ids["FLR_UPDATE_SMALL"], "{v}", "bench-{v}"],
        [floor["update"], big, ids["FLR_UPDATE_BIG"], "{v}", "bench-{v}"]], "v", first)
    for name, db in updates:
        updated_every_run(db, ids[name], first + runs)
    out["update"] = dict(zip(names, got))

    common.say(f"one call: create-payment with a new key, {runs} runs each")
    payer = ids["GET_SMALL"]
    got = ctx.blocks("payment", [
        [opt, "create-payment", "--key", "bench-opt-{n}", "--amount", "450", "--currency", "USD",
         "--source-id", "cnon:card-nonce-ok", "--customer-id", payer, "--db", small],
        shell + [small, sql.payment_sql("bench-sql-{n}", payer)],
        [floor["payment"], small, "bench-floor-{n}", payer]], "n", 1)
    made = int(sql.query(small, "SELECT count(*) FROM payments p JOIN idempotency_keys k ON k.object_id = p.id "
                                "WHERE k.key LIKE 'bench-%'"))
    if made != 3 * runs:
        raise SystemExit(f"bench: expected {3 * runs} payments, found {made}")
    out["payment"] = dict(zip(["opt", "sql", "flr"], got))

    # The same update and payment with the database on tmpfs, where fdatasync returns at once:
    # what is left is CPU and system calls.
    if not ctx.shm:
        return
    common.say(f"control: update and create-payment on tmpfs (no disk wait), {runs} runs each")
    mem = os.path.join(ctx.shm, "small.db")
    shutil.copy(small, mem)
    first = sql.version_of(mem, ids["OPT_UPDATE_SMALL"])
    got = ctx.blocks("tmpfs-update", [
        [opt, "update", ids["OPT_UPDATE_SMALL"], "--version", "{v}", "--set", "note=bench-{v}", "--db", mem],
        shell + ["-json", mem, sql.update_sql(ids["SQL_UPDATE_SMALL"], "{v}", "bench-{v}")],
        [floor["update"], mem, ids["FLR_UPDATE_SMALL"], "{v}", "bench-{v}"]], "v", first)
    out["tmpfs_update"] = dict(zip(["opt", "sql", "flr"], got))
    got = ctx.blocks("tmpfs-payment", [
        [opt, "create-payment", "--key", "tmpfs-opt-{n}", "--amount", "450", "--currency", "USD",
         "--source-id", "cnon:card-nonce-ok", "--customer-id", payer, "--db", mem],
        shell + [mem, sql.payment_sql("tmpfs-sql-{n}", payer)],
        [floor["payment"], mem, "tmpfs-floor-{n}", payer]], "n", 1)
    out["tmpfs_payment"] = dict(zip(["opt", "sql", "flr"], got))
    for name in ("OPT_UPDATE_SMALL", "SQL_UPDATE_SMALL", "FLR_UPDATE_SMALL"):
        updated_every_run(mem, ids[name], first + runs)
    os.remove(mem)


def rounds(ctx, dbs, out):
    """b and c: throughput under contention varies from run to run (who wins the lock, how long
    the losers sleep), so each side runs `rounds` times, in turn, and the median round counts."""
    ids, small, size = dbs["ids"], dbs["SMALL"], ctx.size
    n, cycles, count = size["workers"], size["cycles"], size["payments"]
    common.say(f"contention: {n} workers x {cycles} read-modify-write cycles on one customer, "
               f"{size['rounds']} rounds each")
    opt = workers.Side("optimist", small, ctx.binary, ids["GET_SMALL"])
    shell = workers.Side("sqlite3", small, customer=ids["GET_SMALL"])
    out["contention"] = {"opt": [], "sql": []}
    for _ in range(size["rounds"]):
        out["contention"]["opt"].append(workers.contention(opt, ids["OPT_CONTENDED"], n, cycles))
        out["contention"]["sql"].append(workers.contention(shell, ids["SQL_CONTENDED"], n, cycles))
    common.say(f"idempotency: {n} workers x {count} payments with distinct keys, then one key replayed, "
               f"{size['rounds']} rounds")
    out["payments"] = {"opt": [], "sql": []}
    out["replays"] = {"opt": [], "sql": []}
    for r in range(1, size["rounds"] + 1):
        out["payments"]["opt"].append(workers.payments(opt, n, count, f"parallel-opt-{r}"))
        out["payments"]["sql"].append(workers.payments(shell, n, count, f"parallel-sql-{r}"))
        out["replays"]["opt"].append(workers.replays(opt, n, count, f"replayed-opt-{r}"))
        out["replays"]["sql"].append(workers.replays(shell, n, count, f"replayed-sql-{r}"))


def memory(ctx, dbs, calls, out):
    common.say("memory: peak resident size (GNU time, the largest of 5 calls)")
    timing = os.path.join(ctx.work, "time.txt")
    out["memory"] = {}
    for kind in ("opt-get", "sql-get", "flr-get", "opt-update", "sql-update", "flr-update"):
        for size in ("SMALL", "BIG"):
            peak, faults = 0, 0
            for _ in range(5):
                common.run(["/usr/bin/time", "-f", "%M %R", "-o", timing] + calls.argv(kind, size))
                kib, minor = map(int, common.read(timing).split()[-2:])
                if kib > peak:
                    peak, faults = kib, minor
            out["memory"][f"{kind}-{size}"] = {"mib": peak / 1024, "minor_faults": faults}
    ctx.remember(["/usr/bin/time", "-f", "%M KiB", ctx.binary, "get", dbs["ids"]["GET_SMALL"], "--db", dbs["SMALL"]])
    # list --all streams a page at a time: its peak must not grow with the number of objects it
    # prints. Every customer of the big store against only the last `tail` of them (from a
    # cursor): both read enough to fill SQLite's page cache, so any difference is growth.
    big_n = ctx.size["big"]
    tail = big_n // 20 if big_n // 20 >= 50000 else big_n // 2
    for name, extra in (("tail", ["--cursor", f"CUSTOMER-CUSTOMER-{big_n - tail}"]), ("all", [])):
        listed = os.path.join(ctx.work, "list-all.json")
        with open(listed, "w") as f:
            subprocess.run(["/usr/bin/time", "-f", "%M", "-o", timing, ctx.binary, "list", "--all", "--type",
                            "CUSTOMER", "--db", dbs["BIG"]] + extra, stdout=f, check=True)
        out["memory"][f"list-{name}"] = {"mib": int(common.read(timing).split()[-1]) / 1024,
                                         "listed": len(json.loads(common.read(listed))["objects"])}
        os.remove(listed)
    ctx.remember(["/usr/bin/time", "-f", "%M KiB", ctx.binary, "list", "--all", "--type", "CUSTOMER",
                  "--db", dbs["BIG"]])


def syscalls(ctx, dbs, calls, out):
    common.say("system calls (strace -c -f -w)")
    out["strace"] = {}
    for kind in KINDS:
        for size in ("SMALL", "BIG"):
            path = os.path.join(ctx.work, f"strace.{kind}.{size}.txt")
            common.run(["strace", "-c", "-f", "-w", "-o", path] + calls.argv(kind, size))
            out["strace"][f"{kind}-{size}"] = strace_table(path)
    ctx.remember(["strace", "-c", "-f", "-w", ctx.binary, "update", dbs["ids"]["OPT_UPDATE_SMALL"], "--version", "V",
                  "--set", "note=probe", "--db", dbs["SMALL"]])


def measure(ctx):
    dbs, floor = ctx.databases(), ctx.floor()
    out = {"seed_seconds": dbs["seed_seconds"], "floor_mib": floor["mib"], "floor_library": floor["library"],
           "pragmas": sql.PRAGMAS, "shell": " ".join(common.quote(w) for w in sql.shell()),
           "sqlite_library": json.loads(common.run([ctx.binary, "doctor", "--db", dbs["SMALL"]]))
           .get("sqlite_version", "unknown"),
           "sql": {"get": sql.get_sql("ID"), "update": sql.update_sql("ID", "V", "N")}}
    one_call(ctx, dbs, floor["programs"], out)
    rounds(ctx, dbs, out)
    calls = Calls(ctx, dbs)
    memory(ctx, dbs, calls, out)
    syscalls(ctx, dbs, calls, out)
    return out
