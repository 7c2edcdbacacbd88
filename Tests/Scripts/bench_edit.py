#!/usr/bin/env python3
"""`edit` against the README's hand-written loop, for `make bench`: WORKERS shell workers
increment one customer's counter (its note) INCREMENTS times each, on SQLite and on
PostgreSQL, in the same run. Prints a Markdown section for BENCHMARKS.md on stdout.

  loop  the README's "Scripting recipe" as written (get, jq twice, update --version, `case`
        on the exit code: 0 done, 3 again, 75 sleep 1), with the counter as the change
  edit  `optimist edit ID --max-attempts 1000 -- jq '.note = ((.note // "0") | tonumber + 1 | tostring)'`

Both run from the same harness: one `sh` per worker doing INCREMENTS changes in a row, all
WORKERS started at once; ROUNDS rounds, alternating, each on a customer of its own. Reported:
successful updates per second (the median round), the ratio edit / loop (goal: at least 2),
and lost updates (increments that did not reach the counter or the version; must be 0).
Nothing here asserts a time.
"""

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))

# The README's recipe, with the note's counter as the change (the recipe appends a date to
# the note; a counter makes lost updates countable). $OPTIMIST and $OPTIMIST_DB come from the
# environment; "$1" is the id, "$2" how many changes to make.
LOOP = r'''
id=$1
i=0
while [ "$i" -lt "$2" ]; do
  i=$((i + 1))
  while :; do
    customer=$("$OPTIMIST" get "$id") || exit
    version=$(printf '%s' "$customer" | jq -r .version)
    note=$(printf '%s' "$customer" | jq -r '.note // "0"')
    "$OPTIMIST" update "$id" --version "$version" --set "note=$((note + 1))" >/dev/null
    case $? in
      0) break ;;            # done
      3) continue ;;         # someone else changed it first: read again and retry
      75) sleep 1 ;;         # locked for longer than --timeout: wait and retry
      *) exit 1 ;;           # anything else will not fix itself
    esac
  done
done
'''

EDIT = r'''
i=0
while [ "$i" -lt "$2" ]; do
  i=$((i + 1))
  "$OPTIMIST" edit "$1" --max-attempts 1000 -- jq '.note = ((.note // "0") | tonumber + 1 | tostring)' >/dev/null || exit
done
'''


def optimist(binary, db, *words):
    p = subprocess.run([binary, *words], capture_output=True, text=True, env={**os.environ, "OPTIMIST_DB": db})
    if p.returncode != 0:
        raise SystemExit(f"optimist {' '.join(words)} exited {p.returncode}: {p.stderr.strip()}")
    return json.loads(p.stdout)


def round_of(script, binary, db, workers, increments):
    """(updates per second, lost updates) of one round on a new customer."""
    customer = optimist(binary, db, "create-customer", "--given-name", "Counter", "--note", "0")
    env = {**os.environ, "OPTIMIST": binary, "OPTIMIST_DB": db}
    started = time.monotonic()
    # The recipe leaves each VERSION_MISMATCH document on stderr: not shown here.
    processes = [subprocess.Popen(["sh", "-c", script, "sh", customer["id"], str(increments)], env=env,
                                  stderr=subprocess.DEVNULL)
                 for _ in range(workers)]
    codes = [p.wait() for p in processes]
    elapsed = time.monotonic() - started
    if any(codes):
        raise SystemExit(f"a worker failed: exit codes {codes}")
    final = optimist(binary, db, "get", customer["id"])
    expected = workers * increments
    lost = max(expected - int(final.get("note") or 0), expected - (final["version"] - customer["version"]))
    return expected / elapsed, lost


def measure(binary, db, workers, increments, rounds):
    results = {"loop": [], "edit": []}
    for _ in range(rounds):
        for name, script in (("loop", LOOP), ("edit", EDIT)):
            results[name].append(round_of(script, binary, db, workers, increments))
    rate = {name: statistics.median(r for r, _ in rounds_) for name, rounds_ in results.items()}
    lost = {name: sum(l for _, l in rounds_) for name, rounds_ in results.items()}
    return rate, lost


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", required=True, help="optimist (optimist-pg beside it)")
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--increments", type=int, default=25, help="per worker and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--engines", default="sqlite,postgresql")
    args = parser.parse_args()
    binary = os.path.abspath(args.bin)
    rows = []
    with tempfile.TemporaryDirectory(prefix="optimist-bench-edit-") as temporary:
        os.chmod(temporary, 0o755)
        for engine in args.engines.split(","):
            if engine == "sqlite":
                rate, lost = measure(binary, os.path.join(temporary, "edit.db"), args.workers, args.increments,
                                     args.rounds)
            else:
                folder = os.path.join(temporary, "server")
                port = subprocess.run(["bash", os.path.join(HERE, "pg-server.sh"), "start", folder, "durable"],
                                      check=True, capture_output=True, text=True).stdout.strip()
                try:
                    url = f"postgresql://postgres@/postgres?host={folder}&port={port}"
                    rate, lost = measure(binary, url, args.workers, args.increments, args.rounds)
                finally:
                    subprocess.run(["bash", os.path.join(HERE, "pg-server.sh"), "stop", folder], check=False)
            rows.append(f"| {engine} | {rate['loop']:.1f} | {rate['edit']:.1f} | {rate['edit'] / rate['loop']:.2f} "
                        f"| {lost['loop']} | {lost['edit']} |")
    table = "\n".join(rows)
    print(f"""

## `edit` against the hand-written loop

{args.workers} workers increment one customer's counter {args.increments} times each, at once: with the
README's "Scripting recipe" as written (get, two `jq`, `update --version`, again on exit 3),
and with `optimist edit ID -- jq '.note = ((.note // "0") | tonumber + 1 | tostring)'`, which
reads, runs jq, and retries on VERSION_MISMATCH itself (1 ms backoff doubling to 64 ms, full
jitter). Successful updates per second, median of {args.rounds} rounds each (alternating, a new
customer per round); lost updates over all rounds. Goal: edit / loop at least 2, 0 lost.

| engine | loop updates/s | edit updates/s | edit / loop | lost (loop) | lost (edit) |
| --- | ---: | ---: | ---: | ---: | ---: |
{table}

Repeat it: `python3 Tests/Scripts/bench_edit.py --bin .build/release/optimist --workers {args.workers} --increments {args.increments} --rounds {args.rounds}`
""")


if __name__ == "__main__":
    main()
