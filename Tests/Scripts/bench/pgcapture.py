"""The SQL an optimist-pg command sends, read back from the PostgreSQL server's statement log,
as one script psql can send: part `pg` compares optimist against psql sending exactly
optimist's statements, captured at bench time (not copied by hand, so that they follow the code).

capture() turns on log_statement = 'all' on the bench's throwaway server, runs the command once
under an application name of its own, turns logging off again (and waits until new sessions see
both), and returns the statements of that session in order, each with its parameters.
script() inlines the parameters as SQL literals and joins the statements with "; " into one
script (one simple-query message: one round trip). parse_log() and parse_parameters() are pure,
for the bench's tests.
"""

import os
import re
import subprocess
import time

APPLICATION = "optimist-bench-capture"
# Every line of a log entry starts with this (log_line_prefix); the lines a multi-line entry
# continues on start with a tab (PostgreSQL's stderr log inserts one after each newline).
MARK = "@@bench@@"
PREFIX = MARK + "%a@@%p@@ "
LINE = re.compile(re.escape(MARK) + r"(.*?)@@(\d+)@@ ([A-Z]+):  (.*)")
STATEMENT = re.compile(r"(?:execute [^:]*|statement): (.*)", re.S)
PARAMETER = re.compile(r"\$(\d+) = (?:NULL|'((?:[^']|'')*)')(, |$)", re.S)


def parse_log(text, application=APPLICATION):
    """[(sql, [parameter or None, ...]), ...]: the statements the sessions named `application`
    executed, in the log's order. An ERROR of theirs, or a parameter line without its
    statement, fails."""
    entries = []  # [application, level, text]
    for line in text.split("\n"):
        m = LINE.fullmatch(line)
        if m:
            entries.append([m.group(1), m.group(3), m.group(4)])
        elif line.startswith("\t") and entries:
            entries[-1][2] += "\n" + line[1:]
    statements = []
    for app, level, message in entries:
        if app != application:
            continue
        if level in ("ERROR", "FATAL", "PANIC") and "connection to client lost" not in message:
            raise SystemExit(f"bench: the captured command failed on the server: {message[:500]}")
        if level == "LOG":
            m = STATEMENT.fullmatch(message)
            if m:
                statements.append((m.group(1), []))
        elif level == "DETAIL" and message.startswith("parameters: "):
            if not statements or statements[-1][1]:
                raise SystemExit(f"bench: parameters without their statement in the log: {message[:300]}")
            statements[-1] = (statements[-1][0], parse_parameters(message[len("parameters: "):]))
    return statements


def parse_parameters(text):
    """`$1 = 'a''b', $2 = NULL` (the log's form: values in quotes, quotes doubled) -> ["a'b", None]."""
    values, at = [], 0
    while at < len(text):
        m = PARAMETER.match(text, at)
        if not m or int(m.group(1)) != len(values) + 1:
            raise SystemExit(f"bench: unexpected parameters in the log at {at}: {text[at:at + 200]!r}")
        values.append(None if m.group(2) is None else m.group(2).replace("''", "'"))
        at = m.end()
    return values


def literal(value):
    """A parameter's value as an SQL literal: NULL, or quoted with its quotes doubled (the server
    infers its type from where it stands, as it does for an untyped parameter)."""
    return "NULL" if value is None else "'" + value.replace("'", "''") + "'"


def inline(sql, parameters):
    """The statement with its $n replaced by the parameters' literals: every parameter used."""
    used = set()

    def value(m):
        k = int(m.group(1))
        if not 1 <= k <= len(parameters):
            raise SystemExit(f"bench: ${k} without a parameter in: {sql[:300]}")
        used.add(k)
        return literal(parameters[k - 1])
    text = re.sub(r"\$(\d+)", value, sql)
    if len(used) != len(parameters):
        raise SystemExit(f"bench: {len(parameters)} parameters, {len(used)} used, in: {sql[:300]}")
    return text


def script(statements):
    """The statements with their parameters inlined, as one script."""
    return "; ".join(inline(sql, parameters) for sql, parameters in statements)


def _settings(psql, url, statements, expected):
    """Runs the ALTER SYSTEM statements (each on its own: not in a transaction) and reloads,
    then waits until a new session sees log_statement = expected (the postmaster rereads its
    configuration when it gets to it)."""
    for sql in statements + ["SELECT pg_reload_conf()"]:
        subprocess.run(psql(url, sql), check=True, capture_output=True)
    for _ in range(200):
        shown = subprocess.run(psql(url, "SHOW log_statement"), check=True, capture_output=True, text=True)
        if shown.stdout.strip() == expected:
            return
        time.sleep(0.05)
    raise SystemExit(f"bench: log_statement did not become {expected}")


def capture(psql, url, folder, argv):
    """The statements the command argv (optimist-pg's) sends to the server of `folder` (started
    by pg-server.sh, which logs to folder/server.log), and the command's stdout."""
    log = os.path.join(folder, "server.log")
    _settings(psql, url, ["ALTER SYSTEM SET log_statement = 'all'",
                          f"ALTER SYSTEM SET log_line_prefix = '{PREFIX}'",
                          "ALTER SYSTEM SET log_parameter_max_length = -1"], "all")
    start = os.path.getsize(log)
    try:
        p = subprocess.run(argv, capture_output=True, text=True, env=dict(os.environ, PGAPPNAME=APPLICATION))
    finally:
        _settings(psql, url, [f"ALTER SYSTEM RESET {name}" for name in
                              ("log_statement", "log_line_prefix", "log_parameter_max_length")], "none")
    if p.returncode != 0:
        raise SystemExit(f"bench: {' '.join(argv[:3])}… exited {p.returncode}: {p.stderr.strip()[-500:]}")
    # Its session may still be writing to the log after the client exited (a statement whose
    # answer the client did not wait for): wait until the session has ended.
    for _ in range(200):
        left = subprocess.run(psql(url, "SELECT count(*) FROM pg_stat_activity "
                                        f"WHERE application_name = '{APPLICATION}'"),
                              check=True, capture_output=True, text=True)
        if left.stdout.strip() == "0":
            break
        time.sleep(0.05)
    else:
        raise SystemExit("bench: the captured command's session did not end")
    with open(log, "rb") as f:
        f.seek(start)
        text = f.read().decode("utf-8")
    statements = parse_log(text)
    if not statements:
        raise SystemExit(f"bench: no statement of {' '.join(argv[:2])} in {log}")
    return statements, p.stdout
