#!/usr/bin/env python3
"""The parts of `Tests/Scripts/bench.sh` that need threads or arithmetic.

Every subcommand prints its result on stdout; bench.sh reads it. The workloads run the same
thing twice, once with optimist and once with the sqlite3 shell, chosen by --tool:

  contention  N workers x M read-modify-write cycles on one customer: get it, update it with
              the version read (note := note + 1), retry from the get on a conflict (optimist
              exit 3, sqlite3 changes() = 0). Prints updates/s, conflicts, the longest single
              update call, and lost updates (expected successes minus the versions gained).
  payments    N workers each create M payments with distinct idempotency keys.
  replays     one payment is created, then N workers x M repeat the very same request;
              every answer must be the first one, byte for byte, and one payment must exist.

  contention-summary JSON...  several contention rounds in one: medians and worst cases.
  idempotency-summary JSON... several payments or replays rounds in one.

Helpers for reading measurements:

  median JSON...              median of the run times in hyperfine --export-json files, in ms
                              (all results of all files together).
  spread JSON...              the middle half of those run times (25th-75th percentile).
  block-ratios PREFIX BLOCKS A B  lowest and highest ratio of command A's median to command
                              B's over the blocks of a measurement.
  mean-times JSON...          mean user and system time per run in ms, as "user system".
  strace-calls FILE [NAME...] calls of these syscalls in an `strace -c` table (none: total).
  strace-compare FILE FILE    Markdown table rows: calls of every syscall in two tables.
  callgrind-total FILE        instructions executed (Ir) according to a callgrind output file.
  callgrind-inclusive FILE RE the largest inclusive cost of a function matching RE.
  callgrind-top FILE N        the N costliest functions, inclusive, with readable names.
  callgrind-callers FILE F N  the N callers of F that cost the most through it.
  callgrind-parts FILE SYMS   instructions by component (exclusive), as "count<TAB>component"
                              lines; SYMS lists the SQLite library's function names.

The sqlite3 side gets its SQL from bench.sh as templates: {version}, {note} and {key} are
replaced here.
"""

import argparse
import json
import re
import sqlite3
import statistics
import subprocess
import threading
import time


# ----------------------------------------------------------------------------- calls

class Tool:
    """One side of the comparison: how to get, update and pay with optimist or the shell."""

    def __init__(self, args):
        self.args = args
        self.db = args.db

    def sqlite3(self, sql, json_mode):
        # The same durable commits as optimist's (Durability.swift), the pragma's answer hidden.
        command = ["sqlite3", "-bail", "-cmd", ".timeout 10000", "-cmd", ".output /dev/null",
                   "-cmd", "PRAGMA journal_mode = TRUNCATE", "-cmd", ".output stdout"]
        if json_mode:
            command.append("-json")
        return subprocess.run(command + [self.db, sql], capture_output=True, text=True)

    def optimist(self, *words):
        return subprocess.run([self.args.bin, *words, "--db", self.db],
                              capture_output=True, text=True)

    def get(self, object_id):
        """(version, counter) of the customer."""
        if self.args.tool == "optimist":
            p = self.optimist("get", object_id)
            check(p, "optimist get")
            row = json.loads(p.stdout)
        else:
            p = self.sqlite3(self.args.get_sql, json_mode=True)
            check(p, "sqlite3 get")
            row = json.loads(p.stdout)[0]
        return int(row["version"]), int(row.get("note") or 0)

    def update(self, object_id, version, counter):
        """True when the conditional update changed the customer, False on a conflict."""
        if self.args.tool == "optimist":
            p = self.optimist("update", object_id, "--version", str(version),
                              "--set", f"note={counter}")
            if p.returncode == 3:
                return False
            check(p, "optimist update")
            return True
        sql = self.args.update_sql.replace("{version}", str(version)).replace("{note}", str(counter))
        p = self.sqlite3(sql, json_mode=True)
        check(p, "sqlite3 update")
        return json.loads(p.stdout)[0]["changed"] == 1

    def pay(self, key):
        """The answer (stdout) to creating a payment with this idempotency key."""
        if self.args.tool == "optimist":
            p = self.optimist("create-payment", "--key", key, "--amount", "450", "--currency",
                              "USD", "--source-id", "cnon:card-nonce-ok", "--customer-id",
                              self.args.customer)
        else:
            p = self.sqlite3(self.args.payment_sql.replace("{key}", key), json_mode=False)
        check(p, f"{self.args.tool} create-payment")
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


# ----------------------------------------------------------------------------- workloads

def contention(args):
    tool = Tool(args)
    start_version, start_counter = tool.get(args.id)
    lock = threading.Lock()
    totals = {"successes": 0, "conflicts": 0, "longest": 0.0, "updates": [], "gets": []}

    def worker(_):
        for _cycle in range(args.cycles):
            while True:
                began = time.monotonic()
                version, counter = tool.get(args.id)
                read = time.monotonic()
                changed = tool.update(args.id, version, counter + 1)
                took = time.monotonic() - read
                with lock:
                    totals["gets"].append(read - began)
                    totals["updates"].append(took)
                    totals["longest"] = max(totals["longest"], took)
                    if changed:
                        totals["successes"] += 1
                    else:
                        totals["conflicts"] += 1
                if changed:
                    break

    elapsed = in_threads(args.workers, worker)
    end_version, end_counter = tool.get(args.id)
    successes = totals["successes"]
    print(json.dumps({
        "updates_per_second": successes / elapsed,
        "seconds": elapsed,
        "successes": successes,
        "conflicts": totals["conflicts"],
        "longest_update_ms": totals["longest"] * 1000,
        "median_update_ms": statistics.median(totals["updates"]) * 1000,
        "median_get_ms": statistics.median(totals["gets"]) * 1000,
        # Every success must have moved the version and the counter by exactly one.
        "lost_updates": max(successes - (end_version - start_version),
                            successes - (end_counter - start_counter)),
        "versions_gained": end_version - start_version,
        "counter_gained": end_counter - start_counter,
    }))


def contention_summary(args):
    """One JSON object for several contention rounds: medians, and the worst of each check."""
    rounds = [json.loads(text) for text in args.rounds]
    rates = [r["updates_per_second"] for r in rounds]
    print(json.dumps({
        "updates_per_second": statistics.median(rates),
        "rates": " / ".join(f"{x:.1f}" for x in rates),
        "lowest_rate": min(rates),
        "highest_rate": max(rates),
        "conflicts": statistics.median(r["conflicts"] for r in rounds),
        "conflicts_per_success": sum(r["conflicts"] for r in rounds) / sum(r["successes"] for r in rounds),
        "longest_update_ms": max(r["longest_update_ms"] for r in rounds),
        "median_update_ms": statistics.median(r["median_update_ms"] for r in rounds),
        "median_get_ms": statistics.median(r["median_get_ms"] for r in rounds),
        "lost_updates": max(r["lost_updates"] for r in rounds),
        "versions_gained": sum(r["versions_gained"] for r in rounds),
        "counter_gained": sum(r["counter_gained"] for r in rounds),
        "successes": sum(r["successes"] for r in rounds),
    }))


def idempotency_summary(args):
    """One JSON object for several payments or replays rounds: the median rate, and whether
    every round kept its promises (each key paid once; a replayed key paid once, every answer
    the first one)."""
    rounds = [json.loads(text) for text in args.rounds]
    rate = "payments_per_second" if "payments_per_second" in rounds[0] else "replays_per_second"
    rates = [r[rate] for r in rounds]
    if rate == "payments_per_second":
        kept = all(r["payments_created"] == r["expected"] for r in rounds)
    else:
        kept = all(r["payments_created"] == 1 and r["payments_for_key"] == 1
                   and r["all_answers_identical"] for r in rounds)
    print(json.dumps({
        rate: statistics.median(rates),
        "rates": " / ".join(f"{x:.1f}" for x in rates),
        "kept": "yes" if kept else "no",
    }))


def payment_count(db):
    with sqlite3.connect(db) as con:
        return con.execute("SELECT count(*) FROM payments").fetchone()[0]


def payments(args):
    tool = Tool(args)
    before = payment_count(args.db)

    def worker(w):
        for i in range(args.count):
            tool.pay(f"{args.key_prefix}-{w}-{i}")

    elapsed = in_threads(args.workers, worker)
    created = payment_count(args.db) - before
    print(json.dumps({
        "payments_per_second": args.workers * args.count / elapsed,
        "seconds": elapsed,
        "payments_created": created,
        "expected": args.workers * args.count,
    }))


def replays(args):
    tool = Tool(args)
    before = payment_count(args.db)
    first = tool.pay(args.key)
    answers = set()
    lock = threading.Lock()

    def worker(_):
        for _i in range(args.count):
            answer = tool.pay(args.key)
            with lock:
                answers.add(answer)

    elapsed = in_threads(args.workers, worker)
    with sqlite3.connect(args.db) as con:
        for_key = con.execute(
            "SELECT count(*) FROM payments WHERE id IN (SELECT object_id FROM idempotency_keys "
            "WHERE command = 'create-payment' AND key = ?)", (args.key,)).fetchone()[0]
    print(json.dumps({
        "replays_per_second": args.workers * args.count / elapsed,
        "seconds": elapsed,
        "payments_created": payment_count(args.db) - before,
        "payments_for_key": for_key,
        "all_answers_identical": answers == {first},
    }))


# ----------------------------------------------------------------------------- readings

def hyperfine_runs(paths):
    """(wall, user, system) of every run in these hyperfine --export-json files."""
    runs = []
    for path in paths:
        for result in json.load(open(path))["results"]:
            # hyperfine keeps each run's wall time, but only the mean user and system time.
            runs += [(t, result["user"], result["system"]) for t in result["times"]]
    return runs


def median(args):
    print(f"{statistics.median(r[0] for r in hyperfine_runs(args.json)) * 1000:.3f}")


def block_ratios(args):
    """The lowest and highest ratio, block by block, of command A's median to command B's in a
    measurement made in blocks (NAME.BLOCK.COMMAND.json): "lo hi"."""
    ratios = []
    for block in range(args.blocks):
        a = statistics.median(r[0] for r in hyperfine_runs([f"{args.prefix}.{block}.{args.a}.json"]))
        b = statistics.median(r[0] for r in hyperfine_runs([f"{args.prefix}.{block}.{args.b}.json"]))
        ratios.append(a / b)
    print(f"{min(ratios):.2f} {max(ratios):.2f}")


def spread(args):
    """The middle half of the run times, in ms: "p25–p75"."""
    q = statistics.quantiles([r[0] * 1000 for r in hyperfine_runs(args.json)], n=4)
    print(f"{q[0]:.1f}–{q[2]:.1f}")


def mean_times(args):
    runs = hyperfine_runs(args.json)
    user = statistics.mean(r[1] for r in runs) * 1000
    system = statistics.mean(r[2] for r in runs) * 1000
    print(f"{user:.2f} {system:.2f}")


def strace_table(path):
    """{syscall: (calls, seconds)} from an `strace -c` summary, with 'total'."""
    table = {}
    for line in open(path):
        fields = line.split()
        # % time, seconds, usecs/call, calls, [errors], syscall
        if len(fields) >= 5 and re.fullmatch(r"[\d.]+", fields[0]) and fields[3].isdigit():
            table[fields[-1]] = (int(fields[3]), float(fields[1]))
    return table


def strace_calls(args):
    table = strace_table(args.file)
    names = args.names or ["total"]
    print(sum(table.get(n, (0, 0))[0] for n in names))


def callgrind_total(args):
    for line in open(args.file):
        if line.startswith("totals:") or line.startswith("summary:"):
            print(line.split()[1])
            return
    raise SystemExit(f"no totals in {args.file}")


def component(function, obj, sqlite_names):
    """Which part of the program an exclusive cost belongs to."""
    name = re.sub(r"'\d+$", "", function.split("(")[0])  # 'N marks a recursion depth
    base = name.split(".")[0]  # keywordCode.part.0.constprop.0: a compiler's clone
    if name in sqlite_names:
        base = name
    if "ArgumentParser" in function or "/ArgumentParser/" in obj:
        return "swift-argument-parser"
    if "8optimist" in function or "OptimistCore" in function or "OptimistCLI" in function:
        return "optimist's own code"
    if "libsqlite3" in obj or base in sqlite_names:
        return "SQLite library"
    if "ld-linux" in obj or base.startswith("_dl_") or base in ("do_lookup_x", "check_match"):
        return "dynamic loader (symbol lookup, relocation)"
    if (base.startswith(("swift", "_swift", "__swift", "$s", "$S")) or "swift::" in function
            or "Demangle" in function or "anonymous namespace" in function
            or base in ("_gatherGenericParameters", "tryCast", "getCache", "stringRefEqualsCString")):
        return "Swift runtime and standard library (metadata, conformances, casts, Mirror)"
    return "other (C library, start-up; the shell's and the floor's own code)"


def callgrind_parts(args):
    sqlite_names = set(open(args.symbols).read().split()) if args.symbols else set()
    parts = {}
    for cost, function, source, obj in annotate(args.file, False):
        name = component(function, source + " " + obj, sqlite_names)
        parts[name] = parts.get(name, 0) + cost
    for name, cost in sorted(parts.items(), key=lambda kv: -kv[1]):
        print(f"{cost}\t{name}")


def annotate(path, inclusive):
    """[(instructions, function, source, object)] of callgrind_annotate, costliest first."""
    command = ["callgrind_annotate", "--threshold=100", "--auto=no", path]
    if inclusive:
        command.insert(1, "--inclusive=yes")
    text = subprocess.run(command, capture_output=True, text=True).stdout
    line_re = re.compile(r"^\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+(.*?):(.*?)(?:\s+\[(.*)\])?$")
    rows = []
    for line in text.splitlines():
        m = line_re.match(line)
        if m and "PROGRAM TOTALS" not in line:
            rows.append((int(m.group(1).replace(",", "")), m.group(3), m.group(2), m.group(4) or ""))
    return rows


def callgrind_inclusive(args):
    """The largest inclusive cost of a function whose name matches the pattern (0: none)."""
    pattern = re.compile(args.pattern)
    print(max([cost for cost, function, _, _ in annotate(args.file, True)
               if pattern.search(function)] or [0]))


def demangle(names):
    """Swift symbols made readable with swift-demangle when it is installed."""
    try:
        p = subprocess.run(["swift-demangle", "--simplified", "--compact"], input="\n".join(names),
                           capture_output=True, text=True)
        out = p.stdout.splitlines()
        if p.returncode == 0 and len(out) == len(names):
            return out
    except OSError:
        pass
    return names


def collapse_arguments(name):
    """Drops C++ parameter lists, which are long and say little: f(swift::Metadata const*) -> f(…)."""
    out, depth, group = [], 0, []
    for ch in name:
        if depth == 0 and ch != "(":
            out.append(ch)
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        group.append(ch)
        if depth == 0:
            text = "".join(group)
            out.append("(…)" if ("::" in text or "*" in text or " const" in text) else text)
            group = []
    return "".join(out) + "".join(group)


def callgrind_top(args):
    rows, seen = [], set()
    for row in annotate(args.file, True):  # a function split over files is listed per file
        if "below main" not in row[1] and row[1] not in seen:
            seen.add(row[1])
            rows.append(row)
    rows = rows[:args.count]
    total = int(subprocess.run(["sh", "-c", f"grep -m1 -E '^(totals|summary):' {args.file}"],
                               capture_output=True, text=True).stdout.split()[1])
    names = demangle([re.sub(r"'\d+$", "", f) for _, f, _, _ in rows])
    for (cost, _, _, _), name in zip(rows, names):
        name = collapse_arguments(re.sub(r"\s+", " ", name))
        print(f"{cost:>12,} {100 * cost / total:5.1f}%  {name[:110]}")


def callgrind_callers(args):
    """The callers of a function, by the instructions their calls to it cost (inclusive)."""
    text = subprocess.run(["callgrind_annotate", "--tree=caller", "--inclusive=yes",
                           "--threshold=100", "--auto=no", args.file],
                          capture_output=True, text=True).stdout
    line_re = re.compile(r"^\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+([<*])\s+(.*?):(.*?)"
                         r"(?:\s+\((\d+)x\))?(?:\s+\[(.*)\])?$")
    callers = {}
    for block in text.split("\n\n"):
        lines = [line_re.match(line) for line in block.splitlines()]
        lines = [m for m in lines if m]
        if not any(m.group(2) == "*" and m.group(4) == args.symbol for m in lines):
            continue
        for m in lines:
            if m.group(2) == "<":
                cost, calls = int(m.group(1).replace(",", "")), int(m.group(5) or 1)
                old = callers.get(m.group(4), (0, 0))
                callers[m.group(4)] = (old[0] + cost, old[1] + calls)
    top = sorted(callers.items(), key=lambda kv: -kv[1][0])[:args.count]
    names = demangle([re.sub(r"'\d+$", "", name) for name, _ in top])
    for (_, (cost, calls)), name in zip(top, names):
        print(f"{cost:>12,}  {calls:>3}x  {collapse_arguments(name)[:110]}")


def strace_compare(args):
    """Markdown rows: calls of every syscall in either table, then the total."""
    a, b = strace_table(args.first), strace_table(args.second)
    names = sorted((set(a) | set(b)) - {"total"},
                   key=lambda n: (-(a.get(n, (0, 0))[0] + b.get(n, (0, 0))[0]), n))
    for n in names + ["total"]:
        bold = "**" if n in ("total", "fsync", "fdatasync") else ""
        print(f"| {bold}{n}{bold} | {a.get(n, (0, 0))[0]} | {b.get(n, (0, 0))[0]} |")


# ----------------------------------------------------------------------------- main

def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    def workload(name, function):
        p = sub.add_parser(name)
        p.add_argument("--tool", choices=["optimist", "sqlite3"], required=True)
        p.add_argument("--bin", help="the optimist binary")
        p.add_argument("--db", required=True)
        p.add_argument("--workers", type=int, default=8)
        p.add_argument("--get-sql", help="sqlite3: the get statement")
        p.add_argument("--update-sql", help="sqlite3: the update script, with {version} and {note}")
        p.add_argument("--payment-sql", help="sqlite3: the payment script, with {key}")
        p.add_argument("--customer", help="the customer the payments name")
        p.set_defaults(function=function)
        return p

    p = workload("contention", contention)
    p.add_argument("--cycles", type=int, default=200, help="successful updates per worker")
    p.add_argument("--id", required=True, help="the customer they all update")
    p = workload("payments", payments)
    p.add_argument("--count", type=int, default=50, help="payments per worker")
    p.add_argument("--key-prefix", required=True)
    p = workload("replays", replays)
    p.add_argument("--count", type=int, default=50, help="replays per worker")
    p.add_argument("--key", required=True)

    for name, function in (("median", median), ("mean-times", mean_times), ("spread", spread)):
        p = sub.add_parser(name)
        p.add_argument("json", nargs="+")
        p.set_defaults(function=function)
    p = sub.add_parser("block-ratios")
    p.add_argument("prefix", help="the work folder and measurement name, e.g. WORK/update")
    p.add_argument("blocks", type=int)
    p.add_argument("a", type=int)
    p.add_argument("b", type=int)
    p.set_defaults(function=block_ratios)
    p = sub.add_parser("strace-calls")
    p.add_argument("file")
    p.add_argument("names", nargs="*")
    p.set_defaults(function=strace_calls)
    p = sub.add_parser("callgrind-total")
    p.add_argument("file")
    p.set_defaults(function=callgrind_total)
    p = sub.add_parser("callgrind-parts")
    p.add_argument("file")
    p.add_argument("symbols", nargs="?")
    p.set_defaults(function=callgrind_parts)

    p = sub.add_parser("callgrind-inclusive")
    p.add_argument("file")
    p.add_argument("pattern")
    p.set_defaults(function=callgrind_inclusive)
    p = sub.add_parser("callgrind-top")
    p.add_argument("file")
    p.add_argument("count", type=int)
    p.set_defaults(function=callgrind_top)
    p = sub.add_parser("callgrind-callers")
    p.add_argument("file")
    p.add_argument("symbol", help="the callee, as callgrind_annotate names it")
    p.add_argument("count", type=int)
    p.set_defaults(function=callgrind_callers)
    p = sub.add_parser("contention-summary")
    p.add_argument("rounds", nargs="+", help="the JSON printed by each contention round")
    p.set_defaults(function=contention_summary)
    p = sub.add_parser("idempotency-summary")
    p.add_argument("rounds", nargs="+", help="the JSON printed by each payments or replays round")
    p.set_defaults(function=idempotency_summary)
    p = sub.add_parser("strace-compare")
    p.add_argument("first")
    p.add_argument("second")
    p.set_defaults(function=strace_compare)

    args = parser.parse_args()
    args.function(args)


if __name__ == "__main__":
    main()
