"""BENCHMARKS.md from a results file: pure (reads the JSON, returns Markdown, measures
nothing). A part missing from the results leaves its rows out and says how to measure it."""

import re
import statistics

# The goals: one call no slower than the shell, and within 1.25 (get) or 1.15 (writes, where the
# disk's fsyncs dominate) of the floor; instructions, scale and memory bounds.
GOAL_GET_FLOOR = 1.25
GOAL_WRITE_FLOOR = 1.15
GOAL_RSS_MIB = 6
GOAL_GET_INSTRUCTIONS = 900000
GOAL_SCALE = 1.2
GOAL_EDIT = 2
GOAL_SERVE = 20


# ----------------------------------------------------------------------------- numbers
def f(x, decimals=2):
    return f"{x:.{decimals}f}"


def n(x):
    """1234567 -> 1,234,567."""
    return f"{int(round(x)):,}"


def mi(x):
    return f"{x / 1e6:.2f}"


def ratio(a, b, decimals=2):
    return f(a / b, decimals) if b else "–"


def goal_ratio(a, b):
    """a / b with a third decimal when two would show 1.00 for a != b, so that the ratio and
    the verdict next to it never seem to disagree."""
    r = ratio(a, b)
    return ratio(a, b, 3) if r == "1.00" and a != b else r


def verdict(ok):
    return "yes" if ok else "**no**"


def pct(a, b):
    return f"{100 * a / b:.0f}" if b else "–"


def block_range(a, b):
    """The lowest and highest ratio of a's block medians to b's: when it straddles a goal, the
    blocks disagree on which side of it the ratio is."""
    ratios = [x / y for x, y in zip(a["block_medians_ms"], b["block_medians_ms"])]
    return min(ratios), max(ratios)


def spread(s):
    return f"{s['p25_ms']:.1f}–{s['p75_ms']:.1f}"


def contention_summary(rounds):
    rates = [r["updates_per_second"] for r in rounds]
    return {
        "updates_per_second": statistics.median(rates),
        "rates": " / ".join(f"{x:.1f}" for x in rates),
        "lowest_rate": min(rates),
        "highest_rate": max(rates),
        "conflicts": statistics.median(r["conflicts"] for r in rounds),
        "conflicts_per_success": sum(r["conflicts"] for r in rounds) / max(1, sum(r["successes"] for r in rounds)),
        "longest_update_ms": max(r["longest_update_ms"] for r in rounds),
        "median_update_ms": statistics.median(r["median_update_ms"] for r in rounds),
        "median_get_ms": statistics.median(r["median_get_ms"] for r in rounds),
        "lost_updates": max(r["lost_updates"] for r in rounds),
        "versions_gained": sum(r["versions_gained"] for r in rounds),
        "counter_gained": sum(r["counter_gained"] for r in rounds),
        "successes": sum(r["successes"] for r in rounds),
    }


def idempotency_summary(rounds):
    """The median rate, and whether every round kept its promises (each key paid once; a
    replayed key paid once, every answer the first one)."""
    if "payments_per_second" in rounds[0]:
        rates = [r["payments_per_second"] for r in rounds]
        kept = all(r["payments_created"] == r["expected"] for r in rounds)
    else:
        rates = [r["replays_per_second"] for r in rounds]
        kept = all(r["payments_created"] == 1 and r["payments_for_key"] == 1 and r["all_answers_identical"]
                   for r in rounds)
    return {"rate": statistics.median(rates), "rates": " / ".join(f"{x:.1f}" for x in rates),
            "kept": "yes" if kept else "no"}


def part(results, name):
    return results.get("parts", {}).get(name)


def not_measured(name):
    return f"Not measured in this results file: `make bench PARTS={name}` measures it.\n"


def measured_apart(results, name, header_env):
    """A line saying when a part was measured, if not in the run the header describes."""
    env = part(results, name)["env"]
    if header_env and env["date"] == header_env["date"] and env["commit"] == header_env["commit"]:
        return ""
    quick = " with `--quick` sizes (a try, not a measurement to quote)" if env.get("quick") else ""
    return f"Measured apart: {env['date']}, commit {env['commit']}{quick}.\n\n"


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


class SQLite:
    """The Results table, what each side runs, and the Why section: the sqlite part and the
    callgrind part together (either may be missing)."""

    def __init__(self, results):
        self.sq = part(results, "sqlite")
        self.cg = part(results, "callgrind")
        self.d = self.sq["data"] if self.sq else None
        self.c = self.cg["data"] if self.cg else None
        self.env = (self.sq or self.cg)["env"]
        self.s = self.env["sizes"]

    # the one-call medians
    def m(self, op, side):
        return self.d[op][side]["median_ms"]

    def ir(self, key):
        return self.c["instructions"][key]

    def goals(self):
        d = self.d
        g = {"get": self.m("get", "opt") <= self.m("get", "sql")
             and self.m("get", "opt") <= GOAL_GET_FLOOR * self.m("get", "flr")}
        for op in ("update", "payment"):
            g[op] = self.m(op, "opt") <= self.m(op, "sql") and self.m(op, "opt") <= GOAL_WRITE_FLOOR * self.m(op, "flr")
        self.cont = {side: contention_summary(d["contention"][side]) for side in ("opt", "sql")}
        self.paid = {side: idempotency_summary(d["payments"][side]) for side in ("opt", "sql")}
        self.replayed = {side: idempotency_summary(d["replays"][side]) for side in ("opt", "sql")}
        g["ups"] = round(self.cont["opt"]["updates_per_second"], 1) >= round(self.cont["sql"]["updates_per_second"], 1)
        g["lost"] = self.cont["opt"]["lost_updates"] == 0
        g["sget"] = self.m("get", "opt_big") <= GOAL_SCALE * self.m("get", "opt")
        g["supd"] = self.m("update", "opt_big") <= GOAL_SCALE * self.m("update", "opt")
        mem = d["memory"]
        self.rss_get = max(mem["opt-get-SMALL"]["mib"], mem["opt-get-BIG"]["mib"])
        self.rss_upd = max(mem["opt-update-SMALL"]["mib"], mem["opt-update-BIG"]["mib"])
        g["rss"] = self.rss_get <= GOAL_RSS_MIB
        g["rss_upd"] = self.rss_upd <= GOAL_RSS_MIB
        g["rss_list"] = mem["list-all"]["mib"] <= mem["list-tail"]["mib"] + 0.5
        g["once"] = self.paid["opt"]["kept"] == "yes" and self.replayed["opt"]["kept"] == "yes"
        self.g = g
        return g

    def one_call_rows(self):
        d, m = self.d, self.m
        rows = [f"| **a. One call** ({n(self.s['small'])} customers), median wall time | | | | | | | |"]
        for op, label, goal in (("get", "`get ID`", GOAL_GET_FLOOR),
                                ("update", "`update ID --version V --set note=…`", GOAL_WRITE_FLOOR),
                                ("payment", "`create-payment --key K …` (new key)", GOAL_WRITE_FLOOR)):
            lo, hi = block_range(d[op]["opt"], d[op]["sql"])
            flo, fhi = block_range(d[op]["opt"], d[op]["flr"])
            rows.append(f"| {label} | {f(m(op, 'opt'), 3)} ms | {f(m(op, 'sql'), 3)} ms | {f(m(op, 'flr'), 3)} ms | "
                        f"{goal_ratio(m(op, 'opt'), m(op, 'sql'))} (blocks {f(lo)}–{f(hi)}) | "
                        f"{goal_ratio(m(op, 'opt'), m(op, 'flr'))} (blocks {f(flo)}–{f(fhi)}) | "
                        f"≤ 1.0 shell, ≤ {goal} floor | {verdict(self.g[op])} |")
        rows.append(f"| middle half of the update runs (disk latency varies) | {spread(d['update']['opt'])} ms | "
                    f"{spread(d['update']['sql'])} ms | {spread(d['update']['flr'])} ms | | | | |")
        rows.append(f"| middle half of the create-payment runs | {spread(d['payment']['opt'])} ms | "
                    f"{spread(d['payment']['sql'])} ms | {spread(d['payment']['flr'])} ms | | | | |")
        for key, label in (("tmpfs_update", "control: `update`, database on tmpfs (no disk wait)"),
                           ("tmpfs_payment", "control: `create-payment`, database on tmpfs")):
            if key in d:
                t = d[key]
                lo, hi = block_range(t["opt"], t["sql"])
                rows.append(f"| {label} | {f(t['opt']['median_ms'], 3)} ms | {f(t['sql']['median_ms'], 3)} ms | "
                            f"{f(t['flr']['median_ms'], 3)} ms | {ratio(t['opt']['median_ms'], t['sql']['median_ms'])} "
                            f"(blocks {f(lo)}–{f(hi)}) | {ratio(t['opt']['median_ms'], t['flr']['median_ms'])} | | |")
        return rows

    def workload_rows(self):
        s, c, g = self.s, self.cont, self.g
        o, q = c["opt"], c["sql"]
        p, r = self.paid, self.replayed
        return [
            f"| **b. Contention**: {s['workers']} workers × {s['cycles']} get-update cycles, one customer, "
            f"median of {s['rounds']} rounds | | | | | | | |",
            f"| successful updates per second | {f(o['updates_per_second'], 1)} | {f(q['updates_per_second'], 1)} | | "
            f"{goal_ratio(round(o['updates_per_second'], 1), round(q['updates_per_second'], 1))} | | ≥ 1.0 | "
            f"{verdict(g['ups'])} |",
            f"| the rounds, updates per second | {o['rates']} | {q['rates']} | | | | | |",
            f"| conflicts (stale version, retried), median round | {o['conflicts']:g} | {q['conflicts']:g} | | | | | |",
            f"| longest lock wait (longest single update call, all rounds) | {f(o['longest_update_ms'], 1)} ms | "
            f"{f(q['longest_update_ms'], 1)} ms | | {ratio(o['longest_update_ms'], q['longest_update_ms'])} | | | |",
            f"| median update call / get call under contention | {f(o['median_update_ms'], 1)} / "
            f"{f(o['median_get_ms'], 1)} ms | {f(q['median_update_ms'], 1)} / {f(q['median_get_ms'], 1)} ms | | | | | |",
            f"| lost updates (successes − versions or counter gained), worst round | {o['lost_updates']} | "
            f"{q['lost_updates']} | | | | 0 | {verdict(g['lost'])} |",
            f"| **c. Idempotency**: {s['workers']} workers × {s['payments']} calls, median of {s['rounds']} rounds "
            "| | | | | | | |",
            f"| payments per second, distinct keys | {f(p['opt']['rate'], 1)} | {f(p['sql']['rate'], 1)} | | "
            f"{ratio(p['opt']['rate'], p['sql']['rate'])} | | | |",
            f"| the rounds, payments per second | {p['opt']['rates']} | {p['sql']['rates']} | | | | | |",
            f"| replays per second, one key | {f(r['opt']['rate'], 1)} | {f(r['sql']['rate'], 1)} | | "
            f"{ratio(r['opt']['rate'], r['sql']['rate'])} | | | |",
            f"| the rounds, replays per second | {r['opt']['rates']} | {r['sql']['rates']} | | | | | |",
            f"| every distinct key paid once, in every round | {p['opt']['kept']} | {p['sql']['kept']} | | | | yes | "
            f"{verdict(p['opt']['kept'] == 'yes')} |",
            f"| the replayed key paid exactly once and every answer the first one, in every round | "
            f"{r['opt']['kept']} | {r['sql']['kept']} | | | | yes | {verdict(r['opt']['kept'] == 'yes')} |",
        ]

    def scale_memory_rows(self):
        s, m, g, mem = self.s, self.m, self.g, self.d["memory"]
        small, big = n(s["small"]), n(s["big"])
        rows = [f"| **d. Scale**: median wall time, {small} → {big} customers | | | | | | | |"]
        for op in ("get", "update"):
            rows.append(f"| `{op}` with {big} | {f(m(op, 'opt_big'), 3)} ms | {f(m(op, 'sql_big'), 3)} ms | "
                        f"{f(m(op, 'flr_big'), 3)} ms | {ratio(m(op, 'opt_big'), m(op, 'sql_big'))} | "
                        f"{ratio(m(op, 'opt_big'), m(op, 'flr_big'))} | | |")
        for op, ok in (("get", "sget"), ("update", "supd")):
            rows.append(f"| `{op}` {big} / {small} | {ratio(m(op, 'opt_big'), m(op, 'opt'))} | "
                        f"{ratio(m(op, 'sql_big'), m(op, 'sql'))} | {ratio(m(op, 'flr_big'), m(op, 'flr'))} | | | "
                        f"≤ {GOAL_SCALE} | {verdict(g[ok])} |")
        rows.append("| **e. Memory**: peak resident size of one call | | | | | | | |")
        for op, ok in (("get", "rss"), ("update", "rss_upd")):
            cells = [f"{f(mem[f'{side}-{op}-SMALL']['mib'])} / {f(mem[f'{side}-{op}-BIG']['mib'])} MiB"
                     for side in ("opt", "sql", "flr")]
            rows.append(f"| `{op}` ({small} / {big}) | {' | '.join(cells)} | "
                        f"{ratio(mem[f'opt-{op}-SMALL']['mib'], mem[f'sql-{op}-SMALL']['mib'])} | "
                        f"{ratio(mem[f'opt-{op}-SMALL']['mib'], mem[f'flr-{op}-SMALL']['mib'])} | "
                        f"≤ {GOAL_RSS_MIB} MiB | {verdict(g[ok])} |")
        rows.append(f"| `list --all --type CUSTOMER`, streamed: the last {n(mem['list-tail']['listed'])} / all "
                    f"{n(mem['list-all']['listed'])} of {big} | {f(mem['list-tail']['mib'])} / "
                    f"{f(mem['list-all']['mib'])} MiB | | | | | all ≤ the last ones + 0.5 MiB | {verdict(g['rss_list'])} |")
        return rows

    def examined_rows(self):
        rows = [f"| **One call, examined** ({n(self.s['small'])} customers) | | | | | | | |"]
        if self.c:
            ir = self.ir
            get = ir("opt-get-SMALL")
            rows.append(f"| instructions, `get` (callgrind) | {n(get)} | {n(ir('sql-get-SMALL'))} | "
                        f"{n(ir('flr-get-SMALL'))} | {ratio(get, ir('sql-get-SMALL'))} | {ratio(get, ir('flr-get-SMALL'))} | "
                        f"≤ {n(GOAL_GET_INSTRUCTIONS)} | {verdict(get <= GOAL_GET_INSTRUCTIONS)} |")
            rows.append(f"| instructions, `get` with {n(self.s['big'])} | {n(ir('opt-get-BIG'))} | {n(ir('sql-get-BIG'))} | "
                        f"{n(ir('flr-get-BIG'))} | {ratio(ir('opt-get-BIG'), ir('sql-get-BIG'))} | "
                        f"{ratio(ir('opt-get-BIG'), ir('flr-get-BIG'))} | | |")
            for op, label in (("update", "`update`"), ("payment", "`create-payment`")):
                o, q, fl = (ir(f"{side}-{op}-SMALL") for side in ("opt", "sql", "flr"))
                rows.append(f"| instructions, {label} | {n(o)} | {n(q)} | {n(fl)} | {ratio(o, q)} | {ratio(o, fl)} | | |")
        if self.d:
            d = self.d
            for op, label in (("get", "CPU time per `get`, user + system (hyperfine mean)"),
                              ("update", "CPU time per `update`, user + system")):
                cells = [f"{f(d[op][side]['user_ms'])} + {f(d[op][side]['system_ms'])} ms" for side in ("opt", "sql", "flr")]
                rows.append(f"| {label} | {' | '.join(cells)} | | | | |")
            st = d["strace"]
            for op, label in (("get", "system calls, `get` (strace -c -f)"), ("update", "system calls, `update`"),
                              ("payment", "system calls, `create-payment`")):
                o, q, fl = (st[f"{side}-{op}-SMALL"].get("total", 0) for side in ("opt", "sql", "flr"))
                rows.append(f"| {label} | {o} | {q} | {fl} | {ratio(o, q)} | {ratio(o, fl)} | | |")
                if op != "get":
                    syncs = [self.syncs(side, op) for side in ("opt", "sql", "flr")]
                    name = "`update`" if op == "update" else "`create-payment`"
                    rows.append(f"| fsync + fdatasync per {name} | {' | '.join(map(str, syncs))} | | | | |")
            mem = d["memory"]
            rows.append(f"| page faults, `get` (minor) | {mem['opt-get-SMALL']['minor_faults']} | "
                        f"{mem['sql-get-SMALL']['minor_faults']} | {mem['flr-get-SMALL']['minor_faults']} | | | | |")
            rows.append(f"| binary | {self.env_mib()} MiB, static | dynamic | {f(d['floor_mib'], 1)} MiB, static | | | | |")
        return rows

    def env_mib(self):
        return f((self.sq or self.cg)["env"]["binary_mib"], 1)

    def syncs(self, side, op, size="SMALL"):
        t = self.d["strace"][f"{side}-{op}-{size}"]
        return t.get("fsync", 0) + t.get("fdatasync", 0)

    def results_table(self):
        lines = ["## Results", "",
                 "| Figure | optimist | sqlite3 shell | floor | optimist / shell | optimist / floor | Goal | Met |",
                 "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |"]
        if self.d:
            lines += self.one_call_rows() + self.workload_rows() + self.scale_memory_rows()
        lines += self.examined_rows()
        return "\n".join(lines) + "\n"

    def what_each_side_runs(self):
        d, s = self.d, self.s
        return f"""
What each side runs (the same SQL for all three, as far as a shell can):

- Every one-call figure is the median of {s['runs']} runs, taken in {s['blocks']} blocks: in a block the runs of
  one command follow one another, as a script's loop calls it, and the commands take turns, in
  reverse order every other block, so that the machine speeding up or slowing down during the
  measurement weighs on both sides alike.
- `get` (3 warm-up runs per block): `optimist get ID` vs
  `sqlite3 -json DB "{d['sql']['get']}"`.
- `update`: `optimist update ID --version V --set note=N` vs
  `sqlite3 -json DB "{d['sql']['update']}"`. Each run gets its own version: the customer
  starts at version 0 and hyperfine's parameter scan gives run k the version k
  (`--runs 1 --parameter-scan v FIRST LAST`); the script then checks that every run changed
  its customer.
- `create-payment`: `optimist create-payment --key bench-opt-{{n}} --amount 450 --currency USD
  --source-id cnon:card-nonce-ok --customer-id C` vs one `sqlite3` script that, unless the key
  exists, inserts the payment and the idempotency row (request, answer as JSON) in one
  `BEGIN IMMEDIATE` transaction and prints the stored answer; keys come from a parameter scan
  (`{{n}}` = 1…{s['runs']}), distinct on each side.
- Contention: each worker repeats get → update with the version read → on a conflict (exit 3,
  `changes() = 0`) get again, until {s['cycles']} updates succeeded; the note holds a counter that
  each update increments, so a lost update shows as a version or counter short of the successes.
  {s['rounds']} rounds per side, optimist and the shell in turn; the median round is the figure.
- Idempotency: {s['workers']} threads each run {s['payments']} `create-payment` calls with their own keys; then
  one call creates a payment and {s['workers']} threads × {s['payments']} calls repeat it with the same key.
  {s['rounds']} rounds per side, in turn, with new keys each round.
- Every sqlite3 call runs as `{d['shell']}`: the same 10 s lock wait as optimist's default
  `--timeout`, and no statement after an error.
- The floor (`Tests/Scripts/floor`, built by the benchmark with `cc -O2 -static` against
  `{d['floor_library']}`, the library optimist links): one C program per operation that runs
  optimist's statements in optimist's transaction — `{d['pragmas']}`, BEGIN (IMMEDIATE for
  writes), `PRAGMA user_version`, the SELECT, UPDATE or INSERTs with bound values, COMMIT —
  and prints the same JSON, with nothing else (no option parsing, no validation, no path checks).
  `floor-get DB ID`, `floor-update DB ID V NOTE`, `floor-payment DB KEY CUSTOMER` (the
  idempotency row it writes replays byte for byte through optimist).
"""

    def part_cost(self, side, prefix):
        return sum(cost for name, cost in self.c["components"][side] if name.startswith(prefix))

    def one_call_facts(self):
        lines = []
        if self.c:
            ir, inc = self.ir, self.c["inclusive"]
            get = ir("opt-get-SMALL")
            cpu = ""
            if self.d:
                d = self.d
                cpu = (f" CPU per get (hyperfine, user + system): {f(d['get']['opt']['user_ms'])} + "
                       f"{f(d['get']['opt']['system_ms'])} ms vs\n  {f(d['get']['sql']['user_ms'])} + "
                       f"{f(d['get']['sql']['system_ms'])} ms and {f(d['get']['flr']['user_ms'])} + "
                       f"{f(d['get']['flr']['system_ms'])} ms.")
            lines.append(
                f"- Instructions (callgrind): one optimist `get` executes {mi(get)} M, the shell\n"
                f"  {mi(ir('sql-get-SMALL'))} M (×{ratio(get, ir('sql-get-SMALL'))}), the floor {mi(ir('flr-get-SMALL'))} M "
                f"(×{ratio(get, ir('flr-get-SMALL'))}); `update`\n"
                f"  {mi(ir('opt-update-SMALL'))} M vs {mi(ir('sql-update-SMALL'))} M and {mi(ir('flr-update-SMALL'))} M; "
                f"`create-payment` {mi(ir('opt-payment-SMALL'))} M vs\n"
                f"  {mi(ir('sql-payment-SMALL'))} M and {mi(ir('flr-payment-SMALL'))} M.{cpu}")
            lines.append(
                "- Where optimist's `get` goes (inclusive): the command itself — `runCommand`: open the\n"
                f"  database, the SQL, the JSON, the output — {mi(inc['command'])} M ({pct(inc['command'], get)} %); "
                "the command line\n  (declaring, parsing and reading the options: `Subcommand.run` outside `runCommand`)\n"
                f"  {mi(inc['subcommand'] - inc['command'])} M; start-up and exit outside `main` {mi(get - inc['main'])} M "
                f"(the floor's {mi(ir('flr-get-SMALL') - inc['floor_main'])} M: the Swift\n"
                "  runtime's initializers run before `main`).")
            faults = ""
            if self.d:
                mem = self.d["memory"]
                faults = (f" against {f(self.d['floor_mib'], 1)} MiB ({mem['opt-get-SMALL']['minor_faults']} minor page "
                          f"faults against {mem['flr-get-SMALL']['minor_faults']})")
            lines.append(
                f"- Against the floor, by component (table below): optimist's `get` spends "
                f"{mi(self.part_cost('opt', 'SQLite library'))} M in\n"
                f"  SQLite (the floor {mi(self.part_cost('flr', 'SQLite library'))} M), "
                f"{mi(self.part_cost('opt', 'Swift runtime'))} M in the Swift runtime and standard library\n"
                f"  (the floor none), and {mi(self.part_cost('opt', 'other'))} M in the C library and start-up "
                f"(the floor {mi(self.part_cost('flr', 'other'))} M); its binary is\n  {self.env_mib()} MiB{faults}.")
            lines.append(
                "- Anywhere in the call (these overlap): generic type metadata instantiated from mangled names\n"
                "  (`__swift_instantiateConcreteTypeFromMangledName`, `swift_getTypeByMangledName`)\n"
                f"  {mi(inc['metadata'])} M ({pct(inc['metadata'], get)} %); protocol-conformance lookups\n"
                f"  (`swift_conformsToProtocol`, which the metadata's generic requirements call) {mi(inc['conforms'])} M\n"
                f"  ({pct(inc['conforms'], get)} %) — an uncached lookup walks all {n(self.c['conformance_records'])} "
                "conformance records of the static\n"
                f"  binary; `Mirror(reflecting:)` {mi(inc['mirror'])} M ({pct(inc['mirror'], get)} %).")
            lines.append(
                "- The shell spends most of its instructions in the dynamic loader (table below), which the\n"
                "  static binary does not pay; the SQLite library's own instructions are of the same order on\n"
                "  both sides.")
        if self.d:
            d, g = self.d, self.g
            if "tmpfs_update" in d:
                tu, tp = d["tmpfs_update"], d["tmpfs_payment"]
                ulo, uhi = block_range(tu["opt"], tu["sql"])
                plo, phi = block_range(tp["opt"], tp["sql"])
                text = ("- Writes without the disk: with the database on tmpfs, where fdatasync returns at once,\n"
                        f"  `update` takes {f(tu['opt']['median_ms'], 3)} ms vs {f(tu['sql']['median_ms'], 3)} ms "
                        f"(×{ratio(tu['opt']['median_ms'], tu['sql']['median_ms'])}) and `create-payment` "
                        f"{f(tp['opt']['median_ms'], 3)} ms vs\n  {f(tp['sql']['median_ms'], 3)} ms "
                        f"(×{ratio(tp['opt']['median_ms'], tp['sql']['median_ms'])}). On disk the middle half of the "
                        f"update runs spans {spread(d['update']['opt'])} ms\n  (optimist) and {spread(d['update']['sql'])} "
                        f"ms (shell), of the payments {spread(d['payment']['opt'])} ms and {spread(d['payment']['sql'])} ms.")
                if ulo > 1 or plo > 1:
                    text += ("\n  optimist is slower even without the disk, in every block: its writes cost more CPU or"
                             "\n  system calls.")
                elif not (g["update"] and g["payment"]):
                    text += (f"\n  Without the disk optimist is not slower in every block (update ×{f(ulo)}–{f(uhi)}, "
                             f"payment\n  ×{f(plo)}–{f(phi)} block by block), so nothing shows that its writes do more "
                             "work than the\n  shell's; on disk, the fdatasync latency varies from call to call more "
                             "than the gap.")
                lines.append(text)
            st = d["strace"]
            total = {k: st[f"{k}-SMALL"].get("total", 0) for k in ("opt-get", "sql-get", "opt-update", "sql-update",
                                                                   "opt-payment", "sql-payment")}
            su, ssu = self.syncs("opt", "update"), self.syncs("sql", "update")
            sp, ssp = self.syncs("opt", "payment"), self.syncs("sql", "payment")
            if su == ssu and sp == ssp:
                same = (" — the same (rollback journal in TRUNCATE mode at synchronous=FULL: the journal, its "
                        "folder, the journal header, the database, the journal's truncation): optimist does not "
                        "wait for the disk more often than the shell.")
            else:
                same = " — different: optimist's writes wait for the disk a different number of times."
            lines.append(f"- System calls: `get` {total['opt-get']} vs {total['sql-get']}, `update` {total['opt-update']} "
                         f"vs\n  {total['sql-update']}, `create-payment` {total['opt-payment']} vs {total['sql-payment']}. "
                         f"fsync + fdatasync per\n  update: {su} vs {ssu}, per payment: {sp} vs {ssp}{same}")
        return "\n".join(lines) + "\n"

    def why(self):
        out = ["## Why", ""]
        if not self.d:
            out += ["The one-call, contention, scale and memory figures were not measured in this results file",
                    "(`make bench PARTS=sqlite`). What one call costs:", "", self.one_call_facts()]
            return "\n".join(out)
        d, g, m, s = self.d, self.g, self.m, self.s
        missed = False
        if not (g["get"] and g["update"] and g["payment"]):
            missed = True
            slower = []
            if not g["get"]:
                slower.append(f"`get` {f(m('get', 'opt'), 3)} ms vs the shell's {f(m('get', 'sql'), 3)} ms "
                              f"(×{goal_ratio(m('get', 'opt'), m('get', 'sql'))}) and the floor's {f(m('get', 'flr'), 3)} ms "
                              f"(×{goal_ratio(m('get', 'opt'), m('get', 'flr'))}, goal ≤ {GOAL_GET_FLOOR})")
            for op, name in (("update", "update"), ("payment", "create-payment")):
                if not g[op]:
                    slower.append(f"`{name}` {f(m(op, 'opt'), 3)} ms vs {f(m(op, 'sql'), 3)} ms "
                                  f"(×{goal_ratio(m(op, 'opt'), m(op, 'sql'))}) and {f(m(op, 'flr'), 3)} ms "
                                  f"(×{goal_ratio(m(op, 'opt'), m(op, 'flr'))}, goal ≤ {GOAL_WRITE_FLOOR})")
            out.append(f"**One call above its goal**: {'; '.join(slower)}.")
            for op, name, goal in (("get", "get", GOAL_GET_FLOOR), ("update", "update", GOAL_WRITE_FLOOR),
                                   ("payment", "create-payment", GOAL_WRITE_FLOOR)):
                if g[op]:
                    continue
                for side, key, target in (("shell", "sql", 1), ("floor", "flr", goal)):
                    lo, hi = block_range(d[op]["opt"], d[op][key])
                    if round(lo, 2) <= target <= round(hi, 2):
                        out.append(f"Against the {side}, the {s['blocks']} blocks of `{name}` fall on both sides of the "
                                   f"goal ×{target:g} (×{f(lo)} to ×{f(hi)},")
                        out.append("block by block): the gap to the goal is within this machine's noise.")
            out += ["Measured:", "", self.one_call_facts()]
        if not g["ups"]:
            missed = True
            o, q = self.cont["opt"], self.cont["sql"]
            overlap = o["highest_rate"] >= q["lowest_rate"] and q["highest_rate"] >= o["lowest_rate"]
            out.append(f"""**Contention: fewer updates per second than the shell** (×{goal_ratio(round(o['updates_per_second'], 1), round(q['updates_per_second'], 1))}, median of {s['rounds']} rounds; the
rounds: optimist {o['rates']}, shell {q['rates']}). Both sides run the same cycle — a `get`
process, then an `update` process that takes SQLite's write lock with `BEGIN IMMEDIATE` and
commits with {self.syncs('opt', 'update')} (optimist) and {self.syncs('sql', 'update')} (shell) fdatasync calls. A process that finds the lock
taken waits in its busy handler (the shell's is SQLite's default, which sleeps 1, 2, 5, 10, …
up to 100 ms between attempts), so the throughput is the lock's pace plus the time waiters
sleep past its release. Measured:

- {"The rounds overlap: the difference is within this machine's spread from round to round." if overlap else "The rounds do not overlap."}
- Conflicts per successful update: {f(o['conflicts_per_success'])} vs {f(q['conflicts_per_success'])}; each
  conflict costs another get and update. Median update call under contention
  {f(o['median_update_ms'], 1)} ms vs {f(q['median_update_ms'], 1)} ms, get {f(o['median_get_ms'], 1)} ms vs
  {f(q['median_get_ms'], 1)} ms; alone (section a) update {f(m('update', 'opt'), 3)} ms vs {f(m('update', 'sql'), 3)} ms, get {f(m('get', 'opt'), 3)} ms vs {f(m('get', 'sql'), 3)} ms.
""")
            if g["get"] and g["update"] and g["payment"]:
                out.append(self.one_call_facts())
        if not (g["sget"] and g["supd"]):
            missed = True
            st = d["strace"]

            def reads(kind, size):
                return st[f"{kind}-{size}"].get("pread64", 0) + st[f"{kind}-{size}"].get("read", 0)
            instructions = ""
            if self.c:
                instructions = (f" instructions\nper get {n(self.ir('opt-get-SMALL'))} → {n(self.ir('opt-get-BIG'))} "
                                f"(shell {n(self.ir('sql-get-SMALL'))} →\n{n(self.ir('sql-get-BIG'))});")
            out.append(f"""**The larger store costs more** (get ×{ratio(m('get', 'opt_big'), m('get', 'opt'))}, update ×{ratio(m('update', 'opt_big'), m('update', 'opt'))} from {n(s['small'])} to
{n(s['big'])} customers; the shell ×{ratio(m('get', 'sql_big'), m('get', 'sql'))} and ×{ratio(m('update', 'sql_big'), m('update', 'sql'))}). Measured:{instructions} reads (read + pread64) per get {reads('opt-get', 'SMALL')} → {reads('opt-get', 'BIG')}, per
update {reads('opt-update', 'SMALL')} → {reads('opt-update', 'BIG')} (a deeper B-tree reads one more page per
level); system calls per update {st['opt-update-SMALL'].get('total', 0)} → {st['opt-update-BIG'].get('total', 0)}; fsync + fdatasync per
update {self.syncs('opt', 'update')} → {self.syncs('opt', 'update', 'BIG')}.
""")
        if not (g["rss"] and g["rss_upd"]):
            missed = True
            mem = d["memory"]
            out.append(f"""**Peak memory above {GOAL_RSS_MIB} MiB** (get {f(self.rss_get)} MiB, update {f(self.rss_upd)} MiB; the shell
{f(mem['sql-get-SMALL']['mib'])} MiB). Minor page faults per get: {mem['opt-get-SMALL']['minor_faults']} vs {mem['sql-get-SMALL']['minor_faults']}; the
binary is {self.env_mib()} MiB.
""")
        if not (g["lost"] and g["once"]):
            missed = True
            o = self.cont["opt"]
            out.append(f"**A correctness check failed**: lost updates {o['lost_updates']} (versions gained\n"
                       f"{o['versions_gained']}, counter {o['counter_gained']} for {o['successes']} successes); every key paid\n"
                       f"once: {self.paid['opt']['kept']}; the replayed key paid once with the first answer each time: "
                       f"{self.replayed['opt']['kept']}.\n")
        if not missed:
            out += ["Every goal is met. What one call costs, for the next change:", "", self.one_call_facts()]
        return "\n".join(out)

    def callgrind_details(self):
        if not self.c:
            return "### Instructions (callgrind)\n\n" + not_measured("callgrind") + "\n"
        c, ir = self.c, self.ir
        names = []
        for side in ("opt", "sql", "flr"):
            for name, _ in c["components"][side]:
                if name not in names:
                    names.append(name)
        costs = {side: dict(map(tuple, c["components"][side])) for side in ("opt", "sql", "flr")}
        lines = ["### Instructions by component (callgrind, exclusive: each function's own instructions)", "",
                 "| Component | optimist `get` | sqlite3 shell `get` | floor `get` |", "| --- | ---: | ---: | ---: |"]
        lines += [f"| {name} | {' | '.join(n(costs[side].get(name, 0)) for side in ('opt', 'sql', 'flr'))} |"
                  for name in names]
        lines += [f"| **total** | {' | '.join('**' + n(ir(f'{side}-get-SMALL')) + '**' for side in ('opt', 'sql', 'flr'))} |",
                  "", "### optimist `get`: the costliest functions, inclusive (callgrind_annotate --inclusive=yes)", "",
                  "```"]
        total = ir("opt-get-SMALL")
        lines += [f"{cost:>12,} {100 * cost / total:5.1f}%  {name}" for cost, name in c["top"]]
        lines += ["```", "", "### optimist `get`: what makes the Swift runtime instantiate generic types", "",
                  "Callers of `__swift_instantiateConcreteTypeFromMangledName`, by the instructions their calls",
                  "cost (inclusive), and how often they call it:", "", "```"]
        lines += [f"{cost:>12,}  {calls:>3}x  {name}" for cost, calls, name in c["callers"]]
        lines += ["```", ""]
        return "\n".join(lines) + "\n"

    def strace_details(self):
        if not self.d:
            return ""
        a, b = self.d["strace"]["opt-update-SMALL"], self.d["strace"]["sql-update-SMALL"]
        names = sorted((set(a) | set(b)) - {"total"}, key=lambda x: (-(a.get(x, 0) + b.get(x, 0)), x))
        lines = ["### System calls of one `update` (strace -c -f -w)", "", "| syscall | optimist | sqlite3 shell |",
                 "| --- | ---: | ---: |"]
        for name in names + ["total"]:
            bold = "**" if name in ("total", "fsync", "fdatasync") else ""
            lines.append(f"| {bold}{name}{bold} | {a.get(name, 0)} | {b.get(name, 0)} |")
        return "\n".join(lines) + "\n\n"

    def render(self, results, header_env):
        out = []
        if self.d:
            self.goals()
        elif not self.c:
            return "## Results\n\n" + not_measured("sqlite") + "\n"
        for name in ("sqlite", "callgrind"):
            if part(results, name):
                out.append(measured_apart(results, name, header_env))
        out += [self.results_table()]
        if self.d:
            out.append(self.what_each_side_runs())
        else:
            out.append("\n" + not_measured("sqlite"))
        out += [self.why(), self.callgrind_details(), self.strace_details()]
        return "\n".join(x for x in out if x)


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

    def row(name, key):
        o, q = d[key]["opt"]["median_ms"], d[key]["psql"]["median_ms"]
        return f"| `{name}` | {f(o)} ms | {f(q)} ms | {ratio(o, q)} |"
    co, cq = d["contention"]["opt"], d["contention"]["psql"]
    return (title + measured_apart(results, "pg", header_env) + f"""optimist (through `optimist-pg`) against `psql` running the same SQL, on one throwaway
PostgreSQL {d['server_version']} server (fsync and synchronous_commit on), both over its Unix socket,
in the same run. Each psql call connects too, as each optimist call does. Medians of {s['pg_runs']} runs.

| one call | optimist | psql | optimist / psql |
| --- | ---: | ---: | ---: |
{row("get", "get")}
{row("update --version", "update")}
{row("create-payment --key", "payment")}

Contention: {s['workers']} workers x {s['pg_cycles']} read-modify-write cycles on one customer
(get, update --version, again on VERSION_MISMATCH / no row updated):

| | optimist | psql | optimist / psql |
| --- | ---: | ---: | ---: |
| cycles per second | {f(co['cycles_per_second'], 1)} | {f(cq['cycles_per_second'], 1)} | {ratio(co['cycles_per_second'], cq['cycles_per_second'])} |
| lost updates | {co['lost_updates']} | {cq['lost_updates']} | |

""")


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

Reads at 8 connections: **{speedup:.0f}×** the CLI's single-call read throughput (goal: at least {GOAL_SERVE}×).

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
    ("PostgreSQL `get`, optimist / psql", "pg get ms", "psql get ms"),
    ("PostgreSQL `update`, optimist / psql", "pg update ms", "psql update ms"),
    ("PostgreSQL `create-payment`, optimist / psql", "pg payment ms", "psql payment ms"),
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
             "```", "",
             "The measurements it made, by part, in order ($WORK is its work folder, $SHM a folder on tmpfs; ids",
             "are from its databases). Of each one-call measurement the first of its blocks is listed; the others",
             "repeat it with the next versions and keys. The workloads with threads (contention, idempotency, edit)",
             "are in `Tests/Scripts/bench/workers.py` and `edit.py`.", ""]
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
            f"{ratio(u['after']['median_ms'], u['before']['median_ms'])} |\n\n")


ORDER = ("sqlite", "callgrind", "durability", "pg", "edit", "serve", "versus")


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
            versus(results, env), before_after(results), repeat(results)]
    text = "\n".join(x.rstrip("\n") + "\n" for x in out if x)
    return re.sub(r"\n{3,}", "\n\n", text).rstrip("\n") + "\n"
