"""Part `edit`: `edit` against the README's hand-written loop. WORKERS shell workers increment
one customer's counter (its note) INCREMENTS times each, on SQLite and on PostgreSQL.

  loop  the README's "Scripting recipe" as written (get, jq twice, update --version, `case` on
        the exit code: 0 done, 3 again, 75 sleep 1), with the counter as the change
  edit  `optimist edit ID --max-attempts 1000 -- jq '.note = ((.note // "0") | tonumber + 1 | tostring)'`

Both run from the same harness: one `sh` per worker doing INCREMENTS changes in a row, all
WORKERS started at once; ROUNDS rounds, alternating, each on a customer of its own: successful
updates per second of each round, and lost updates (increments that did not reach the counter
or the version).
"""

import json
import os
import subprocess
import tempfile
import time

import common
import postgres

# The README's recipe, with the note's counter as the change (the recipe appends a date to the
# note; a counter makes lost updates countable). $OPTIMIST and $OPTIMIST_DB come from the
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
    return json.loads(common.run([binary, *words], env={**os.environ, "OPTIMIST_DB": db}))


def round_of(script, binary, db, workers, increments):
    """{updates_per_second, lost_updates} of one round on a new customer."""
    customer = optimist(binary, db, "create-customer", "--given-name", "Counter", "--note", "0")
    env = {**os.environ, "OPTIMIST": binary, "OPTIMIST_DB": db}
    started = time.monotonic()
    # The recipe leaves each VERSION_MISMATCH document on stderr: not shown here.
    processes = [subprocess.Popen(["sh", "-c", script, "sh", customer["id"], str(increments)], env=env,
                                  stderr=subprocess.DEVNULL) for _ in range(workers)]
    codes = [p.wait() for p in processes]
    elapsed = time.monotonic() - started
    if any(codes):
        raise SystemExit(f"bench: an edit worker failed: exit codes {codes}")
    final = optimist(binary, db, "get", customer["id"])
    expected = workers * increments
    lost = max(expected - int(final.get("note") or 0), expected - (final["version"] - customer["version"]))
    return {"updates_per_second": expected / elapsed, "lost_updates": lost}


def rounds(binary, db, workers, increments, count):
    results = {"loop": [], "edit": []}
    for _ in range(count):
        for name, script in (("loop", LOOP), ("edit", EDIT)):
            results[name].append(round_of(script, binary, db, workers, increments))
    return results


def measure(ctx):
    binary, workers = ctx.binary, ctx.size["workers"]
    increments, count = ctx.size["edit_increments"], ctx.size["edit_rounds"]
    common.say(f"edit against the README's get/update loop: {workers} workers, SQLite and PostgreSQL")
    out = {"workers": workers, "increments": increments, "rounds": count, "engines": {}}
    with tempfile.TemporaryDirectory(prefix="optimist-bench-edit-") as temporary:
        os.chmod(temporary, 0o755)
        out["engines"]["sqlite"] = rounds(binary, os.path.join(temporary, "edit.db"), workers, increments, count)
        folder = os.path.join(temporary, "server")
        port = common.run(["bash", postgres.PG_SERVER, "start", folder, "durable"]).strip()
        try:
            url = f"postgresql://postgres@/postgres?host={folder}&port={port}"
            out["engines"]["postgresql"] = rounds(binary, url, workers, increments, count)
        finally:
            subprocess.run(["bash", postgres.PG_SERVER, "stop", folder], check=False)
    return out
