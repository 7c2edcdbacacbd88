"""What every measuring part shares: the sizes, the work folder, the seeded SQLite databases,
the floor programs, hyperfine runs in blocks, and the list of commands a reader can repeat."""

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import sql

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = os.path.dirname(HERE)
REPO = os.path.dirname(os.path.dirname(SCRIPTS))

# The sizes of a full run, and of a quick one (--quick: to try the benchmark, not to read it).
FULL = {"runs": 200, "blocks": 8, "workers": 8, "cycles": 200, "payments": 50, "rounds": 3,
        "small": 1000, "big": 1000000,
        "pg_runs": 200, "pg_cycles": 200, "edit_increments": 25, "edit_rounds": 3,
        "serve_seconds": 10, "serve_customers": 200, "serve_cli_calls": 200}
QUICK = {"runs": 8, "blocks": 2, "workers": 4, "cycles": 8, "payments": 4, "rounds": 1,
         "small": 1000, "big": 20000,
         "pg_runs": 5, "pg_cycles": 5, "edit_increments": 3, "edit_rounds": 1,
         "serve_seconds": 1, "serve_customers": 20, "serve_cli_calls": 20}


def say(message):
    print(f"\n== {message}", file=sys.stderr, flush=True)


def run(argv, **kwargs):
    """Runs a command that must succeed; its output, as text."""
    p = subprocess.run(argv, capture_output=True, text=True, **kwargs)
    if p.returncode != 0:
        raise SystemExit(f"bench: {' '.join(argv[:3])}… exited {p.returncode}: {p.stderr.strip()[-2000:]}")
    return p.stdout


def quote(word):
    """A word for a shell (and for hyperfine, which splits its commands as a shell does):
    plain, in single quotes, or (SQL, with its own single quotes) in double quotes."""
    if re.fullmatch(r"[A-Za-z0-9_./{}=:,@%+-]+", word):
        return word
    if "'" not in word:
        return f"'{word}'"
    return '"' + re.sub(r'([\\"$`])', r"\\\1", word) + '"'


def expand(word, letter, value):
    """A word of a scanned command for one run: {v} is the run's value, {v+1} the next one."""
    return word.replace(f"{{{letter}+1}}", str(value + 1)).replace(f"{{{letter}}}", str(value))


def summary(blocks):
    """Figures of one command measured in blocks: [[wall seconds, ...] per block] and the
    hyperfine user/system means, as {median_ms, p25_ms, p75_ms, block_medians_ms, user_ms,
    system_ms, runs}."""
    walls = [t * 1000 for block in blocks for t in block["times"]]
    cpu_runs = sum(len(b["times"]) for b in blocks)
    q = statistics.quantiles(walls, n=4) if len(walls) > 1 else [walls[0]] * 3
    return {
        "median_ms": statistics.median(walls),
        "p25_ms": q[0],
        "p75_ms": q[2],
        "block_medians_ms": [statistics.median(b["times"]) * 1000 for b in blocks],
        # hyperfine keeps each run's wall time, but only the mean user and system time.
        "user_ms": sum(b["user"] * len(b["times"]) for b in blocks) / cpu_runs * 1000,
        "system_ms": sum(b["system"] * len(b["times"]) for b in blocks) / cpu_runs * 1000,
        "runs": len(walls),
    }


class Context:
    """One `measure` invocation: the binary, the sizes, the work folder (raw files), and what
    the parts share (databases, floor programs), made the first time a part asks."""

    def __init__(self, binary, work, quick, sizes=None):
        self.binary = os.path.abspath(binary)
        self.work = os.path.abspath(work)
        self.quick = quick
        self.size = dict(QUICK if quick else FULL)
        for name, value in (sizes or {}).items():
            if name not in self.size:
                raise SystemExit(f"bench: no size {name} (sizes: {', '.join(self.size)})")
            self.size[name] = value
        if self.size["runs"] < self.size["blocks"]:
            raise SystemExit(f"bench: runs ({self.size['runs']}) must be at least blocks ({self.size['blocks']})")
        self.size["runs"] -= self.size["runs"] % self.size["blocks"]  # whole blocks
        os.makedirs(self.work, exist_ok=True)
        # A folder on tmpfs, for the control without the disk's latency.
        self.shm = None
        if os.path.isdir("/dev/shm") and run(["stat", "-f", "-c", "%T", "/dev/shm"]).strip() == "tmpfs":
            self.shm = tempfile.mkdtemp(prefix="optimist-bench.", dir="/dev/shm")
        self.commands = []
        self.before = None  # {"bin", "label"}: an older optimist, for the part versus
        self._dbs = None
        self._floor = None

    def close(self):
        if self.shm:
            shutil.rmtree(self.shm, ignore_errors=True)

    # ------------------------------------------------------------------ commands to repeat
    def line(self, argv):
        """A command as a reader can repeat it from the repository's top folder."""
        text = " ".join(quote(w) for w in argv)
        text = text.replace(self.work, "$WORK")
        if self.shm:
            text = text.replace(self.shm, "$SHM")
        return text.replace(REPO + "/", "")

    def remember(self, argv):
        self.commands.append(self.line(argv))

    # ------------------------------------------------------------------ shared set-up
    def databases(self):
        """The small and the big database, and the customers each measurement uses, by
        position: they start at version 0, so an update benchmark can give run k version k."""
        if self._dbs:
            return self._dbs
        small, big = os.path.join(self.work, "small.db"), os.path.join(self.work, "big.db")
        say(f"building a database with {self.size['small']:,} customers and one with {self.size['big']:,} "
            "(with SQL, not optimist)")
        started = time.monotonic()
        sql.seed(self.binary, small, self.size["small"])
        sql.seed(self.binary, big, self.size["big"])
        subprocess.run(["sync"])  # the first fdatasync of a test must not write back the whole database
        seconds = time.monotonic() - started
        # The untouched small database: callgrind reads a copy, so that its counts do not depend on
        # which parts ran before it.
        shutil.copy(small, os.path.join(self.work, "small-pristine.db"))
        ids = {}
        for size, db in (("SMALL", small), ("BIG", big)):
            n = self.size[size.lower()] // 2
            ids[f"GET_{size}"] = sql.id_at(db, n)  # read by get (and paid by create-payment)
            ids[f"OPT_UPDATE_{size}"] = sql.id_at(db, n + 1)  # updated by optimist
            ids[f"SQL_UPDATE_{size}"] = sql.id_at(db, n + 2)  # updated by sqlite3
            ids[f"FLR_UPDATE_{size}"] = sql.id_at(db, n + 3)  # updated by the floor
        ids["DURABILITY"] = [sql.id_at(small, self.size["small"] // 2 + k) for k in (5, 6, 7)]
        ids["OPT_CONTENDED"] = sql.id_at(small, 3)
        ids["SQL_CONTENDED"] = sql.id_at(small, 4)
        self._dbs = {"SMALL": small, "BIG": big, "pristine": os.path.join(self.work, "small-pristine.db"),
                     "ids": ids, "seed_seconds": seconds}
        return self._dbs

    def floor(self):
        """floor-get, floor-update and floor-payment (Tests/Scripts/floor): the same SQL in the same
        transactions with the same pragmas as optimist, linked statically against the same
        libsqlite3, printing the same JSON, and nothing else."""
        if self._floor:
            return self._floor
        arch = run(["cc", "-print-multiarch"]).strip()
        library = os.environ.get("BENCH_LIBSQLITE3", f"/usr/lib/{arch}/libsqlite3.a")
        programs = {}
        for op in ("get", "update", "payment"):
            out = os.path.join(self.work, f"floor-{op}")
            run(["cc", "-O2", "-static", f'-DFLOOR_PRAGMAS="{sql.PRAGMAS}"', "-o", out,
                 os.path.join(SCRIPTS, "floor", f"floor_{op}.c"), library, "-lm", "-lpthread"])
            programs[op] = out
        self._floor = {"programs": programs, "library": library,
                       "mib": os.path.getsize(programs["get"]) / 1048576}
        return self._floor

    # ------------------------------------------------------------------ hyperfine
    def hyperfine(self, name, argv, runs=None, warmup=None, scan=None, listed=True):
        """One hyperfine run of one command (argv, with {v} or {n} when scanning): its wall times
        (s) and its mean user and system time. scan=(letter, first) gives each run a value of
        its own: a version or a key (a parameter scan with --runs 1; {v+1}, the value plus one,
        makes it one concrete command per run instead)."""
        out = os.path.join(self.work, f"{name}.json")
        args = ["hyperfine", "-N", "--style", "basic", "--export-json", out]
        command = " ".join(quote(w) for w in argv)
        commands = [command]
        if scan:
            letter, first = scan
            args += ["--runs", "1"]
            if any(f"{{{letter}+1}}" in w for w in argv):
                # hyperfine substitutes {v} but cannot add one: such a command is expanded here,
                # one concrete command per run (hyperfine runs them in turn, once each).
                commands = [" ".join(quote(expand(w, letter, x)) for w in argv) for x in range(first, first + runs)]
            else:
                args += ["--parameter-scan", letter, str(first), str(first + runs - 1)]
        else:
            args += (["--warmup", str(warmup)] if warmup else []) + ["--runs", str(runs)]
        if listed:
            self.remember(args[:2] + args[6:] + [command])
        run(args + commands)
        results = json.loads(read(out))["results"]
        times = [t for r in results for t in r["times"]]
        user = sum(r["user"] * len(r["times"]) for r in results) / len(times)
        system = sum(r["system"] * len(r["times"]) for r in results) / len(times)
        return {"times": times, "user": user, "system": system}

    def blocks(self, name, commands, scan_letter=None, first=0, runs=None):
        """Runs every command `runs` times, in `blocks` blocks. Within a block a command's runs
        follow one another, as a script's loop calls it; the commands take turns, in reverse
        order every other block, so that the machine getting faster or slower during the
        measurement weighs on all of them alike. Without scan_letter the commands run as they
        are, after 3 warm-up runs per block; with it, the runs of each command get the values
        first, first+1, ... as {v} or {n}. Returns a summary per command, in order. runs: the
        size's `runs` unless given (then rounded down to whole blocks)."""
        blocks = self.size["blocks"]
        per = max(1, (runs or self.size["runs"]) // blocks)
        measured = [[] for _ in commands]
        for block in range(blocks):
            order = list(range(len(commands)))
            if block % 2:
                order.reverse()
            for k in order:
                scan = (scan_letter, first + block * per) if scan_letter else None
                measured[k].append(self.hyperfine(f"{name}.{block}.{k}", commands[k], runs=per,
                                                  warmup=None if scan else 3, scan=scan,
                                                  listed=block == 0))
        return [summary(m) for m in measured]


def environment(ctx):
    """Where and when a part ran: enough to say what its figures mean."""
    def first(command, default="unknown"):
        try:
            return subprocess.run(command, capture_output=True, text=True, shell=True).stdout.strip() or default
        except OSError:
            return default
    commit = first(f"git -C {REPO} rev-parse --short HEAD")
    if subprocess.run(["git", "-C", REPO, "diff", "--quiet", "HEAD", "--", "Sources"]).returncode:
        commit += " with uncommitted changes to Sources/"
    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "cores": os.cpu_count(),
        "cpu": first("sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1"),
        "memory_gib": round(int(first("awk '/MemTotal/ { print $2 }' /proc/meminfo", "0")) / 1048576),
        "kernel": os.uname().release,
        "disk": first(f"df --output=source {ctx.work} | tail -1"),
        "filesystem": first(f"findmnt -no FSTYPE -T {ctx.work}"),
        "commit": commit,
        "optimist_version": first(f"{ctx.binary} --version"),
        "binary_mib": os.path.getsize(ctx.binary) / 1048576,
        "hyperfine": first("hyperfine --version").split()[-1],
        "sqlite_shell": first("sqlite3 --version").split()[0],
        "quick": ctx.quick,
        "sizes": ctx.size,
    }


def read(path):
    """A file's text."""
    with open(path) as f:
        return f.read()


def load_average():
    return " ".join(read("/proc/loadavg").split()[:3])
