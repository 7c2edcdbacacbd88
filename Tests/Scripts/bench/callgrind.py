"""Part `callgrind`: instructions of one call (valgrind --tool=callgrind), deterministic enough
to compare two commits: get, update and create-payment for optimist, the sqlite3 shell and the
floor on a fresh copy of the small database (get also on the big one), where optimist's `get`
spends them (inclusive), by component (exclusive), and what makes the Swift runtime
instantiate generic types. Every call runs with the same small environment, so that the
counts do not depend on the caller's shell."""

import os
import re
import shutil
import subprocess
import tempfile

import common
import sqlite_cli

# The environment of every call: small and fixed (its size counts too).
ENVIRONMENT = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/root", "LANG": "C.UTF-8"}


def total(path):
    for line in common.read(path).splitlines():
        if line.startswith(("totals:", "summary:")):
            return int(line.split()[1])
    raise SystemExit(f"bench: no totals in {path}")


def annotate(path, inclusive):
    """[(instructions, function, source, object)] of callgrind_annotate, costliest first."""
    command = ["callgrind_annotate", "--threshold=100", "--auto=no", path]
    if inclusive:
        command.insert(1, "--inclusive=yes")
    text = common.run(command)
    line_re = re.compile(r"^\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+(.*?):(.*?)(?:\s+\[(.*)\])?$")
    rows = []
    for line in text.splitlines():
        m = line_re.match(line)
        if m and "PROGRAM TOTALS" not in line:
            rows.append((int(m.group(1).replace(",", "")), m.group(3), m.group(2), m.group(4) or ""))
    return rows


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


def components(path, sqlite_names):
    """[[component, instructions]], largest first (exclusive costs)."""
    parts = {}
    for cost, function, source, obj in annotate(path, False):
        name = component(function, source + " " + obj, sqlite_names)
        parts[name] = parts.get(name, 0) + cost
    return [[name, cost] for name, cost in sorted(parts.items(), key=lambda kv: -kv[1])]


def inclusive(path, pattern):
    """The largest inclusive cost of a function whose name matches the pattern (0: none)."""
    pattern = re.compile(pattern)
    return max([cost for cost, function, _, _ in annotate(path, True) if pattern.search(function)] or [0])


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


def readable(name):
    return collapse_arguments(re.sub(r"\s+", " ", name))[:110]


def top(path, count):
    """[[instructions, function]] of the costliest functions, inclusive."""
    rows, seen = [], set()
    for row in annotate(path, True):  # a function split over files is listed per file
        if "below main" not in row[1] and row[1] not in seen:
            seen.add(row[1])
            rows.append(row)
    rows = rows[:count]
    names = demangle([re.sub(r"'\d+$", "", f) for _, f, _, _ in rows])
    return [[cost, readable(name)] for (cost, _, _, _), name in zip(rows, names)]


def callers(path, symbol, count):
    """[[instructions, calls, caller]]: the callers of a function, by what their calls to it cost."""
    text = common.run(["callgrind_annotate", "--tree=caller", "--inclusive=yes", "--threshold=100", "--auto=no",
                       path])
    line_re = re.compile(r"^\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+([<*])\s+(.*?):(.*?)"
                         r"(?:\s+\((\d+)x\))?(?:\s+\[(.*)\])?$")
    found = {}
    for block in text.split("\n\n"):
        lines = [m for m in (line_re.match(line) for line in block.splitlines()) if m]
        if not any(m.group(2) == "*" and m.group(4) == symbol for m in lines):
            continue
        for m in lines:
            if m.group(2) == "<":
                cost, calls = int(m.group(1).replace(",", "")), int(m.group(5) or 1)
                old = found.get(m.group(4), (0, 0))
                found[m.group(4)] = (old[0] + cost, old[1] + calls)
    best = sorted(found.items(), key=lambda kv: -kv[1][0])[:count]
    names = demangle([re.sub(r"'\d+$", "", name) for name, _ in best])
    return [[cost, calls, readable(name)] for (_, (cost, calls)), name in zip(best, names)]


def conformance_records(binary):
    """Protocol conformance records in the binary: an uncached conformance check walks them all."""
    text = subprocess.run(["readelf", "-SW", binary], capture_output=True, text=True).stdout
    m = re.search(r"swift5_protocol_conformances\s+PROGBITS\s+[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)", text)
    return int(m.group(1), 16) // 4 if m else 0


class Place:
    """A folder whose path has the same length in every run, holding copies of the programs and
    of the small database: a call runs in it and names its files ./NAME, so that its counts
    depend on neither the work folder's path nor the repository's (SQLite resolves the database's
    full path; the Swift runtime reads the executable's)."""

    def __enter__(self):
        self.folder = tempfile.mkdtemp(prefix="optimist-callgrind.", dir="/tmp")
        return self

    def copy(self, path, name):
        shutil.copy(path, os.path.join(self.folder, name))
        return os.path.join(self.folder, name)

    def program(self, path, name):
        """A copy of a program without its debug information, as the packages ship it (the
        same instructions run): valgrind 3.19 gives up on the DWARF 5 that Swift's clang writes
        for a C target such as optimist-pg's CLibPQOnDemand."""
        copy = self.copy(path, name)
        subprocess.run(["strip", "--strip-debug", copy], check=True)
        return copy

    def link(self, path, name):
        """A large file, linked (its own folder's path may then count, for the big database only)."""
        target = os.path.join(self.folder, name)
        try:
            os.link(path, target)
        except OSError:
            os.symlink(path, target)
        return target

    def run(self, argv, out):
        common.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"] + argv, env=ENVIRONMENT,
                   cwd=self.folder)
        return total(out)

    def __exit__(self, *_):
        shutil.rmtree(self.folder, ignore_errors=True)


def measure(ctx):
    with Place() as place:
        return measure_in(ctx, place)


def measure_in(ctx, place):
    dbs = dict(ctx.databases())
    dbs["SMALL"] = place.copy(dbs["pristine"], "small.db")
    dbs["BIG"] = place.link(dbs["BIG"], "big.db")
    floor = {op: place.copy(p, f"floor-{op}") for op, p in ctx.floor()["programs"].items()}
    calls = sqlite_cli.Calls(ctx, dbs, within=place.folder, binary=place.copy(ctx.binary, "optimist"), floor=floor)
    common.say("instructions (valgrind --tool=callgrind)")
    nm = subprocess.run("nm --defined-only /usr/lib/*/libsqlite3.a 2>/dev/null", shell=True, capture_output=True,
                        text=True).stdout
    sqlite_names = {f[2] for f in (line.split() for line in nm.splitlines()) if len(f) == 3}
    out = {"instructions": {}}
    files = {}
    for kind in sqlite_cli.KINDS:
        for size in ("SMALL", "BIG"):
            if size == "BIG" and not kind.endswith("get"):
                continue
            path = os.path.join(ctx.work, f"callgrind.{kind}.{size}.out")
            argv = calls.argv(kind, size)
            out["instructions"][f"{kind}-{size}"] = place.run(argv, path)
            files[f"{kind}-{size}"] = path
            if size == "SMALL" and kind.endswith("get"):
                environment = [f"{k}={v}" for k, v in ENVIRONMENT.items()]
                line = " ".join(common.quote(w) for w in ["env", "-i"] + environment + ["valgrind", "--tool=callgrind"]
                                + argv)
                ctx.commands.append(f"(cd $PLACE && {line})")
    opt_get = files["opt-get-SMALL"]
    ctx.remember(["callgrind_annotate", "--inclusive=yes", opt_get])
    # Where one optimist get spends its instructions (inclusive: a function and all it calls).
    out["inclusive"] = {
        "command": inclusive(opt_get, "OptimistCore10runCommand"),
        "main": inclusive(opt_get, r"^optimist_main$"),
        "subcommand": inclusive(opt_get, "11OptimistCLI10SubcommandPAAE3run"),
        "floor_main": inclusive(files["flr-get-SMALL"], r"^main$"),
        "conforms": inclusive(opt_get, r"^swift_conformsToProtocol"),
        "mirror": inclusive(opt_get, r"^\$ss6MirrorV10reflecting"),
        "metadata": inclusive(opt_get, r"^swift_getTypeByMangledName$|__swift_instantiateConcreteTypeFromMangledName"),
    }
    out["components"] = {side: components(files[f"{side}-get-SMALL"], sqlite_names) for side in ("opt", "sql", "flr")}
    out["top"] = top(opt_get, 30)
    out["callers"] = callers(opt_get, "__swift_instantiateConcreteTypeFromMangledName", 12)
    out["conformance_records"] = conformance_records(ctx.binary)
    return out
