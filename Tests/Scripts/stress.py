#!/usr/bin/env python3
"""Reliability under crashes, contention and a held lock, with real optimist processes.

Run by `make stress` (and by .ci/run). Each phase is bounded in time and prints what it
checked; any broken promise ends the run with exit 1.

1. crash      writers (updates, payments and batches) run while a killer sends SIGKILL to
              random ones, hundreds of times; then: integrity_check ok, every printed success
              is visible, every printed payment replays byte for byte, payments and
              idempotency rows match one to one, no version was handed out twice, every version
              is in the history once (a customer's 0…N without a gap), and every batch applied
              wholly or not at all (a printed one wholly, replaying by its key).
2. contention 16 processes run a mix of every command; every exit is the one the workload
              allows (0, 3 for a stale version, 5 and 6 where asked), never 1 or 75.
3. busy       a lock held by another process past --timeout gives exit 75 TEMPORARY_ERROR
              and changes nothing.
"""

import argparse
import hashlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

BIN = None
FAILURES = []


def fail(message):
    FAILURES.append(message)
    print(f"  FAIL: {message}", flush=True)


def run(db, *args, timeout="30"):
    """Runs optimist to completion: (exit code, stdout, stderr)."""
    p = subprocess.run([BIN, *args, "--db", db, "--timeout", timeout],
                       capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def error_code(stderr):
    try:
        return json.loads(stderr)["errors"][0]["code"]
    except (ValueError, KeyError, IndexError):
        return None


# ----------------------------------------------------------------------------- crash

def sqlite_rows(db, sql):
    """The rows of one query against the SQLite store at `db`."""
    con = sqlite3.connect(db)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def crash_phase(db, kills_wanted, seconds, rows=sqlite_rows, check="integrity_check"):
    """`rows(db, sql)` reads the store directly; `check` is doctor's check on this engine."""
    print(f"crash: {kills_wanted} SIGKILLs at random moments, at most {seconds}s", flush=True)
    customers = [json.loads(run(db, "create-customer", "--given-name", f"c{i}", "--note", "0")[1])["id"]
                 for i in range(4)]
    items = [json.loads(run(db, "create-item", "--name", f"item{i}")[1])["id"] for i in range(2)]

    lock = threading.Lock()
    in_flight = {}            # pid -> Popen
    successes = []            # (id, version, json) of printed update successes
    payments = []             # (args, stdout, stderr, code) of printed payment answers
    approved = []             # ids of payments printed as APPROVED
    completed = []            # ids of payments printed as COMPLETED
    changes = []              # (args, stdout, status) of printed completes, cancels, refunds
    batches = []              # (marker, size, args, stdin, stdout or None) of every batch run
    kills = [0]
    stop = threading.Event()
    counter = [0]

    def spawn(args, stdin=None):
        p = subprocess.Popen([BIN, *args, "--db", db, "--timeout", "30"],
                             stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        with lock:
            in_flight[p.pid] = p
        try:
            out, err = p.communicate(stdin)
        except BrokenPipeError:           # killed before it read its stdin
            out, err = p.communicate()
        with lock:
            in_flight.pop(p.pid, None)
        return p.returncode, out, err

    def writer(seed):
        rng = random.Random(seed)
        while not stop.is_set():
            with lock:
                counter[0] += 1
                n = counter[0]
            roll = rng.random()
            if roll < 0.15 and approved:
                # Complete or cancel an APPROVED payment, with a key so the answer replays.
                with lock:
                    target = rng.choice(approved)
                verb = rng.choice(["complete-payment", "cancel-payment"])
                args = [verb, target, "--key", f"s{seed}-{n}"]
                code, out, err = spawn(args)
                if code == 0:
                    with lock:
                        changes.append((args, out, json.loads(out)["status"]))
                        if target in approved:
                            approved.remove(target)
                elif code not in (7, -signal.SIGKILL):
                    fail(f"{verb} exited {code}: {err.strip()}")
            elif roll < 0.3 and completed:
                # Refund part of a COMPLETED payment; the refunds never add up to more.
                with lock:
                    target = rng.choice(completed)
                args = ["refund-payment", "--key", f"r{seed}-{n}", "--payment-id", target,
                        "--amount", str(rng.randint(1, 400_000)), "--currency", "USD"]
                code, out, err = spawn(args)
                if code == 0:
                    with lock:
                        changes.append((args, out, "REFUNDED"))
                elif code not in (7, -signal.SIGKILL):
                    fail(f"refund-payment exited {code}: {err.strip()}")
            elif roll < 0.4:
                # A batch of SIZE new customers (a marker as family_name), each then updated:
                # kept wholly (SIZE customers, every note "done") or not at all.
                marker, size = f"b{seed}-{n}", rng.randint(2, 40)
                args, stdin = ["batch", "--key", marker], batch_input(marker, size)
                code, out, err = spawn(args, stdin)
                with lock:
                    batches.append((marker, size, args, stdin, out if code == 0 else None))
                if code not in (0, -signal.SIGKILL):
                    fail(f"batch exited {code}: {err.strip()}")
            elif roll < 0.65:
                target = rng.choice(customers + items)
                code, out, _ = spawn(["get", target])
                if code != 0:
                    continue
                version = json.loads(out)["version"]
                field = "note" if target in customers else "description"
                code, out, err = spawn(["update", target, "--version", str(version),
                                        "--set", f"{field}=w{seed}-{n}"])
                if code == 0:
                    obj = json.loads(out)
                    with lock:
                        successes.append((target, obj["version"], out))
                elif code not in (3, -signal.SIGKILL):
                    fail(f"update exited {code}: {err.strip()}")
            else:
                args = ["create-payment", "--key", f"k{seed}-{n}", "--amount", str(rng.randint(1, 10**6)),
                        "--currency", "USD", "--source-id",
                        "cnon:card-nonce-declined" if rng.random() < 0.1 else "cnon:card-nonce-ok"]
                if rng.random() < 0.3:
                    args += ["--customer-id", rng.choice(customers)]
                if rng.random() < 0.3:
                    args += ["--autocomplete", "false"]
                code, out, err = spawn(args)
                if code in (0, 6):
                    with lock:
                        payments.append((args, out, err, code))
                        if code == 0:
                            payment = json.loads(out)
                            (approved if payment["status"] == "APPROVED" else completed).append(payment["id"])
                elif code != -signal.SIGKILL:
                    fail(f"create-payment exited {code}: {err.strip()}")

    def killer():
        rng = random.Random(7)
        while not stop.is_set() and kills[0] < kills_wanted:
            time.sleep(rng.uniform(0.0005, 0.02))
            with lock:
                victims = [p for p in in_flight.values() if p.poll() is None]
            if victims:
                victim = rng.choice(victims)
                try:
                    victim.send_signal(signal.SIGKILL)
                    kills[0] += 1
                except ProcessLookupError:
                    pass

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(6)]
    k = threading.Thread(target=killer)
    deadline = time.time() + seconds
    for t in threads + [k]:
        t.start()
    while time.time() < deadline and kills[0] < kills_wanted:
        time.sleep(0.1)
    stop.set()
    for t in threads + [k]:
        t.join()
    print(f"  {kills[0]} processes killed, {len(successes)} updates, {len(payments)} payments, "
          f"{len(changes)} completes, cancels and refunds and {sum(1 for b in batches if b[4])} batches answered",
          flush=True)
    if kills[0] < min(kills_wanted, 100):
        fail(f"only {kills[0]} kills happened")

    code, out, err = run(db, "doctor")
    if code != 0 or json.loads(out)[check] != "ok":
        fail(f"doctor after crashes: exit {code} {out} {err}")

    # Every printed update is visible: the object's version is at least the printed one, and
    # the newest printed state is the stored one unless a later (killed) write committed.
    versions = {}
    for target, version, out in successes:
        if (target, version) in versions:
            fail(f"version {version} of {target} handed out twice")
        versions[(target, version)] = out
    for target in customers + items:
        code, out, _ = run(db, "get", target)
        current = json.loads(out)
        printed = [v for (t, v) in versions if t == target]
        if printed and current["version"] < max(printed):
            fail(f"{target} is at version {current['version']}, below printed {max(printed)}")
        if printed and current["version"] == max(printed) and out != versions[(target, max(printed))]:
            fail(f"{target} at version {current['version']} differs from what was printed")

    # The history holds every version once, newest first, each printed one as printed (a
    # customer's 0…N without a gap), whatever was killed mid-write.
    for target in customers + items:
        entries, cursor = [], None
        while True:
            code, out, err = run(db, "history", target, "--limit", "1000",
                                 *(["--cursor", cursor] if cursor else []))
            if code != 0:
                fail(f"history {target}: exit {code} {err}")
            page = json.loads(out)
            entries += page["objects"]
            cursor = page.get("cursor")
            if not cursor:
                break
        seen = [e["version"] for e in entries]
        if seen != sorted(set(seen), reverse=True):
            fail(f"history of {target} is not each version once, newest first: {seen[:10]}")
        if target in customers and seen != list(range(seen[0], -1, -1)):
            fail(f"history of customer {target} has a gap: {seen[:10]}")
        kept = {e["version"]: e for e in entries}
        for (t, version), out in versions.items():
            if t == target and kept.get(version) != json.loads(out):
                fail(f"version {version} of {target} is not in its history as printed")

    # Every printed payment replays byte for byte, exit code and stderr included.
    for args, out, err, code in payments:
        p = subprocess.run([BIN, *args, "--db", db], capture_output=True, text=True)
        if (p.returncode, p.stdout, p.stderr) != (code, out, err):
            fail(f"payment {args[2]} replayed differently: exit {p.returncode}")

    # Every printed complete, cancel and refund is there and replays byte for byte by its key.
    for args, out, status in changes:
        p = subprocess.run([BIN, *args, "--db", db], capture_output=True, text=True)
        if (p.returncode, p.stdout) != (0, out):
            fail(f"{args[0]} {args[1]} replayed differently: exit {p.returncode} {p.stderr.strip()}")
        if status == "REFUNDED":
            refund = json.loads(out)
            code, stored, _ = run(db, "get", refund["id"])
            if (code, stored) != (0, out):
                fail(f"printed refund {refund['id']} is not stored as printed: exit {code}")
        else:
            code, stored, _ = run(db, "get", args[1])
            if code != 0 or json.loads(stored)["status"] != status:
                fail(f"payment {args[1]} was printed {status}, is {stored.strip()[:120]}")

    for batch in batches:
        check_batch(db, rows, *batch)

    check_rows(db, rows)
    print(f"  checked {len(versions)} versions, {len(payments)} payment replays, {len(changes)} "
          f"lifecycle replays, {len(batches)} batches (all or nothing), refunds, key rows and {check}",
          flush=True)


def batch_input(marker, size):
    """A batch of SIZE new customers (MARKER as family_name), each then updated by its
    temporary id: all or nothing leaves SIZE customers with the note "done", or none."""
    ops = [{"op": "create-customer", "id": f"#{i}", "given_name": "batch", "family_name": marker}
           for i in range(size)]
    ops += [{"op": "update", "id": f"#{i}", "version": 0, "set": {"note": "done"}} for i in range(size)]
    return json.dumps(ops)


def check_batch(db, rows, marker, size, args, stdin, out):
    """The batch is there wholly or not at all; a printed one (`out`) wholly, and it replays
    byte for byte by its key."""
    stored, done = (int(v) for v in rows(db, "SELECT count(*), coalesce(sum(CASE WHEN note = 'done' "
                                           f"THEN 1 ELSE 0 END), 0) FROM customers WHERE family_name = '{marker}'")[0])
    if stored not in ((size,) if out else (0, size)) or done != stored:
        fail(f"batch {marker} of {size} creates left {stored} customers, {done} updated"
             f"{' (it was printed)' if out else ''}")
    if out:
        p = subprocess.run([BIN, *args, "--db", db], input=stdin, capture_output=True, text=True)
        if (p.returncode, p.stdout) != (0, out):
            fail(f"batch {marker} replayed differently: exit {p.returncode} {p.stderr.strip()[:200]}")


def check_rows(db, rows):
    """Payments and key rows one to one, no catalog version twice (read from the store)."""
    orphans = rows(db, """SELECT count(*) FROM payments p LEFT JOIN idempotency_keys k
        ON k.command = 'create-payment' AND k.object_id = p.id WHERE k.key IS NULL""")[0][0]
    keyless = rows(db, """SELECT count(*) FROM idempotency_keys k LEFT JOIN payments p
        ON p.id = k.object_id WHERE k.command = 'create-payment' AND p.id IS NULL""")[0][0]
    item_versions = rows(db, "SELECT count(*), count(DISTINCT version) FROM items")[0]
    # A payment's refunds add up to its refunded amount, never above its total, and each is
    # listed in its refund_ids.
    refunds = rows(db, """SELECT p.id, p.amount + p.tip, p.refunded, p.refund_ids,
        (SELECT coalesce(sum(r.amount), 0) FROM refunds r WHERE r.payment_id = p.id),
        (SELECT count(*) FROM refunds r WHERE r.payment_id = p.id) FROM payments p""")
    for pid, total, refunded, refund_ids, summed, count in refunds:
        listed = [r for r in refund_ids.split(",") if r]
        if int(refunded) != int(summed) or int(refunded) > int(total) or len(listed) != int(count):
            fail(f"payment {pid}: total {total}, refunded {refunded}, refunds add up to {summed} "
                 f"({count} rows, {len(listed)} listed)")
    if int(orphans) or int(keyless):
        fail(f"{orphans} payments without a key row, {keyless} key rows without a payment")
    if item_versions[0] != item_versions[1]:
        fail(f"catalog versions repeat: {item_versions}")
    # Nothing prunes history here: a customer at version N has kept exactly 0…N-1.
    gaps = rows(db, """SELECT count(*) FROM customers c WHERE
        (SELECT count(*) FROM history h WHERE h.id = c.id) <> c.version
        OR (SELECT coalesce(max(h.version), -1) FROM history h WHERE h.id = c.id) <> c.version - 1""")[0][0]
    if int(gaps):
        fail(f"{gaps} customers whose history is not exactly their versions 0…N-1")
    # The event feed holds exactly the committed changes, whatever was killed when (its events
    # are written in each change's own transaction): one customer.created per customer, one
    # customer.updated per version above 0, one payment.created per payment (declined ones
    # too), one refund.created per refund. (Nothing deletes customers in this phase.)
    events = {str(t): int(c) for t, c in rows(db, "SELECT type, count(*) FROM events GROUP BY type")}
    expected = {
        "customer.created": int(rows(db, "SELECT count(*) FROM customers")[0][0]),
        "customer.updated": int(rows(db, "SELECT coalesce(sum(version), 0) FROM customers")[0][0]),
        "payment.created": int(rows(db, "SELECT count(*) FROM payments")[0][0]),
        "refund.created": int(rows(db, "SELECT count(*) FROM refunds")[0][0]),
    }
    for kind, count in expected.items():
        if events.get(kind, 0) != count:
            fail(f"the feed has {events.get(kind, 0)} {kind} events for {count} committed changes")
    if rows is sqlite_rows:
        integrity = rows(db, "PRAGMA integrity_check")[0][0]
        if integrity != "ok":
            fail(f"integrity_check: {integrity}")


# ------------------------------------------------------------------------ contention

def contention_phase(db, workers, seconds):
    print(f"contention: {workers} processes, every command, {seconds}s", flush=True)
    shared = json.loads(run(db, "create-customer", "--given-name", "shared", "--note", "0")[1])["id"]
    item = json.loads(run(db, "create-item", "--name", "shared")[1])["id"]
    deadline = time.time() + seconds
    tally = {}
    tally_lock = threading.Lock()

    def expect(op, code, err, allowed):
        with tally_lock:
            tally[(op, code)] = tally.get((op, code), 0) + 1
        if code not in allowed:
            fail(f"{op} exited {code} (allowed {sorted(allowed)}): {err.strip()[:200]}")

    def worker(seed):
        rng = random.Random(seed)
        mine = []
        n = 0
        while time.time() < deadline:
            n += 1
            op = rng.choice(["create", "get", "list", "update", "delete", "pay", "replay",
                             "reuse", "decline", "prune", "doctor"])
            if op == "create":
                if rng.random() < 0.5:
                    code, out, err = run(db, "create-customer", "--email-address", f"w{seed}-{n}@x.test")
                else:
                    code, out, err = run(db, "create-item", "--name", f"w{seed}-{n}", "--key", f"i{seed}-{n}")
                expect(op, code, err, {0})
                if code == 0:
                    mine.append(json.loads(out)["id"])
            elif op == "get":
                code, _, err = run(db, "get", rng.choice([shared, item] + mine))
                expect(op, code, err, {0})
            elif op == "list":
                code, _, err = run(db, "list", "--limit", "5")
                expect(op, code, err, {0})
            elif op == "update":
                target = rng.choice([shared, item])
                code, out, err = run(db, "get", target)
                expect("get", code, err, {0})
                if code == 0:
                    version = json.loads(out)["version"]
                    field = "note" if target == shared else "description"
                    code, _, err = run(db, "update", target, "--version", str(version), "--set",
                                       f"{field}=w{seed}-{n}")
                    expect(op, code, err, {0, 3})
            elif op == "delete" and mine:
                code, _, err = run(db, "delete", mine.pop())
                expect(op, code, err, {0})
            elif op in ("pay", "replay", "reuse", "decline"):
                key = f"p{seed}-{n}"
                source = "cnon:card-nonce-declined" if op == "decline" else "cnon:card-nonce-ok"
                args = ["create-payment", "--key", key, "--amount", "100", "--currency", "EUR",
                        "--source-id", source]
                code, first, err = run(db, *args)
                expect(op, code, err, {6} if op == "decline" else {0})
                if op == "replay":
                    code, again, err = run(db, *args)
                    expect(op, code, err, {0})
                    if again != first:
                        fail("a replay printed different bytes")
                if op == "reuse":
                    code, _, err = run(db, *args[:4], "200", *args[5:])
                    expect(op, code, err, {5})
            elif op == "prune":
                code, _, err = run(db, "prune-keys", "--older-than", "7d")
                expect(op, code, err, {0})
            elif op == "doctor":
                code, _, err = run(db, "doctor")
                expect(op, code, err, {0})

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    total = sum(tally.values())
    stale = sum(v for (op, code), v in tally.items() if code == 3)
    print(f"  {total} commands, {stale} stale versions refused, exits: "
          + ", ".join(f"{op}:{code}x{v}" for (op, code), v in sorted(tally.items())), flush=True)


# ------------------------------------------------------------------------------ busy

def sqlite_lock(db):
    """A sqlite3 process holding the write lock of `db`, and what ends it."""
    holder = subprocess.Popen(["sqlite3", db], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True)
    holder.stdin.write("BEGIN IMMEDIATE;\nSELECT 'locked';\n")
    holder.stdin.flush()
    holder.stdout.readline()
    return holder, "ROLLBACK;\n.quit\n"


def file_hash(db):
    return hashlib.sha256(open(db, "rb").read()).hexdigest()


def busy_phase(db, lock=sqlite_lock, fingerprint=file_hash):
    print("busy: a lock held past --timeout", flush=True)
    target = json.loads(run(db, "create-customer", "--given-name", "busy")[1])["id"]
    holder, release = lock(db)
    before = fingerprint(db)
    started = time.time()
    code, out, err = run(db, "update", target, "--set", "note=x", timeout="0.5")
    elapsed = time.time() - started
    after = fingerprint(db)
    holder.stdin.write(release)
    holder.stdin.close()
    holder.wait()
    if code != 75 or error_code(err) != "TEMPORARY_ERROR" or out:
        fail(f"locked update exited {code} with {err.strip()}")
    if before != after:
        fail("the refused update changed the store")
    # It waited for the lock, and gave up soon after --timeout (a generous bound: this checks
    # that the timeout is honoured, not how fast the machine is).
    if not 0.5 <= elapsed < 5.5:
        fail(f"exit 75 came after {elapsed:.2f}s with --timeout 0.5")
    print(f"  exit {code} {error_code(err)} after {elapsed:.2f}s with --timeout 0.5", flush=True)


def main():
    global BIN
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", required=True, help="the optimist binary")
    parser.add_argument("--kills", type=int, default=300)
    parser.add_argument("--seconds", type=int, default=60, help="bound of each timed phase")
    parser.add_argument("--workers", type=int, default=16)
    args = parser.parse_args()
    BIN = os.path.abspath(args.bin)
    with tempfile.TemporaryDirectory(prefix="optimist-stress-") as workdir:
        crash_phase(os.path.join(workdir, "crash.db"), args.kills, args.seconds)
        contention_phase(os.path.join(workdir, "contention.db"), args.workers, min(args.seconds, 30))
        busy_phase(os.path.join(workdir, "busy.db"))
    if FAILURES:
        print(f"stress: {len(FAILURES)} failures", flush=True)
        sys.exit(1)
    print("stress: every check passed", flush=True)


if __name__ == "__main__":
    main()
