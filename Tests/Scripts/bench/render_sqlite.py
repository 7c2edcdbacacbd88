"""The SQLite sections of BENCHMARKS.md: the Results table, what each side runs, the Why
section (why.py), and the callgrind and strace details. The sqlite part and the callgrind
part together; either may be missing."""

from report import (GOAL_GET_FLOOR, GOAL_GET_INSTRUCTIONS, GOAL_RSS_MIB, GOAL_SCALE, GOAL_WRITE_FLOOR,
                    block_range, contention_summary, f, goal_ratio, idempotency_summary, measured_apart, n,
                    not_measured, part, ratio, spread, verdict)
from why import Why


class SQLite(Why):
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
