"""The Why section of BENCHMARKS.md: for each goal missed, what was measured about it (the
sqlite and callgrind parts); when every goal is met, what one call costs."""

from report import (GOAL_GET_FLOOR, GOAL_RSS_MIB, GOAL_WRITE_FLOOR, block_range, f, goal_ratio, mi, n, pct,
                    ratio, spread)


class Why:
    """Mixed into SQLite (render_sqlite.py), whose figures and goals it reads."""

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
