#!/usr/bin/env python3
"""The README runs as a test (`make test`): its examples against the built binary, in order.

    readme_test.py --bin .build/debug/optimist [--engine sqlite|postgresql] [--readme README.md]
                   [--self-test] [-v]

What runs, in the README's order, on one fresh store: on SQLite (the default) the default
database path of a temporary HOME, $HOME/.local/share/optimist/optimist.db; with --engine
postgresql a new database on the server of $OPTIMIST_TEST_PG (`make test` starts one with
Tests/Scripts/pg-server.sh; without it the test fails, it never skips), named by OPTIMIST_DB:

- Every ```sh block with `$ ` lines: each `$ command` (continued by a trailing `\\`, or by a
  here-document up to its terminator) runs with bash in a temporary folder, optimist's folder
  first on PATH, stdin empty; the lines under it, up to the next `$ ` line, are its expected
  output, stdout and stderr together.
- Every ```sh block of the Scripting section, as a bash script: it must exit 0.

How an output is compared (as rustdoc's and Python's doctests compare):

- Everything is matched by value, byte for byte (a trailing newline aside), except:
- Shapes. An id (26 letters A-Z and digits 2-7), a timestamp (2026-11-23T07:01:02.345Z) and
  an item version (13 digits, epoch milliseconds) match any text of that shape. The first
  time the README shows one, the test binds it to what optimist printed there: later
  outputs must show the same value where the README repeats it, and later commands and
  scripts get it in its place (the README's `update ZP3Q… --version 1795417263120` runs with
  the real id and version). Two README ids never bind to one real id. In doctor's report,
  the string values of "sqlite_version", "server_version", "libpq_version", "version" and "commit"
  (optimist's own) and "host" match any string, and "port" any number. Customer versions
  (0, 1, 2…) and everything else are values.
- `…` stands for any text with balanced brackets and quotes: `[{…},{…}]` is exactly two
  objects, `"id":"…"` any one string.
- A command with no output under it must exit 0; its output is not compared. One whose
  output shows an error (a line starting `Error:` or `{"errors":`) must exit non-zero;
  any other must exit 0.
- The README's example home /home/ada is the test's HOME; its example PostgreSQL URL
  (postgresql://ci:secret@db.internal/optimist, and its masked form with ***) is the test
  store's URL.
- `optimist serve` runs in the background: its first line of stdout is its output (the
  README's port 8080 is a free port the test picks); then SIGTERM must end it with exit 0.

Markers, HTML comments (not shown on GitHub) on the lines before a block:

- `<!-- test: setup: CODE -->` runs CODE with bash before the block; the variables it sets
  are set for every later command and script (as a reader who follows along has them).
- `<!-- test: not run: REASON -->`: the block is not run. The test says so, with the
  reason, every time: nothing is skipped silently.
- `<!-- test: only on ENGINE: REASON -->` (sqlite or postgresql): the block runs on that
  engine's pass only; the other pass lists it as not run, with the reason.

--self-test checks the checker: the matcher's rules on small cases, then the README with
one expected output altered, which must fail at that example.
"""

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile

# The shapes matched by shape, and bound (see above).
SHAPES = {
    "id": r"[A-Z2-7]{26}",
    "time": r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z",
    "epoch": r"1\d{12}",
}
# Where a README token is one of those shapes (not inside a longer word or number).
TOKEN = re.compile(
    r"(?<![A-Za-z0-9])(?:(?P<id>[A-Z2-7]{26})|(?P<time>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)"
    r"|(?P<epoch>1\d{12}))(?![A-Za-z0-9])"
)
# Values matched by shape alone (never bound): the engine's versions in doctor's report,
# optimist's own version and commit there (a string "version"; an object's version is a
# number), and the PostgreSQL host and port doctor reached (any string; any number).
FREE_VALUES = re.compile(
    r'(?:(?<="sqlite_version":")|(?<="server_version":")|(?<="libpq_version":")|(?<="version":")'
    r'|(?<="commit":")'
    r'|(?<="host":")|(?<="known_states":"))[^"]*(?=")'
)
FREE_NUMBERS = re.compile(r'(?<="port":)\d+')
ELLIPSIS = "…"
ENGINE = "sqlite"  # set by --engine
STORE_URL = None  # the PostgreSQL store's URL, with --engine postgresql
README_HOME = "/home/ada"
README_PG_URLS = ("postgresql://ci:secret@db.internal/optimist", "postgresql://ci:***@db.internal/optimist")
README_PORT = "8080"


class Failure(Exception):
    pass


def run_group(arguments, timeout, **options):
    """subprocess.run in a process group of its own, all of it killed on a timeout (a
    hanging `optimist wait` must not outlive the test)."""
    with subprocess.Popen(arguments, start_new_session=True, **options) as process:
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise
        return subprocess.CompletedProcess(arguments, process.returncode, stdout, stderr)


# ----------------------------------------------------------------------------- the README


class Example:
    """One command and its expected output, or one script."""

    def __init__(self, kind, text, expected, line, section, setup, not_run):
        self.kind = kind  # "command" or "script"
        self.text = text
        self.expected = expected  # list of lines (commands), None for scripts
        self.line = line
        self.section = section
        self.setup = setup  # shell code to run first (markers), or None
        self.not_run = not_run  # the marker's reason, or None

    def where(self):
        return f"README.md:{self.line} ({self.section})"


def parse_readme(text):
    """The examples, in order."""
    examples = []
    lines = text.split("\n")
    section = ""
    top = ""
    markers = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("#") and not line.startswith("#!"):
            title = line.lstrip("#").strip()
            if line.startswith("## "):
                top = title
            section = title
        marker = re.match(r"\s*<!-- test: (.*?) -->\s*$", line)
        if marker:
            markers.append(marker.group(1))
        fence = re.match(r"(\s*)```(\w*)\s*$", line)
        if not fence:
            # A marker belongs to the block right after it (blank lines aside).
            if line.strip() and not marker:
                markers = []
            index += 1
            continue
        indent, language = fence.group(1), fence.group(2)
        start = index + 1
        end = start
        while end < len(lines) and lines[end].strip() != "```":
            end += 1
        body = [l[len(indent):] if l.startswith(indent) else l for l in lines[start:end]]
        setup = "\n".join(m[len("setup:"):].strip() for m in markers if m.startswith("setup:"))
        not_run = next((m[len("not run:"):].strip() for m in markers if m.startswith("not run:")), None)
        only = next((m[len("only on "):] for m in markers if m.startswith("only on ")), None)
        if only:
            engine, _, reason = only.partition(":")
            if engine.strip() != ENGINE:
                not_run = f"only on {engine.strip()}: {reason.strip()}"
        markers = []
        index = end + 1
        if language != "sh":
            continue
        if any(l.startswith("$ ") for l in body):
            first = True
            for example in parse_session(body, start + 1, section):
                example.setup = setup if first else None
                example.not_run = not_run
                first = False
                examples.append(example)
        elif top == "Scripting":
            examples.append(Example("script", "\n".join(body), None, start + 1, section, setup or None, not_run))
    return examples


def parse_session(body, first_line, section):
    """`$ command` lines (with continuations and here-documents) and their outputs."""
    examples = []
    index = 0
    while index < len(body):
        line = body[index]
        if not line.startswith("$ "):
            index += 1
            continue
        number = first_line + index
        command = [line[2:]]
        index += 1
        while command[-1].endswith("\\") and index < len(body):
            command.append(body[index])
            index += 1
        heredoc = re.search(r"<<-?\s*'?\"?(\w+)'?\"?", "\n".join(command))
        if heredoc:
            while index < len(body):
                command.append(body[index])
                index += 1
                if command[-1].strip() == heredoc.group(1):
                    break
        expected = []
        while index < len(body) and not body[index].startswith("$ "):
            expected.append(body[index])
            index += 1
        while expected and not expected[-1].strip():
            expected.pop()
        examples.append(Example("command", "\n".join(command), expected, number, section, None, None))
    return examples


# ----------------------------------------------------------------------------- matching


def pattern(expected):
    """The expected text as parts: ("lit", text), ("any",), ("shape", kind, token), ("free",),
    ("freenumber",)."""
    parts = []
    position = 0
    spans = []
    for found in TOKEN.finditer(expected):
        kind = found.lastgroup
        spans.append((found.start(), found.end(), ("shape", kind, found.group(0))))
    for found in FREE_VALUES.finditer(expected):
        spans.append((found.start(), found.end(), ("free",)))
    for found in FREE_NUMBERS.finditer(expected):
        spans.append((found.start(), found.end(), ("freenumber",)))
    for offset, character in enumerate(expected):
        if character == ELLIPSIS:
            spans.append((offset, offset + 1, ("any",)))
    spans.sort()
    for start, end, part in spans:
        if start < position:
            continue
        if start > position:
            parts.append(("lit", expected[position:start]))
        parts.append(part)
        position = end
    if position < len(expected):
        parts.append(("lit", expected[position:]))
    return parts


def string_states(text):
    """For each offset of `text`: whether it is inside a JSON string."""
    inside = []
    in_string = False
    escaped = False
    for character in text:
        inside.append(in_string)
        if in_string:
            if escaped:
                escaped = False
            elif character == "\\":
                escaped = True
            elif character == '"':
                in_string = False
        elif character == '"':
            in_string = True
    inside.append(in_string)
    return inside


def balanced_ends(text, start, inside):
    """The ends of the balanced stretches of `text` from `start`, shortest first."""
    ends = [start]
    if inside[start]:
        # Inside a string: any stretch up to its closing quote.
        offset = start
        while offset < len(text) and inside[offset + 1]:
            offset += 1
            ends.append(offset)
        return ends
    depth = 0
    for offset in range(start, len(text)):
        character = text[offset]
        if not inside[offset]:
            if character in "[{":
                depth += 1
            elif character in "]}":
                depth -= 1
                if depth < 0:
                    break
        if depth == 0 and not inside[offset + 1]:
            ends.append(offset + 1)
    return ends


def match(expected, actual, bindings):
    """New bindings when `actual` matches `expected` (a string), else None."""
    parts = pattern(expected)
    inside = string_states(actual)

    def go(index, position, bound):
        if index == len(parts):
            return bound if position == len(actual) else None
        part = parts[index]
        if part[0] == "lit":
            if actual.startswith(part[1], position):
                return go(index + 1, position + len(part[1]), bound)
            return None
        if part[0] == "any":
            for end in balanced_ends(actual, position, inside):
                found = go(index + 1, end, bound)
                if found is not None:
                    return found
            return None
        if part[0] == "free":
            end = position
            while end < len(actual) and actual[end] != '"':
                end += 1
            return go(index + 1, end, bound)
        if part[0] == "freenumber":
            end = position
            while end < len(actual) and actual[end].isdigit():
                end += 1
            return go(index + 1, end, bound) if end > position else None
        _, kind, token = part
        if token in bound:
            value = bound[token]
            if actual.startswith(value, position):
                return go(index + 1, position + len(value), bound)
            return None
        found = re.compile(SHAPES[kind]).match(actual, position)
        if not found:
            return None
        value = found.group(0)
        if kind == "id" and value in {v for t, v in bound.items() if TOKEN.fullmatch(t) and TOKEN.fullmatch(t).lastgroup == "id"}:
            return None  # two README ids, one real id
        return go(index + 1, found.end(), {**bound, token: value})

    return go(0, 0, dict(bindings))


def substitute(text, bindings, home, port):
    """A README command or script with the bound values in place of the README's."""
    text = text.replace(README_HOME, home)
    if STORE_URL:
        for url in README_PG_URLS:
            text = text.replace(url, STORE_URL)
    if port:
        text = text.replace(":" + README_PORT, ":" + str(port))
    return TOKEN.sub(lambda found: bindings.get(found.group(0), found.group(0)), text)


# ----------------------------------------------------------------------------- running


class Session:
    def __init__(self, binary, verbose):
        self.root = tempfile.mkdtemp(prefix="readme-test.")
        self.home = os.path.join(self.root, "home")
        self.work = os.path.join(self.root, "work")
        os.makedirs(self.home)
        os.makedirs(self.work)
        self.bindings = {}
        self.verbose = verbose
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("OPTIMIST") and key not in ("XDG_DATA_HOME", "NO_COLOR", "COLUMNS")
        }
        env["HOME"] = self.home
        if STORE_URL:
            env["OPTIMIST_DB"] = STORE_URL
        env["PATH"] = os.path.dirname(os.path.abspath(binary)) + os.pathsep + env.get("PATH", "")
        self.env = env
        self.checked = 0
        self.unchecked = 0
        self.scripts = 0
        self.not_run = []

    def close(self):
        shutil.rmtree(self.root, ignore_errors=True)

    def setup(self, example):
        code = substitute(example.setup, self.bindings, self.home, None)
        dump = os.path.join(self.root, "env")
        # Its output goes to a file, not a pipe: a job it leaves in the background must not
        # keep the test waiting for the pipe's end.
        with open(os.path.join(self.root, "setup.log"), "w+") as log:
            result = run_group(
                ["bash", "-c", 'set -a; eval "$1" >/dev/null || exit; env -0 >"$2"', "setup", code, dump],
                120, env=self.env, cwd=self.work, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
            )
            log.seek(0)
            if result.returncode != 0:
                raise Failure(f"{example.where()}: the setup failed ({result.returncode}):\n{code}\n{log.read()}")
        with open(dump, "rb") as handle:
            for entry in handle.read().decode().split("\0"):
                if "=" in entry:
                    key, value = entry.split("=", 1)
                    if key not in ("_", "SHLVL", "PWD", "OLDPWD"):
                        self.env[key] = value

    def run(self, example):
        if example.not_run is not None:
            self.not_run.append(f"{example.where()}: {example.text.splitlines()[0]}: {example.not_run}")
            return
        try:
            self.run_example(example)
        except subprocess.TimeoutExpired as timeout:
            raise Failure(f"{example.where()}: no answer after {timeout.timeout} seconds: {timeout.cmd}")

    def run_example(self, example):
        if example.setup:
            self.setup(example)
        if example.kind == "script":
            return self.script(example)
        if re.search(r"\boptimist serve\b", example.text):
            return self.serve(example)
        command = substitute(example.text, self.bindings, self.home, None)
        result = run_group(
            ["bash", "-c", command], 120, env=self.env, cwd=self.work, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )
        actual = result.stdout.decode("utf-8", "replace")
        self.compare(example, command, actual, result.returncode)

    def compare(self, example, command, actual, code):
        if self.verbose:
            print(f"$ {command}\n{actual}  -> exit {code}")
        if not example.expected:
            self.unchecked += 1
            if code != 0:
                raise Failure(f"{example.where()}: `{command}` exited {code} (no output shown: expected 0):\n{actual}")
            return
        expected = substitute("\n".join(example.expected), {}, self.home, None)
        shows_error = any(l.startswith("Error:") or l.startswith('{"errors":') for l in example.expected)
        if shows_error != (code != 0):
            raise Failure(f"{example.where()}: `{command}` exited {code}:\n{actual}")
        bound = match(expected, actual.rstrip("\n"), self.bindings)
        if bound is None:
            raise Failure(
                f"{example.where()}: `{command}` printed\n{actual.rstrip()}\nwhere the README shows\n{expected}\n"
                f"(bindings so far: {self.bindings})"
            )
        self.bindings = bound
        self.checked += 1

    def script(self, example):
        script = substitute(example.text, self.bindings, self.home, None)
        result = run_group(
            ["bash", "-c", script], 120, env=self.env, cwd=self.work, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        if self.verbose:
            print(f"script at {example.where()}:\n{result.stdout}{result.stderr}  -> exit {result.returncode}")
        if result.returncode != 0:
            raise Failure(
                f"{example.where()}: the script exited {result.returncode}:\n{script}\n"
                f"stdout: {result.stdout}\nstderr: {result.stderr}"
            )
        self.scripts += 1

    def serve(self, example):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        command = substitute(example.text, self.bindings, self.home, port)
        server = subprocess.Popen(
            ["bash", "-c", command], env=self.env, cwd=self.work, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        try:
            line = server.stdout.readline()
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                code = server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()
                raise Failure(f"{example.where()}: `{command}` did not end on SIGTERM")
        if code != 0:
            raise Failure(f"{example.where()}: `{command}` exited {code} on SIGTERM: {server.stderr.read()}")
        expected = substitute("\n".join(example.expected), {}, self.home, port)
        if match(expected, line.rstrip("\n"), self.bindings) is None:
            raise Failure(f"{example.where()}: `{command}` printed {line!r} where the README shows {expected!r}")
        self.checked += 1


def run_readme(examples, binary, verbose):
    """Runs every example; raises Failure at the first that disagrees."""
    session = Session(binary, verbose)
    try:
        for example in examples:
            session.run(example)
        return session
    finally:
        session.close()


# ----------------------------------------------------------------------------- self-test


def self_test(examples, binary):
    """The checker has teeth: its rules on small cases, then an altered README fails."""
    cases = [
        ('{"id":"4YQ2LSW7PCGEXJ5BZ2WDVCT3HM","v":0}', '{"id":"ABCDEFGHIJKLMNOPQRSTUVWXYZ","v":0}', True),
        ('{"id":"4YQ2LSW7PCGEXJ5BZ2WDVCT3HM","v":0}', '{"id":"ABCDEFGHIJKLMNOPQRSTUVWXYZ","v":1}', False),
        ('{"id":"4YQ2LSW7PCGEXJ5BZ2WDVCT3HM"}', '{"id":"abc"}', False),
        ('{"objects":[{…},{…}]}', '{"objects":[{"a":1},{"b":"}"}]}', True),
        ('{"objects":[{…},{…}]}', '{"objects":[{"a":1},{"b":2},{"c":3}]}', False),
        ('{"t":"2026-11-23T07:01:02.345Z"}', '{"t":"2027-01-01T00:00:00.000Z"}', True),
        ('{"t":"2026-11-23T07:01:02.345Z"}', '{"t":"yesterday"}', False),
        ('{"version":1795417263120}', '{"version":1796000000001}', True),
        ('{"version":1795417263120}', '{"version":17}', False),
        ('{"a":"…","b":2}', '{"a":"x\\",y","b":2}', True),
        ('{"sqlite_version":"3.40.1","x":1}', '{"sqlite_version":"3.46.0","x":1}', True),
        ('{"sqlite_version":"3.40.1","x":1}', '{"sqlite_version":"3.46.0","x":2}', False),
    ]
    for expected, actual, matches in cases:
        if (match(expected, actual, {}) is not None) != matches:
            raise Failure(f"self-test: {expected!r} vs {actual!r} should {'' if matches else 'not '}match")
    # A bound id must repeat; two README ids never bind to one real id.
    bound = match('"A":"4YQ2LSW7PCGEXJ5BZ2WDVCT3HM"', '"A":"ABCDEFGHIJKLMNOPQRSTUVWXYZ"', {})
    if match('"4YQ2LSW7PCGEXJ5BZ2WDVCT3HM"', '"ZZZZZZZZZZZZZZZZZZZZZZZZZZ"', bound) is not None:
        raise Failure("self-test: a bound id matched another id")
    if match('"ZP3QK6TTM2XWJLCAV7RUEN5B4Y"', '"ABCDEFGHIJKLMNOPQRSTUVWXYZ"', bound) is not None:
        raise Failure("self-test: two README ids bound to one real id")
    # The README with one expected value altered (a name its first output shows) must fail there.
    altered = None
    for index, example in enumerate(examples):
        if example.kind == "command" and example.expected and '"given_name":"Ada"' in example.expected[0]:
            altered = index
            break
    if altered is None:
        raise Failure("self-test: no output showing Ada to alter")
    changed = list(examples)
    original = changed[altered]
    changed[altered] = Example(
        original.kind, original.text, [original.expected[0].replace('"Ada"', '"Adb"')] + original.expected[1:],
        original.line, original.section, original.setup, original.not_run,
    )
    try:
        run_readme(changed[: altered + 1], binary, False)
    except Failure as failure:
        if original.where() not in str(failure):
            raise Failure(f"self-test: the altered README failed elsewhere: {failure}")
    else:
        raise Failure("self-test: the README with an altered output passed")
    # A command that fails where the README shows no error fails the test.
    bad = Example("command", "optimist get AAAAAAAAAAAAAAAAAAAAAAAAAA", [], 0, "self-test", None, None)
    try:
        run_readme([bad], binary, False)
    except Failure:
        pass
    else:
        raise Failure("self-test: a failing command without output passed")
    print(f"readme self-test: ok ({len(cases) + 4} checks, the altered {original.where()} fails)")


def psql(sql):
    """Runs SQL on the test server's postgres database, as its superuser."""
    server = os.environ.get("OPTIMIST_TEST_PG")
    if not server:
        raise SystemExit(
            "readme test FAILED: --engine postgresql needs OPTIMIST_TEST_PG "
            "(bash Tests/Scripts/pg-server.sh run …, as make test does)"
        )
    binaries = sorted(
        (d for d in os.listdir("/usr/lib/postgresql") if d.isdigit()), key=int
    ) if os.path.isdir("/usr/lib/postgresql") else []
    binary = f"/usr/lib/postgresql/{binaries[-1]}/bin/psql" if binaries else "psql"
    result = subprocess.run(
        [binary, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", server, "-c", sql],
        capture_output=True, text=True, timeout=60,
    )
    if result.returncode != 0:
        raise SystemExit(f"readme test FAILED: psql: {sql}: {result.stderr}")
    return server


def fresh_postgres_database():
    """A new, empty database on the test server, and its URL."""
    name = f"readme_{os.getpid()}"
    server = psql(f"CREATE DATABASE {name}")
    return name, server.replace("@/postgres?", f"@/{name}?")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bin", required=True, help="the optimist binary (optimist-serve beside it)")
    parser.add_argument("--readme", default=os.path.join(os.path.dirname(__file__), "..", "..", "README.md"))
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--self-test", action="store_true")
    parser.add_argument("-v", "--verbose", action="store_true")
    arguments = parser.parse_args()
    global ENGINE, STORE_URL
    ENGINE = arguments.engine
    database = None
    if ENGINE == "postgresql":
        database, STORE_URL = fresh_postgres_database()
    with open(arguments.readme, encoding="utf-8") as handle:
        examples = parse_readme(handle.read())
    try:
        if arguments.self_test:
            self_test(examples, arguments.bin)
            return 0
        session = run_readme(examples, arguments.bin, arguments.verbose)
    except Failure as failure:
        print(f"readme test FAILED ({ENGINE}): {failure}", file=sys.stderr)
        return 1
    finally:
        if database:
            psql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
    for line in session.not_run:
        print(f"readme test: NOT RUN: {line}")
    print(
        f"readme test ({ENGINE}): ok: {session.checked} outputs compared, {session.unchecked} commands without "
        f"output run, {session.scripts} scripts run, {len(session.not_run)} examples not run (listed above)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
