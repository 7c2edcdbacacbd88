"""optimist's benchmark: measures into a results file (JSON), renders BENCHMARKS.md from it.

  python3 Tests/Scripts/bench measure --bin .build/release/optimist --out results.json
          [--only PART ...] [--quick] [--size NAME=N ...] [--work DIR] [--baseline FILE]
  python3 Tests/Scripts/bench render results.json [--baseline FILE] > BENCHMARKS.md
  python3 Tests/Scripts/bench baseline results.json [--label TEXT] > baseline.json

measure runs the parts (all, or those named by --only) and writes each one's figures as its
section of the results file, merged into the file when it exists: one part can be measured
again alone, and the others are kept. render reads a results file and prints Markdown; it
measures nothing. A results file may carry a `before` set (--baseline: a results file, or a
baseline file as `baseline` prints it); render then shows before → after of the headline figures.

The parts, in the order they run:
  sqlite      one call (get, update, create-payment) against the sqlite3 shell and the C floor,
              on disk and on tmpfs; contention; idempotency; scale; memory; system calls
  callgrind   instructions of one call (get, update, create-payment; optimist, shell, floor)
  durability  the shell's update in three journal settings
  pg          optimist against psql (optimist's own SQL, and the least SQL) on one PostgreSQL server
  edit        `edit` against the README's get/update loop, SQLite and PostgreSQL
  serve       optimist serve under wrk, against one CLI process per request
  events      the event feed: the outbox's instructions in update and create-payment,
              commit-to-delivery latency of a webhook, feed throughput under 8 writers
  versus      (only with --before-bin) get and update with an older binary, in the same run
Nothing asserts a time: ratios are against baselines measured in the same run.
"""

import argparse
import json
import os
import shutil
import sys
import time

import callgrind
import common
import durability
import edit
import events
import postgres
import render
import serve
import sqlite_cli
import versus

PARTS = {"sqlite": sqlite_cli, "callgrind": callgrind, "durability": durability, "pg": postgres, "edit": edit,
         "serve": serve, "events": events, "versus": versus}
FORMAT = 1


def load(path):
    if path and os.path.exists(path) and os.path.getsize(path):
        results = json.loads(common.read(path))
        if results.get("format") != FORMAT:
            raise SystemExit(f"bench: {path} is not a results file of format {FORMAT}")
        return results
    return {"format": FORMAT, "parts": {}}


def before_set(path, label=None):
    """The `before` set of a results file, or a baseline file as it is."""
    data = json.loads(common.read(path))
    if "figures" in data:
        return data
    env = next(iter(data.get("parts", {}).values()), {}).get("env", {})
    return {"label": label or f"commit {env.get('commit', 'unknown')}, {env.get('date', 'unknown date')}",
            "figures": render.figures(data)}


def write(path, results):
    temporary = path + ".tmp"
    with open(temporary, "w") as f:
        json.dump(results, f, indent=1, sort_keys=False)
        f.write("\n")
    os.replace(temporary, path)


def measure(args):
    names = args.only or [n for n in PARTS if n != "versus" or args.before_bin]
    if "versus" in names and not args.before_bin:
        raise SystemExit("bench: the part versus needs --before-bin (an older optimist)")
    unknown = [n for n in names if n not in PARTS]
    if unknown:
        raise SystemExit(f"bench: no part {', '.join(unknown)} (parts: {', '.join(PARTS)})")
    results = load(args.out)
    if args.baseline:
        results["before"] = before_set(args.baseline)
    work = args.work or os.path.join(os.path.dirname(os.path.abspath(args.out)), "work")
    shutil.rmtree(work, ignore_errors=True)
    sizes = {}
    for setting in args.size or []:
        name, _, value = setting.partition("=")
        if not value.isdigit():
            raise SystemExit(f"bench: --size {setting}: expected NAME=NUMBER")
        sizes[name] = int(value)
    ctx = common.Context(args.bin, work, args.quick, sizes)
    if args.before_bin:
        ctx.before = {"bin": os.path.abspath(args.before_bin), "label": args.before_label or args.before_bin}
    run_date = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())  # every part of this run says so
    try:
        for name in names:
            ctx.commands = []
            load_start, started = common.load_average(), time.monotonic()
            data = PARTS[name].measure(ctx)
            env = common.environment(ctx)
            env.update(date=run_date, load_start=load_start, load_end=common.load_average(), seconds=time.monotonic() - started)
            results["parts"][name] = {"env": env, "commands": ctx.commands, "data": data}
            # Parts keep the order of PARTS, whichever ran last.
            results["parts"] = {n: results["parts"][n] for n in PARTS if n in results["parts"]}
            write(args.out, results)  # each part is kept as soon as it is measured
            common.say(f"{name}: written to {args.out}")
    finally:
        ctx.close()


def main():
    parser = argparse.ArgumentParser(prog="bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("measure", help="measure parts into a results file")
    p.add_argument("--bin", default=os.path.join(common.REPO, ".build/release/optimist"),
                   help="optimist (optimist-pg and optimist-serve beside it)")
    p.add_argument("--out", required=True, help="the results file (JSON), merged into when it exists")
    p.add_argument("--only", nargs="+", metavar="PART", help=f"these parts only ({', '.join(PARTS)})")
    p.add_argument("--quick", action="store_true", help="small runs and durations: to try it, not to quote it")
    p.add_argument("--size", action="append", metavar="NAME=N",
                   help=f"one size instead of its default, e.g. runs=50 or big=100000 ({', '.join(common.FULL)})")
    p.add_argument("--work", help="the work folder for raw files (default: `work` beside --out), emptied first")
    p.add_argument("--baseline", help="a results or baseline file whose figures become the `before` set")
    p.add_argument("--before-bin", help="an older optimist, measured against this one in the same run (part versus)")
    p.add_argument("--before-label", help="what that binary is, e.g. \"commit 2d51585\"")
    p = sub.add_parser("render", help="print BENCHMARKS.md from a results file")
    p.add_argument("results")
    p.add_argument("--baseline", help="a results or baseline file: the `before` set (instead of the results' own)")
    p = sub.add_parser("baseline", help="print the headline figures of a results file as a baseline file")
    p.add_argument("results")
    p.add_argument("--label", help="what the figures are (default: the commit and date of the run)")
    args = parser.parse_args()
    if args.command == "measure":
        measure(args)
    elif args.command == "render":
        results = load(args.results)
        if args.baseline:
            results["before"] = before_set(args.baseline)
        sys.stdout.write(render.render(results))
    else:
        json.dump(before_set(args.results, args.label), sys.stdout, indent=1)
        sys.stdout.write("\n")


if __name__ == "__main__":
    main()
