"""The SQLite workloads with threads, each run once with optimist and once with the sqlite3
shell doing the same SQL. Each returns the figures of one round as a dict.

  contention  N workers x M read-modify-write cycles on one customer: get it, update it with
              the version read (note := note + 1), retry from the get on a conflict (optimist
              exit 3, sqlite3 changes() = 0): updates/s, conflicts, the longest single update
              call, and lost updates (successes minus the versions or counter gained).
  payments    N workers each create M payments with distinct idempotency keys.
  replays     one payment is created, then N workers x M repeat the very same request; every
              answer must be the first one, byte for byte, and one payment must exist.
"""

import json
import sqlite3
import statistics
import subprocess
import threading
import time

import sql


class Side:
    """One side of the comparison: how to get, update and pay with optimist or the shell."""

    def __init__(self, tool, db, binary=None, customer=None):
        self.tool, self.db, self.binary, self.customer = tool, db, binary, customer

    def shell(self, script, json_mode):
        command = sql.shell() + (["-json"] if json_mode else [])
        return subprocess.run(command + [self.db, script], capture_output=True, text=True)

    def optimist(self, *words):
        return subprocess.run([self.binary, *words, "--db", self.db], capture_output=True, text=True)

    def get(self, customer):
        """(version, counter) of the customer."""
        if self.tool == "optimist":
            p = self.optimist("get", customer)
            check(p, "optimist get")
            row = json.loads(p.stdout)
        else:
            p = self.shell(sql.get_sql(customer), json_mode=True)
            check(p, "sqlite3 get")
            row = json.loads(p.stdout)[0]
        return int(row["version"]), int(row.get("note") or 0)

    def update(self, customer, version, counter):
        """True when the conditional update changed the customer, False on a conflict."""
        if self.tool == "optimist":
            p = self.optimist("update", customer, "--version", str(version), "--set", f"note={counter}")
            if p.returncode == 3:
                return False
            check(p, "optimist update")
            return True
        p = self.shell(sql.update_sql(customer, version, counter), json_mode=True)
        check(p, "sqlite3 update")
        return json.loads(p.stdout)[0]["changed"] == 1

    def pay(self, key):
        """The answer (stdout) to creating a payment with this idempotency key."""
        if self.tool == "optimist":
            p = self.optimist("create-payment", "--key", key, "--amount", "450", "--currency", "USD",
                              "--source-id", "cnon:card-nonce-ok", "--customer-id", self.customer)
        else:
            p = self.shell(sql.payment_sql(key, self.customer), json_mode=False)
        check(p, f"{self.tool} create-payment")
        return p.stdout


def check(process, what):
    if process.returncode != 0:
        raise SystemExit(f"{what} failed with exit {process.returncode}: {process.stderr.strip()}")


def in_threads(workers, body):
    """Runs body(worker) in `workers` threads at once; returns the wall time in seconds."""
    errors = []

    def run(worker):
        try:
            body(worker)
        except BaseException as error:  # a failed call ends the benchmark with its message
            errors.append(error)

    threads = [threading.Thread(target=run, args=(w,)) for w in range(workers)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    if errors:
        raise SystemExit(f"a worker failed: {errors[0]}")
    return elapsed


def contention(side, customer, workers, cycles):
    start_version, start_counter = side.get(customer)
    lock = threading.Lock()
    totals = {"successes": 0, "conflicts": 0, "longest": 0.0, "updates": [], "gets": []}

    def worker(_):
        for _cycle in range(cycles):
            while True:
                began = time.monotonic()
                version, counter = side.get(customer)
                read = time.monotonic()
                changed = side.update(customer, version, counter + 1)
                took = time.monotonic() - read
                with lock:
                    totals["gets"].append(read - began)
                    totals["updates"].append(took)
                    totals["longest"] = max(totals["longest"], took)
                    totals["successes" if changed else "conflicts"] += 1
                if changed:
                    break

    elapsed = in_threads(workers, worker)
    end_version, end_counter = side.get(customer)
    successes = totals["successes"]
    return {
        "updates_per_second": successes / elapsed,
        "seconds": elapsed,
        "successes": successes,
        "conflicts": totals["conflicts"],
        "longest_update_ms": totals["longest"] * 1000,
        "median_update_ms": statistics.median(totals["updates"]) * 1000,
        "median_get_ms": statistics.median(totals["gets"]) * 1000,
        # Every success must have moved the version and the counter by exactly one.
        "lost_updates": max(successes - (end_version - start_version), successes - (end_counter - start_counter)),
        "versions_gained": end_version - start_version,
        "counter_gained": end_counter - start_counter,
    }


def payment_count(db):
    with sqlite3.connect(db) as con:
        return con.execute("SELECT count(*) FROM payments").fetchone()[0]


def payments(side, workers, count, key_prefix):
    before = payment_count(side.db)

    def worker(w):
        for i in range(count):
            side.pay(f"{key_prefix}-{w}-{i}")

    elapsed = in_threads(workers, worker)
    return {
        "payments_per_second": workers * count / elapsed,
        "seconds": elapsed,
        "payments_created": payment_count(side.db) - before,
        "expected": workers * count,
    }


def replays(side, workers, count, key):
    before = payment_count(side.db)
    first = side.pay(key)
    answers = set()
    lock = threading.Lock()

    def worker(_):
        for _i in range(count):
            answer = side.pay(key)
            with lock:
                answers.add(answer)

    elapsed = in_threads(workers, worker)
    with sqlite3.connect(side.db) as con:
        for_key = con.execute(
            "SELECT count(*) FROM payments WHERE id IN (SELECT object_id FROM idempotency_keys "
            "WHERE command = 'create-payment' AND key = ?)", (key,)).fetchone()[0]
    return {
        "replays_per_second": workers * count / elapsed,
        "seconds": elapsed,
        "payments_created": payment_count(side.db) - before,
        "payments_for_key": for_key,
        "all_answers_identical": answers == {first},
    }
