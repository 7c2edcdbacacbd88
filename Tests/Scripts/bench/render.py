"""BENCHMARKS.md from a results file: pure (reads the JSON, returns Markdown, measures
nothing). A part missing from the results leaves its rows out and says how to measure it."""

import re
import statistics

from render_sqlite import SQLite
from report import (GOAL_EDIT, GOAL_SERVE, GOAL_SLOW, contention_summary, f, goal_ratio, measured_apart, n,
                    not_measured, part, ratio)


# ----------------------------------------------------------------------------- figures
def figures(results):
    """The headline figures of a results file, flat, for a before/after comparison."""
    out = {}
    cg = part(results, "callgrind")
    if cg:
        ins = cg["data"]["instructions"]
        for op in ("get", "update", "payment"):
            out[f"{op} instructions"] = ins[f"opt-{op}-SMALL"]
            out[f"floor {op} instructions"] = ins[f"flr-{op}-SMALL"]
            out[f"shell {op} instructions"] = ins[f"sql-{op}-SMALL"]
    sq = part(results, "sqlite")
    if sq:
        d = sq["data"]
        for op in ("get", "update", "payment"):
            out[f"{op} ms"] = d[op]["opt"]["median_ms"]
            out[f"floor {op} ms"] = d[op]["flr"]["median_ms"]
            out[f"shell {op} ms"] = d[op]["sql"]["median_ms"]
        if "tmpfs_update" in d:
            out["tmpfs update ms"] = d["tmpfs_update"]["opt"]["median_ms"]
            out["floor tmpfs update ms"] = d["tmpfs_update"]["flr"]["median_ms"]
        out["contention updates/s"] = contention_summary(d["contention"]["opt"])["updates_per_second"]
        out["shell contention updates/s"] = contention_summary(d["contention"]["sql"])["updates_per_second"]
    pg = part(results, "pg")
    if pg:
        for op in ("get", "update", "payment"):
            out[f"pg {op} ms"] = pg["data"][op]["opt"]["median_ms"]
            out[f"psql {op} ms"] = pg["data"][op]["psql"]["median_ms"]
            if "direct" in pg["data"][op]:
                out[f"pg direct {op} ms"] = pg["data"][op]["direct"]["median_ms"]
            if "same" in pg["data"][op]:
                out[f"psql same {op} ms"] = pg["data"][op]["same"]["median_ms"]
    sv = part(results, "serve")
    if sv:
        out["serve GET 8 connections req/s"] = sv["data"]["get"]["8"]["requests_per_second"]
        out["CLI get req/s"] = sv["data"]["cli"]["get_1"]
    ed = part(results, "edit")
    if ed:
        for engine, r in ed["data"]["engines"].items():
            out[f"edit / loop {engine}"] = (statistics.median(x["updates_per_second"] for x in r["edit"])
                                            / statistics.median(x["updates_per_second"] for x in r["loop"]))
    return out


# ----------------------------------------------------------------------------- sections
def header(results, env):
    lines = ["# Benchmarks", "",
             "optimist against the natural baseline, the `sqlite3` command-line shell running the same SQL",
             "on the same database file, and against the floor: a minimal static C program per operation",
             "doing optimist's SQL in optimist's transaction, the least any command-line tool can do here.",
             "Written by `make bench` (`Tests/Scripts/bench`: it measures into a results file, then renders",
             "this page from it); every figure below comes from the run described here. Lower is better for",
             "times, higher for rates.", ""]
    if not env:
        return "\n".join(lines) + "\n"
    sq = part(results, "sqlite")
    s = env["sizes"]
    run = [p["env"] for p in results["parts"].values() if p["env"]["date"] == env["date"]]
    load = f"load average (1, 5, 15 min) {run[0]['load_start']} at the start, {run[-1]['load_end']} at the end"
    minutes = round(sum(e["seconds"] for e in run) / 60)
    lines += [f"- Date: {env['date']}" + (" (`--quick`: reduced sizes, a try, not figures to quote)"
                                         if env.get("quick") else ""),
              f"- Machine: {env['cores']} cores, {env['cpu']}, {env['memory_gib']} GiB RAM, Linux {env['kernel']};",
              f"  {load} (the contention workload's own", f"  {s['workers']} workers count too); "
              f"the run took {minutes} min",
              f"- Disk: the databases live on {env['disk']} ({env['filesystem']}); the page cache is warm"]
    if sq:
        d = sq["data"]
        lines += [f"- SQLite: {d['sqlite_library']} inside optimist and the floor (static); shell {env['sqlite_shell']}; "
                  f"every side runs `{d['pragmas']}`"]
    lines += [f"- optimist: {env['optimist_version']} at commit {env['commit']}, {env['binary_mib']:.1f} MiB static binary"]
    if sq:
        lines += [f"- Databases: {n(s['small'])} and {n(s['big'])} customers, each with the idempotency key it was "
                  f"created with (built with SQL in {sq['data']['seed_seconds']:.0f} s)"]
    lines += [f"- hyperfine {env['hyperfine']}, {s['runs']} runs per median; {s['workers']} workers", ""]
    return "\n".join(lines) + "\n"


def durability(results, header_env):
    p = part(results, "durability")
    title = "## Durability: how a commit reaches the disk\n\n"
    if not p:
        return title + not_measured("durability") + "\n"
    s = p["data"]["settings"]
    base = s[0]["median_ms"]
    meaning = {("DELETE", "FULL"): ("DELETE, FULL (SQLite's default; optimist before issue 13)",
                                    "can undo it: the journal's unlink is not synced"),
               ("DELETE", "EXTRA"): ("DELETE, EXTRA", "keeps it: the folder is synced after the unlink"),
               ("TRUNCATE", "FULL"): ("TRUNCATE, FULL (optimist)", "keeps it: the truncation is synced")}
    rows = [f"| {meaning[(x['journal_mode'], x['synchronous'])][0]} | {meaning[(x['journal_mode'], x['synchronous'])][1]} | "
            f"{f(x['median_ms'], 3)} ms | {ratio(x['median_ms'], base)} |" for x in s]
    return (title + measured_apart(results, "durability", header_env) +
            "The `sqlite3` shell's `update` (the same SQL as above) on the same database in the same run,\n"
            f"in three settings, each on a customer of its own, {s[0]['runs']} runs each (Durability.swift says why):\n\n"
            "| journal mode, synchronous | after COMMIT returns, a power cut | median | × DELETE+FULL |\n"
            "| --- | --- | ---: | ---: |\n" + "\n".join(rows) + "\n\n")


def postgresql(results, header_env):
    p = part(results, "pg")
    title = "## PostgreSQL\n\n"
    if not p:
        return title + not_measured("pg") + "\n"
    d, s = p["data"], p["env"]["sizes"]
    # optimist-pg called directly, and psql sending optimist's own statements: measured since
    # they were added to the part (older results have neither, or only the first).
    direct, same = "direct" in d["get"], "same" in d["get"]
    clients = [("optimist", "opt")] + ([("optimist-pg", "direct")] if direct else [])
    psqls = [("psql, same SQL", "same"), ("psql, least SQL", "psql")] if same else [("psql", "psql")]
    columns = clients + psqls
    # (header, client, baseline, a goal ratio): each client against psql with the same SQL (the
    # goal), and optimist against the least SQL; in older results, against their one psql.
    ratios = [(f"{name} / {psqls[0][0]}", key, psqls[0][1], direct or same) for name, key in clients]
    if same:
        ratios.append(("optimist / psql, least SQL", "opt", "psql", False))

    def row(name, key):
        cells = [f"{f(d[key][c]['median_ms'])} ms" for _, c in columns]
        cells += [(goal_ratio if goal else ratio)(d[key][a]["median_ms"], d[key][b]["median_ms"])
                  for _, a, b, goal in ratios]
        return f"| `{name}` | " + " | ".join(cells) + " |"
    head = ("| one call | " + " | ".join(name for name, _ in columns) + " | "
            + " | ".join(name for name, *_ in ratios) + " |\n| --- |" + " ---: |" * (len(columns) + len(ratios)))
    if same:
        intro = ("optimist (which execs `optimist-pg`), `optimist-pg` called directly with the same arguments, "
                 "`psql` sending the same SQL as optimist-pg in one script, and `psql` sending the least SQL "
                 "that has the same effect on the customer or payment row")
        turns = (f" The four take turns in {s['blocks']} blocks (in reverse order every other block), "
                 "so that the machine's drift weighs on all alike. Goal: optimist / psql with the same SQL "
                 "at most 1.0 for each command.")
    elif direct:
        intro = ("optimist (which execs `optimist-pg`), `optimist-pg` called directly with the same arguments, "
                 "and `psql` running the same SQL")
        turns = (f" The three take turns in {s['blocks']} blocks (in reverse order every other block), "
                 "so that the machine's drift weighs on all alike. Goal: each ratio at most 1.0.")
    else:
        intro, turns = "optimist (through `optimist-pg`) against `psql` running the same SQL", ""
    co, cq = d["contention"]["opt"], d["contention"]["psql"]
    return (title + measured_apart(results, "pg", header_env) + f"""{intro}, on one throwaway
PostgreSQL {d['server_version']} server (fsync and synchronous_commit on), all over its Unix socket,
in the same run. Each psql call connects too, as each optimist call does. Medians of {s['pg_runs']} runs.{turns}

{head}
{row("get", "get")}
{row("update --version", "update")}
{row("create-payment --key", "payment")}

""" + scripts(d, direct) + instructions(d) + f"""Contention: {s['workers']} workers x {s['pg_cycles']} read-modify-write cycles on one customer
(get, update --version, again on VERSION_MISMATCH / no row updated; psql with the least SQL):

| | optimist | psql | optimist / psql |
| --- | ---: | ---: | ---: |
| cycles per second | {f(co['cycles_per_second'], 1)} | {f(cq['cycles_per_second'], 1)} | {ratio(co['cycles_per_second'], cq['cycles_per_second'])} |
| lost updates | {co['lost_updates']} | {cq['lost_updates']} | |

""" + round_trips(d))


def gist(sql):
    """A statement in a few words: its verb and table (SELECT … FROM customers … FOR UPDATE)."""
    s = " ".join(sql.split())
    m = re.match(r"WITH (\w+) AS \((.*?) RETURNING [^)]*\) (UPDATE \w+|INSERT INTO \w+|SELECT)\b", s)
    if m:
        return f"WITH {m.group(1)} AS ({gist(m.group(2))}) {m.group(3)} …"
    m = re.match(r"(UPDATE \w+|INSERT INTO \w+|DELETE FROM \w+)", s)
    if m:
        return m.group(1) + (" … ON CONFLICT … DO NOTHING" if " ON CONFLICT " in s else " …")
    m = re.match(r"SELECT (\w+)\(", s)
    if m and len(s) > 40:
        return f"SELECT {m.group(1)}(…)"
    m = re.match(r"SELECT .*? FROM (\w+)", s)
    if m and len(s) > 40:
        return f"SELECT … FROM {m.group(1)}" + (" … FOR UPDATE" if s.endswith(" FOR UPDATE") else "")
    return s if len(s) <= 48 else s[:40] + " …"


def scripts(d, direct):
    """What the clients send: psql's two scripts per command, in a few words each, when the
    results carry them; otherwise the old paragraph."""
    sent = d.get("scripts")
    if not sent:
        if not direct:
            return ""
        return ("What the clients do differently: `optimist` execs `optimist-pg` (the difference between "
                "their columns); a `get` sends SET lock_timeout, BEGIN … READ ONLY, the schema-version check, "
                "the SELECT and COMMIT in its one round trip where psql sends one SELECT; a write waits for "
                "the server twice (round trips, below) where psql's script waits once.\n\n")
    names = {"get": "get", "update": "update --version", "payment": "create-payment --key"}

    def listed(side):
        return "\n".join(f"- `{names[op]}` ({len(sent[side][op])} statement{'s' * (len(sent[side][op]) > 1)}): `"
                         + "; ".join(gist(x) for x in sent[side][op]) + "`" for op in names)
    return ("What each psql column sends, as one `psql -c` script (one message, one round trip):\n\n"
            "**psql, same SQL**: exactly the statements `optimist-pg` sends for that command, captured at "
            "the start of the run from the server's statement log (log_statement = 'all' for one call of "
            "each, then off again before anything is timed), with their parameters inlined as SQL literals. "
            "What differs per call is made per call: the version, the note and the event's id of an update; "
            "the key, the payment's id and version token and the event's id of a payment (timestamps are "
            "the captured call's). The part checks each script once before timing it, and every call's "
            "work after (the versions reached, the payments taken); a write's script fails, as "
            "optimist's does, unless its conditional UPDATE and INSERTs change one row each.\n\n"
            + listed("same") + "\n\n"
            "**psql, least SQL**: the least SQL with the same effect on the customer or payment row "
            "(no lock_timeout, schema-version check, history, event or stored answer's JSON; ids and "
            "timestamps computed by the server):\n\n" + listed("least") + "\n\n"
            "The same SQL's column differs from optimist-pg's in the client only: psql sends the script as "
            "one simple-query message, where optimist-pg sends each statement with its parameters "
            "(extended protocol, libpq's pipeline mode: one round trip too, below), and that "
            "optimist-pg holds libpq (linked statically, with its GSSAPI and "
            "LDAP libraries loaded only when called) where psql loads libpq.so and the twenty libraries it "
            "brings at every start (instructions, below). `optimist` execs `optimist-pg`: the difference "
            "between their columns.\n\n")


def instructions(d):
    """Instructions of one `get` (callgrind), when measured."""
    ins = d.get("instructions")
    if not ins:
        return ""
    q = ins["psql"]["total"]

    def row(name, label):
        i = ins[name]
        return (f"| {label} | {n(i['total'])} | {n(i['loader'])} | {n(i['total'] - i['loader'])} | "
                f"{ratio(i['total'], q)} |")
    return ("Instructions of one `get` (valgrind --tool=callgrind, every process the call starts; the dynamic "
            "loader's part is its symbol lookup and relocation of the shared libraries: for psql libpq's and "
            "the twenty it brings, for optimist-pg OpenSSL's only, as libpq is linked in statically and "
            "loads its GSSAPI and LDAP libraries only when it calls them):\n\n"
            "| client | instructions | dynamic loader | the rest | / psql |\n| --- | ---: | ---: | ---: | ---: |\n"
            + "\n".join([row("optimist-pg", "`optimist-pg get`"), row("psql", "`psql -c 'SELECT …'`"),
                          row("optimist", "`optimist get` (optimist, then the optimist-pg it execs)")])
            + f"\n\nOf `optimist get`'s, the static `optimist` spends {n(ins['optimist'].get('before_exec', 0))} "
            "before it execs `optimist-pg`.\n\n")


def round_trips(d):
    """Round trips per command (strace), when measured: optimist's against psql's script."""
    counts = d.get("round_trips")
    if not counts:
        return ""
    sides = (["same"] if "same" in counts else []) + ["psql"]
    rows = "\n".join(f"| `{name}` | {n} | " + " | ".join(str(counts[x].get(name, "")) for x in sides) + " |"
                     for name, n in counts["opt"].items())
    head = ("| command | optimist | psql, same SQL | psql, least SQL |\n| --- | ---: | ---: | ---: |"
            if "same" in counts else "| command | optimist | psql |\n| --- | ---: | ---: |")
    return ("Round trips to the server per command, after connecting: how often the client waited for "
            "an answer (strace: a `recvfrom` with data after a `sendto` on the same socket, in every "
            "process; the connection's start-up is not counted). psql sends each of its scripts "
            "above as one message. optimist sends a transaction's BEGIN with its first "
            "statement, and the statements whose results it does not read with COMMIT (libpq's "
            "pipeline mode). A create sends its key's claim and its checks with its INSERTs and "
            "COMMIT, and the server fails the transaction if either does not hold: one round trip. "
            "A write that changes a stored row computes what to write from that row (its history "
            "row, event and stored answer hold JSON rendered from it): when optimist-pg knows the "
            "row (it read or wrote it last, and kept it: README, \"Known states\"), it sends a check "
            "that the row is still exactly that one, locked, with the writes and COMMIT: one round "
            "trip; when it does not (\"not known\": the object was last changed elsewhere), or the "
            "check fails, it waits for the locked read first: two (three when the check failed). "
            "An item's update also waits for the catalog clock, the server's, for its version. "
            "A read's COMMIT waits for the next statement; a command that ends first "
            "never sends it (the server ends a read-only transaction whose client said goodbye, "
            "without a word in its log).\n\n"
            + head + "\n" + rows + "\n\n")


def edit(results, header_env):
    p = part(results, "edit")
    title = "## `edit` against the hand-written loop\n\n"
    if not p:
        return title + not_measured("edit") + "\n"
    d = p["data"]
    rows = []
    for engine, r in d["engines"].items():
        loop = statistics.median(x["updates_per_second"] for x in r["loop"])
        ed = statistics.median(x["updates_per_second"] for x in r["edit"])
        rows.append(f"| {engine} | {f(loop, 1)} | {f(ed, 1)} | {ratio(ed, loop)} | "
                    f"{sum(x['lost_updates'] for x in r['loop'])} | {sum(x['lost_updates'] for x in r['edit'])} |")
    return (title + measured_apart(results, "edit", header_env) + f"""{d['workers']} workers increment one customer's counter {d['increments']} times each, at once: with the
README's "Scripting recipe" as written (get, two `jq`, `update --version`, again on exit 3),
and with `optimist edit ID -- jq '.note = ((.note // "0") | tonumber + 1 | tostring)'`, which
reads, runs jq, and retries on VERSION_MISMATCH itself (1 ms backoff doubling to 64 ms, full
jitter). Successful updates per second, median of {d['rounds']} rounds each (alternating, a new
customer per round); lost updates over all rounds. Goal: edit / loop at least {GOAL_EDIT}, 0 lost.

| engine | loop updates/s | edit updates/s | edit / loop | lost (loop) | lost (edit) |
| --- | ---: | ---: | ---: | ---: | ---: |
""" + "\n".join(rows) + "\n\n")


def serve(results, header_env):
    p = part(results, "serve")
    title = "## optimist serve (HTTP, SQLite)\n\n"
    if not p:
        return title + not_measured("serve") + "\n"
    d = p["data"]
    rows = []
    for c, r in d["get"].items():
        rows.append(f"| GET /v2/customers/{{id}} | {c} | {n(r['requests_per_second'])} | {f(r['p50_ms'])} | "
                    f"{f(r['p99_ms'])} | |")
    for c, r in d["put"].items():
        rows.append(f"| versioned PUT /v2/customers/{{id}} | {c} | {n(r['requests_per_second'])} | {f(r['p50_ms'])} | "
                    f"{f(r['p99_ms'])} | {r['applied']} applied, {r['refused']} VERSION_MISMATCH, {r['other']} other |")
    cli = d["cli"]
    rows += [f"| CLI `optimist get`, one process per request | 1 caller | {n(cli['get_1'])} | | | |",
             f"| CLI `optimist get`, one process per request | 8 callers | {n(cli['get_8'])} | | | |",
             f"| CLI `optimist update --version`, one process per request | 1 caller | {n(cli['update_1'])} | | | |"]
    slow = ""
    if "get_slow" in d:
        alone, held = d["get_alone"], d["get_slow"]
        rows.insert(len(d["get"]), f"| GET /v2/customers/{{id}}, {d['slow_clients']} slow clients held open | 8 | "
                    f"{n(held['requests_per_second'])} | {f(held['p50_ms'])} | {f(held['p99_ms'])} | |")
        rows.insert(len(d["get"]), f"| GET /v2/customers/{{id}}, alone (just before) | 8 | "
                    f"{n(alone['requests_per_second'])} | {f(alone['p50_ms'])} | {f(alone['p99_ms'])} | |")
        kept = held["requests_per_second"] / alone["requests_per_second"]
        slow = (f"\n\nReads at 8 connections beside {d['slow_clients']} slow clients (each trickling a request "
                f"head a byte a second, reconnecting when the server closes it at `--header-timeout`: "
                f"{d['slow_reopened']} reconnections): **{kept:.2f}** of the throughput alone, measured "
                f"just before (goal: at least {GOAL_SLOW}).")
    versus = ""
    if "put_versus" in d:
        v = d["put_versus"]
        lines = [f"| {side} | {c} | {n(r['requests_per_second'])} | {f(r['p50_ms'])} | {f(r['p99_ms'])} | "
                 f"{r['applied']} applied, {r['refused']} VERSION_MISMATCH, {r['other']} other |"
                 for c in v["before"] for side, r in ((v["label"], v["before"][c]), ("this commit", v["after"][c]))]
        versus = ("\n\nVersioned PUTs against an older server (" + v["label"] + ") on the same store, taking turns "
                  "with this one's:\n\n| server | connections | requests/s | p50 ms | p99 ms | PUT outcomes |\n"
                  "| --- | ---: | ---: | ---: | ---: | --- |\n" + "\n".join(lines))
    speedup = d["get"]["8"]["requests_per_second"] / cli["get_1"]
    return (title + measured_apart(results, "serve", header_env) + f"""wrk on loopback for {d['seconds']} s per row against `optimist serve` (release build, 8 store
workers, the store of {d['customers']} customers at `synchronous=FULL`); the CLI rows run one
`optimist` process per request ({d['cli_calls']} requests). The versioned PUT
(Tests/Scripts/wrk/versioned-put.lua) updates a random one of its wrk thread's share of the
{d['customers']} customers with the version the thread last saw for it, as a client that re-reads
after a VERSION_MISMATCH would: "applied" are committed updates (each a conditional UPDATE and a
synced commit), "VERSION_MISMATCH" the writes another connection beat, refused and
changing nothing. The server exited {d['server_exit']} on SIGTERM.

| request | connections | requests/s | p50 ms | p99 ms | PUT outcomes |
| --- | ---: | ---: | ---: | ---: | --- |
""" + "\n".join(rows) + f"""

Reads at 8 connections: **{speedup:.0f}×** the CLI's single-call read throughput (goal: at least {GOAL_SERVE}×).{slow}{versus}

""")


def outbox_table(o):
    """What the event feed adds to one call: before / after, and with a subscription."""
    b, a, s = o["before"], o["after"], o["subscribed"]
    rows = []
    for name, label in (("get", "`get`"), ("update", "`update --version`"), ("payment", "`create-payment`")):
        rows.append(f"| {label} | {n(b[name])} | {n(a[name])} | {goal_ratio(a[name], b[name])} | {n(s[name])} | "
                    f"{goal_ratio(s[name], b[name])} |")
    met = all(a[k] <= 1.10 * b[k] for k in ("update", "payment"))
    verdict = "met" if met else "**not met**"
    return f"""What the event feed adds to one call, by callgrind: each binary on a fresh copy of a database
of 1,000 customers that it seeded itself (so at its own schema), with the callgrind part's
settings. Before: the release binary of {o['before_label']}, main just before the event feed
merged. After: this binary on a store without webhook subscriptions (the webhook tables are
made with the first subscription), and on a store with one, made through `optimist serve`,
whose three webhook tables every process that opens the file then parses too. Goal: after /
before at most 1.10 for `update` and `create-payment`: {verdict}.

| call | before | after | after / before | with a subscription | subscribed / before |
| --- | ---: | ---: | ---: | ---: | ---: |
""" + "\n".join(rows) + f"""

Where the difference goes: recording the change and appending its event (`recordChange` and
`appendEvents`, inclusive of the INSERT they run) cost `update` {n(o['attributed']['update'])} instructions and
`create-payment` {n(o['attributed']['payment'])}; the `events` table's text, which SQLite parses in
every process that opens the file, is most of what `get` gains ({n(a['get'] - b['get'])}). A write renders
the object it wrote once, for its event, its key's stored answer and what it prints (a payment
was rendered twice before the feed, three times with it at first).
"""


def events(results, header_env):
    p = part(results, "events")
    title = "## The event feed (SQLite)\n\n"
    if not p:
        return title + not_measured("events") + "\n"
    d = p["data"]
    if "before" in d["outbox"]:
        outbox = outbox_table(d["outbox"])
    else:  # a results file from before the part measured a before binary
        rows = []
        for name, label in (("update", "`update --version`"), ("payment", "`create-payment`")):
            r = d["outbox"][name]
            rows.append(f"| {label} | {n(r['total'])} | {n(r['outbox'])} | {n(r['total'] - r['outbox'])} | "
                        f"{ratio(r['total'], r['total'] - r['outbox'])} |")
        outbox = """The outbox's instructions (`recordChange`, `appendEvents`, inclusive of the INSERT they run),
without SQLite's parse of the feed's tables in every process: not the before/after goal.

| call | instructions | outbox | without | total / without |
| --- | ---: | ---: | ---: | ---: |
""" + "\n".join(rows) + "\n"
    lat, thr = d["latency"], d["throughput"]
    return (title + measured_apart(results, "events", header_env) + outbox + f"""
Commit-to-delivery: `optimist serve` delivering `customer.created` to a receiver on loopback,
{lat['events']} events written by `optimist create-customer` one at a time, from each event's
`created_at` (written just before COMMIT) to the POST's arrival: median {f(lat['median_ms'])} ms,
p99 {f(lat['p99_ms'])} ms.

Feed throughput: {thr['writers']} processes running {thr['updates']} `update`s at once appended
{f(thr['events_per_second'], 1)} events/s; `events --follow`, running meanwhile, printed
{thr['followed']} of them ({thr['followed_unique']} distinct).

""")


# The before/after rows: (label, figure, format); then the ratios (label, figure, against).
BEFORE_AFTER = [
    ("`get` instructions (callgrind)", "get instructions", n),
    ("`update` instructions", "update instructions", n),
    ("`create-payment` instructions", "payment instructions", n),
    ("`get` wall time, ms", "get ms", lambda x: f(x, 3)),
    ("`update` wall time on disk, ms", "update ms", lambda x: f(x, 3)),
    ("`update` wall time on tmpfs, ms", "tmpfs update ms", lambda x: f(x, 3)),
    ("`create-payment` wall time, ms", "payment ms", lambda x: f(x, 3)),
    ("contention, successful updates per second", "contention updates/s", lambda x: f(x, 1)),
    ("PostgreSQL `get`, ms", "pg get ms", f),
    ("PostgreSQL `update`, ms", "pg update ms", f),
    ("PostgreSQL `create-payment`, ms", "pg payment ms", f),
    ("`edit` / loop, SQLite", "edit / loop sqlite", f),
    ("`edit` / loop, PostgreSQL", "edit / loop postgresql", f),
    ("serve: GET at 8 connections, requests/s", "serve GET 8 connections req/s", n),
    ("CLI `get`, one process per request, per second", "CLI get req/s", n),
]
RATIOS = [
    ("`get` instructions, optimist / floor", "get instructions", "floor get instructions"),
    ("`get` instructions, optimist / shell", "get instructions", "shell get instructions"),
    ("`update` instructions, optimist / floor", "update instructions", "floor update instructions"),
    ("`update` instructions, optimist / shell", "update instructions", "shell update instructions"),
    ("`create-payment` instructions, optimist / floor", "payment instructions", "floor payment instructions"),
    ("`get` wall time, optimist / floor", "get ms", "floor get ms"),
    ("`get` wall time, optimist / shell", "get ms", "shell get ms"),
    ("`update` wall time, optimist / floor", "update ms", "floor update ms"),
    ("`update` wall time, optimist / shell", "update ms", "shell update ms"),
    ("`update` on tmpfs, optimist / floor", "tmpfs update ms", "floor tmpfs update ms"),
    ("`create-payment` wall time, optimist / floor", "payment ms", "floor payment ms"),
    ("`create-payment` wall time, optimist / shell", "payment ms", "shell payment ms"),
    ("contention, optimist / shell", "contention updates/s", "shell contention updates/s"),
    ("PostgreSQL `get`, optimist / psql, same SQL", "pg get ms", "psql same get ms"),
    ("PostgreSQL `update`, optimist / psql, same SQL", "pg update ms", "psql same update ms"),
    ("PostgreSQL `create-payment`, optimist / psql, same SQL", "pg payment ms", "psql same payment ms"),
    ("PostgreSQL `get`, optimist / psql, least SQL", "pg get ms", "psql get ms"),
    ("PostgreSQL `update`, optimist / psql, least SQL", "pg update ms", "psql update ms"),
    ("PostgreSQL `create-payment`, optimist / psql, least SQL", "pg payment ms", "psql payment ms"),
    ("PostgreSQL `get`, optimist-pg / psql, least SQL", "pg direct get ms", "psql get ms"),
    ("PostgreSQL `update`, optimist-pg / psql, least SQL", "pg direct update ms", "psql update ms"),
    ("PostgreSQL `create-payment`, optimist-pg / psql, least SQL", "pg direct payment ms", "psql payment ms"),
    ("serve reads at 8 connections / CLI reads", "serve GET 8 connections req/s", "CLI get req/s"),
]


def before_after(results):
    """Before → after of the headline figures and ratios, when the results carry a `before`
    set: only the figures both sides have."""
    before = results.get("before")
    if not before:
        return ""
    old, new = before["figures"], figures(results)
    rows = [f"| {label} | {show(old[key])} | {show(new[key])} | {ratio(new[key], old[key])} |"
            for label, key, show in BEFORE_AFTER if key in old and key in new]
    rows += [f"| {label} | {ratio(old[a], old[b])} | {ratio(new[a], new[b])} | "
             f"{ratio(new[a] / new[b], old[a] / old[b])} |"
             for label, a, b in RATIOS if all(k in old and k in new for k in (a, b))]
    lines = ["## Before and after", "", f"Before: {before['label']}. After: the run above.", ""]
    if before.get("note"):
        lines += [before["note"], ""]
    if not rows:
        return "\n".join(lines + ["None of its figures was measured in this results file.", ""])
    lines += ["| Figure | before | after | after / before |", "| --- | ---: | ---: | ---: |"] + rows + [""]
    return "\n".join(lines) + "\n"


def repeat(results):
    lines = ["## Repeat it", "", "```sh",
             "make bench                    # builds, installs the tools, measures every part, renders this page",
             "make bench PARTS=callgrind    # measures one part again, into the same results file, and renders",
             "make bench-render             # renders this page again from $(SCRATCH)/bench/results.json",
             "python3 Tests/Scripts/bench measure --quick --out /tmp/r.json   # a quick try of every part",
             "python3 Tests/Scripts/bench measure --only sqlite --size runs=48 --size big=100000 --out /tmp/r.json",
             "python3 Tests/Scripts/bench render /tmp/r.json >/tmp/B.md",
             "```", "",
             "The measurements it made, by part, in order ($WORK is its work folder, $SHM a folder on tmpfs,",
             "$PLACE the folder of fixed path length that callgrind runs in, $PGDIR and $PGPORT the PostgreSQL",
             "server's, $URL optimist serve's; ids are from its databases). Of each one-call measurement the first",
             "of its blocks is listed; the others repeat it with the next versions and keys. A command with",
             "{v+1} (psql's same-SQL update) is not a hyperfine parameter scan: the bench runs it once per",
             "version v, with {v+1} the next one. The workloads with",
             "threads (contention, idempotency, edit) are in `Tests/Scripts/bench/workers.py` and `edit.py`.", ""]
    for name, p in results.get("parts", {}).items():
        if p.get("commands"):
            lines += [f"`{name}`:", "", "```sh"] + p["commands"] + ["```", ""]
    return "\n".join(lines)


def versus(results, header_env):
    """An older binary against this one, measured in the same run (the part versus)."""
    p = part(results, "versus")
    if not p:
        return ""
    d = p["data"]
    g, u, ins = d["get"], d["update"], d["get_instructions"]
    return ("## Before / after, in the same run\n\n" + measured_apart(results, "versus", header_env) +
            f"`get` and `update` with an older binary, {d['label']} (`{d['binary']}`),\n"
            "and with this one, on the same database in the same run (each update on a customer of its own):\n\n"
            "| | before | after | after / before |\n| --- | ---: | ---: | ---: |\n"
            f"| `get` median | {f(g['before']['median_ms'], 3)} ms | {f(g['after']['median_ms'], 3)} ms | "
            f"{ratio(g['after']['median_ms'], g['before']['median_ms'])} |\n"
            f"| `get` instructions | {n(ins['before'])} | {n(ins['after'])} | {ratio(ins['after'], ins['before'])} |\n"
            f"| `update --version` median | {f(u['before']['median_ms'], 3)} ms | {f(u['after']['median_ms'], 3)} ms | "
            f"{ratio(u['after']['median_ms'], u['before']['median_ms'])} |\n\n" + versus_pg(d))


def versus_pg(d):
    """The PostgreSQL half of the part versus, when it ran."""
    pg = d.get("postgresql")
    if not pg:
        return ""
    rows = "".join(f"| `{name}` median | {f(x['before']['median_ms'], 3)} ms | {f(x['after']['median_ms'], 3)} ms | "
                   f"{ratio(x['after']['median_ms'], x['before']['median_ms'])} |\n" for name, x in pg.items())
    return ("The `optimist-pg` beside each, called directly, on one throwaway PostgreSQL server (fsync and "
            "synchronous_commit on) over its Unix socket, taking turns as in the part pg (each keeping "
            "its known states, as a user's calls do):\n\n"
            "| | before | after | after / before |\n| --- | ---: | ---: | ---: |\n" + rows + "\n")


ORDER = ("sqlite", "callgrind", "durability", "pg", "edit", "serve", "events", "versus")


def render(results):
    parts = results.get("parts", {})
    main = next((parts[name] for name in ORDER if name in parts), None)
    env = main["env"] if main else None
    out = [header(results, env)]
    if part(results, "sqlite") or part(results, "callgrind"):
        out.append(SQLite(results).render(results, env))
    else:
        out.append("## Results\n\n" + not_measured("sqlite") + "\n")
    out += [durability(results, env), postgresql(results, env), edit(results, env), serve(results, env),
            events(results, env), versus(results, env), before_after(results), repeat(results)]
    text = "\n".join(x.rstrip("\n") + "\n" for x in out if x)
    return re.sub(r"\n{3,}", "\n\n", text).rstrip("\n") + "\n"
