#!/usr/bin/env python3
"""`optimist serve` against hostile and slow clients, on loopback, with real sockets.

Run by `make stress` (and so by .ci/run), on SQLite and, with OPTIMIST_TEST_PG set (by
Tests/Scripts/pg-server.sh run), on PostgreSQL. Every probe is bounded in count and time;
while each runs, a request with the token must be answered (asserted answered, never timed).
Any broken promise ends the run with exit 1.

1. slow      connections trickling a head byte by byte, idle kept-alive connections, a chunked
             body that never ends, a Content-Length larger than what is sent: each is closed by
             the server (a late body answered 408), and the descriptors come back.
2. refusals  200 heads over the size limit get Square's JSON 400 and are closed (no half-closed
             connection left behind); a 401 and a 413 say `Connection: close` and close without
             reading the body (a client streaming 256 MiB is cut off after a few MiB).
3. flood     under `ulimit -n 1024`: 2,000 connections at once plus unauthenticated requests;
             the server is still alive and answering, then its descriptors and RSS come back
             near their baseline once the attackers leave.
4. shutdown  SIGTERM while connections hold half-sent bodies and writers run: exit 0 within
             --shutdown-grace (plus a margin), and every batch of writes is in the store wholly
             (every acknowledged one) or not at all.
"""

import argparse
import http.client
import json
import os
import resource
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid

SERVE = None
FAILURES = []
PG_URL = os.environ.get("OPTIMIST_TEST_PG", "")


def fail(message):
    FAILURES.append(message)
    print(f"  FAIL: {message}", flush=True)


def check(condition, message):
    if not condition:
        fail(message)
    return condition


class Server:
    """`optimist-serve serve` on a free loopback port with a known token."""

    def __init__(self, db, *options, nofile=None):
        self.token = secrets.token_hex(16)
        self.db = db
        env = {**os.environ, "OPTIMIST_TOKEN": self.token}

        def limit():
            if nofile:
                resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))

        self.err = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [SERVE, "serve", "--listen", "127.0.0.1:0", "--db", db, *options],
            stdout=subprocess.PIPE, stderr=self.err, env=env, preexec_fn=limit)
        line = self.process.stdout.readline().decode()
        if not line:
            raise SystemExit(f"serve_stress: the server did not start: {self.stderr()}")
        url = json.loads(line)["url"]
        self.port = int(url.rsplit(":", 1)[1])
        self.pid = self.process.pid

    def stderr(self):
        self.err.seek(0)
        return self.err.read().decode(errors="replace")

    def descriptors(self):
        return len(os.listdir(f"/proc/{self.pid}/fd"))

    def rss_mb(self):
        with open(f"/proc/{self.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return 0.0

    def alive(self):
        return self.process.poll() is None

    def request(self, method, path, body=None, token=True, deadline=60):
        """One request on a new connection, retried on connection errors until `deadline`
        seconds: (status, JSON body), or (None, error) when it was never answered."""
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {self.token}"
        end = time.monotonic() + deadline
        error = None
        while time.monotonic() < end:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                data = response.read()
                connection.close()
                return response.status, json.loads(data) if data else None
            except (OSError, http.client.HTTPException) as e:
                error = e
                time.sleep(0.2)
        return None, error

    def legitimate(self, what):
        """A request with the token must be answered while `what` goes on."""
        status, body = self.request("GET", "/v2/customers?limit=1")
        check(status == 200, f"{what}: a request with the token was not answered: {status} {body}")

    def stop(self, timeout=60):
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            return None


def connect(port):
    return socket.create_connection(("127.0.0.1", port), timeout=30)


def read_all(sock, limit=1 << 20):
    """Everything until the server closes (or `limit` bytes, or the socket's timeout)."""
    data = b""
    try:
        while len(data) < limit:
            chunk = sock.recv(65536)
            if not chunk:
                return data, True
            data += chunk
    except (socket.timeout, ConnectionResetError):
        pass
    return data, False


def closed_by_server(sock):
    """Whether the server has closed the connection (EOF or reset) within the socket's
    timeout."""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return True
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def status_and_json(response):
    head, _, body = response.partition(b"\r\n\r\n")
    lines = head.decode(errors="replace").split("\r\n")
    status = int(lines[0].split()[1]) if lines and len(lines[0].split()) > 1 else None
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    try:
        document = json.loads(body)
    except ValueError:
        document = None
    return status, headers, document


# The store pool opens its connections (up to 8, with a SQLite file's WAL and shm, or a
# PostgreSQL socket each) as requests come: a count of descriptors "near the baseline" allows
# for them.
STORE_DESCRIPTORS = 8 * 3


def wait_for(predicate, seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


# ----------------------------------------------------------------------------- slow

def slow_phase(db):
    print("slow: trickled heads, idle keep-alive, endless bodies", flush=True)
    server = Server(db, "--header-timeout", "2", "--idle-timeout", "2", "--body-timeout", "3")
    try:
        server.legitimate("start")
        baseline = server.descriptors()
        trickling = [connect(server.port) for _ in range(300)]
        stop = threading.Event()

        def trickle():
            head = b"GET /v2/customers HTTP/1.1\r\nHost: x\r\n"
            for i in range(len(head)):
                if stop.is_set():
                    return
                for s in trickling:
                    try:
                        s.send(head[i:i + 1])
                    except OSError:
                        pass
                time.sleep(0.5)

        trickler = threading.Thread(target=trickle)
        trickler.start()
        server.legitimate("300 trickling heads")
        for s in trickling:
            s.settimeout(15)
        closed = sum(closed_by_server(s) for s in trickling)
        stop.set()
        trickler.join()
        check(closed == len(trickling),
              f"slow: {len(trickling) - closed} of {len(trickling)} trickling connections still open")

        # Idle kept-alive connections: a request answered, then nothing.
        idle = []
        for _ in range(50):
            s = connect(server.port)
            s.sendall(b"GET /v2/customers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                      + server.token.encode() + b"\r\n\r\n")
            idle.append(s)
        server.legitimate("50 idle keep-alive connections")
        for s in idle:
            s.settimeout(15)
        answered_then_closed = 0
        for s in idle:
            data, eof = read_all(s)
            answered_then_closed += data.startswith(b"HTTP/1.1 200") and eof
        check(answered_then_closed == len(idle),
              f"slow: {len(idle) - answered_then_closed} idle keep-alive connections not closed")

        # Bodies that never end: chunked, and shorter than their Content-Length.
        bodies = []
        for i in range(100):
            s = connect(server.port)
            auth = b"Authorization: Bearer " + server.token.encode() + b"\r\n"
            if i % 2:
                s.sendall(b"POST /v2/customers HTTP/1.1\r\nHost: x\r\n" + auth
                          + b"Transfer-Encoding: chunked\r\n\r\n1\r\n{\r\n")
            else:
                s.sendall(b"POST /v2/customers HTTP/1.1\r\nHost: x\r\n" + auth
                          + b"Content-Length: 1000\r\n\r\n{\"given_name\":")
            bodies.append(s)
        server.legitimate("100 unending bodies")
        timeouts = 0
        for s in bodies:
            s.settimeout(15)
            data, eof = read_all(s)
            status, headers, document = status_and_json(data)
            timeouts += (eof and status == 408 and headers.get("connection") == "close"
                         and document["errors"][0]["code"] == "REQUEST_TIMEOUT")
        check(timeouts == len(bodies),
              f"slow: {len(bodies) - timeouts} unending bodies not answered 408 and closed")
        for s in trickling + idle + bodies:
            s.close()
        check(wait_for(lambda: server.descriptors() <= baseline + STORE_DESCRIPTORS, 15),
              f"slow: descriptors {server.descriptors()} after, {baseline} before")
        check(server.alive(), "slow: the server died")
        server.legitimate("after the slow clients")
        print(f"  {closed} trickled heads, {answered_then_closed} idle connections, {timeouts} "
              f"endless bodies closed; descriptors {baseline} -> {server.descriptors()}", flush=True)
    finally:
        check(server.stop() == 0, "slow: SIGTERM did not exit 0")


# ----------------------------------------------------------------------------- refusals

def refusals_phase(db):
    print("refusals: oversized heads, 401 and 413 bodies left unread", flush=True)
    server = Server(db)
    try:
        server.legitimate("start")
        baseline = server.descriptors()
        big = [connect(server.port) for _ in range(200)]
        for s in big:
            s.sendall(b"GET /v2/customers HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100_000
                      + b"\r\n\r\n")
        server.legitimate("200 oversized heads")
        answered = 0
        for s in big:
            data, eof = read_all(s)
            status, headers, document = status_and_json(data)
            answered += (eof and status == 400 and headers.get("connection") == "close"
                         and document["errors"][0]["code"] == "BAD_REQUEST")
            s.close()
        check(answered == len(big), f"refusals: {len(big) - answered} oversized heads not "
                                    "answered with Square's 400 and closed")
        check(wait_for(lambda: server.descriptors() <= baseline + STORE_DESCRIPTORS, 15),
              f"refusals: {server.descriptors()} descriptors after the oversized heads, "
              f"{baseline} before (half-closed connections left)")

        for token, status_wanted, code in [(False, 401, "UNAUTHORIZED"),
                                           (True, 413, "REQUEST_ENTITY_TOO_LARGE")]:
            s = connect(server.port)
            head = b"POST /v2/customers HTTP/1.1\r\nHost: x\r\nContent-Length: 268435456\r\n"
            if token:
                head += b"Authorization: Bearer " + server.token.encode() + b"\r\n"
            s.sendall(head + b"\r\n")
            sent = 0
            chunk = b"x" * 65536
            s.settimeout(10)
            try:
                while sent < 268435456:
                    sent += s.send(chunk)
            except OSError:
                pass
            data, _ = read_all(s)
            status, headers, document = status_and_json(data)
            check(status == status_wanted and headers.get("connection") == "close"
                  and document and document["errors"][0]["code"] == code,
                  f"refusals: a {status_wanted} was {status} {headers} {document}")
            check(sent < 64 << 20, f"refusals: the server read {sent >> 20} MiB of a "
                                   f"{status_wanted}'s body")
            print(f"  {status_wanted}: the client got {sent >> 20} MiB out before the close",
                  flush=True)
            s.close()
            server.legitimate(f"after a {status_wanted}")
        print(f"  {answered} oversized heads answered 400 and closed; descriptors {baseline} -> "
              f"{server.descriptors()}", flush=True)
    finally:
        check(server.stop() == 0, "refusals: SIGTERM did not exit 0")


# ----------------------------------------------------------------------------- flood

def raise_own_limit(wanted):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < wanted and os.geteuid() == 0:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, wanted))  # root may raise it
        soft, hard = wanted, wanted
    if hard != resource.RLIM_INFINITY and hard < wanted:
        raise SystemExit(f"serve_stress: this process may open {hard} descriptors; the flood "
                         f"needs {wanted} (raise the hard limit, ulimit -Hn)")
    resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def flood_phase(db, attackers):
    print(f"flood: ulimit -n 1024, {attackers} connections and unauthenticated requests",
          flush=True)
    raise_own_limit(attackers + 512)
    server = Server(db, "--header-timeout", "3", nofile=1024)
    try:
        for _ in range(20):
            server.legitimate("warm-up")
        time.sleep(1)
        base_fds, base_rss = server.descriptors(), server.rss_mb()
        sockets = []
        for _ in range(attackers):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            s.connect_ex(("127.0.0.1", server.port))
            sockets.append(s)
        refused = [0]

        def unauthenticated():
            for _ in range(25):
                status, _ = server.request("POST", "/v2/customers", body=b"{}", token=False,
                                           deadline=30)
                refused[0] += status == 401

        intruders = [threading.Thread(target=unauthenticated) for _ in range(8)]
        for t in intruders:
            t.start()
        time.sleep(3)
        check(server.alive(), f"flood: the server died: exit {server.process.poll()} "
                              f"{server.stderr()[-2000:]}")
        server.legitimate(f"{attackers} connections")
        for t in intruders:
            t.join()
        check(refused[0] == 200, f"flood: {200 - refused[0]} of 200 unauthenticated requests "
                                 "were not answered 401")
        peak_fds, peak_rss = server.descriptors(), server.rss_mb()
        for s in sockets:
            s.close()
        check(server.alive(), "flood: the server died")
        server.legitimate("after the flood")
        check(wait_for(lambda: server.descriptors() <= base_fds + STORE_DESCRIPTORS, 30),
              f"flood: {server.descriptors()} descriptors after, {base_fds} before")
        wait_for(lambda: server.rss_mb() <= base_rss + 48, 30)
        check(server.rss_mb() <= base_rss + 48,
              f"flood: RSS {server.rss_mb():.0f} MB after, {base_rss:.0f} MB before")
        print(f"  alive; descriptors {base_fds} -> {peak_fds} -> {server.descriptors()}, RSS "
              f"{base_rss:.0f} -> {peak_rss:.0f} -> {server.rss_mb():.0f} MB", flush=True)
    finally:
        check(server.stop() == 0, "flood: SIGTERM did not exit 0")


# ----------------------------------------------------------------------------- shutdown

def shutdown_phase(db, grace):
    print(f"shutdown: SIGTERM with half-sent bodies and writers, --shutdown-grace {grace}",
          flush=True)
    server = Server(db, "--shutdown-grace", str(grace), "--body-timeout", "60")
    held = []
    for _ in range(50):
        s = connect(server.port)
        s.sendall(b"POST /v2/customers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                  + server.token.encode() + b"\r\nContent-Length: 100\r\n\r\n{\"given")
        held.append(s)
    server.legitimate("50 half-sent bodies")
    acknowledged, sent = [], []
    lock = threading.Lock()
    stop = threading.Event()

    def writer(index):
        n = 0
        while not stop.is_set():
            batch = f"w{index}-{n}"
            n += 1
            objects = [{"type": "ITEM", "id": f"#{batch}-{i}",
                        "item_data": {"name": f"{batch}-{i}"}} for i in range(5)]
            body = json.dumps({"idempotency_key": str(uuid.uuid4()),
                               "batches": [{"objects": objects}]}).encode()
            with lock:
                sent.append(batch)
            status, _ = server.request("POST", "/v2/catalog/batch-upsert", body=body, deadline=1)
            if status == 200:
                with lock:
                    acknowledged.append(batch)

    writers = [threading.Thread(target=writer, args=(i,)) for i in range(4)]
    for t in writers:
        t.start()
    time.sleep(2)
    started = time.monotonic()
    server.process.send_signal(signal.SIGTERM)
    try:
        code = server.process.wait(timeout=grace + 30)
    except subprocess.TimeoutExpired:
        code = None
        server.process.kill()
        server.process.wait()
    took = time.monotonic() - started
    stop.set()
    for t in writers:
        t.join()
    for s in held:
        s.close()
    check(code == 0, f"shutdown: exit {code} after SIGTERM; {server.stderr()[-2000:]}")
    check(took < grace + 10, f"shutdown: the exit took {took:.1f} s with a grace of {grace} s")
    # What the store holds: every batch wholly or not at all, every acknowledged one wholly.
    listed = subprocess.run([SERVE, "list", "--all", "--db", db], capture_output=True,
                            text=True, timeout=120)
    check(listed.returncode == 0, f"shutdown: list --all failed: {listed.stderr}")
    names = {}
    for obj in json.loads(listed.stdout)["objects"] if listed.returncode == 0 else []:
        name = (obj.get("item_data") or {}).get("name", "")
        if "-" in name:
            batch = name.rsplit("-", 1)[0]
            names[batch] = names.get(batch, 0) + 1
    partial = {b: n for b, n in names.items() if n != 5}
    check(not partial, f"shutdown: batches partly written: {partial}")
    missing = [b for b in acknowledged if names.get(b) != 5]
    check(not missing, f"shutdown: acknowledged batches missing: {missing[:10]}")
    print(f"  exit {code} after {took:.1f} s; {len(acknowledged)} acknowledged batches all "
          f"there, {len(names)} in the store of {len(sent)} sent", flush=True)


def main():
    global SERVE
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve", required=True, help="the optimist-serve binary")
    parser.add_argument("--attackers", type=int, default=2000)
    parser.add_argument("--grace", type=float, default=3)
    parser.add_argument("--engines", default="sqlite,postgresql")
    args = parser.parse_args()
    SERVE = os.path.abspath(args.serve)
    for engine in args.engines.split(","):
        print(f"serve_stress on {engine}", flush=True)
        with tempfile.TemporaryDirectory(prefix="optimist-serve-stress-") as workdir:
            def store(name):
                if engine == "sqlite":
                    return os.path.join(workdir, name + ".db")
                if not PG_URL:
                    raise SystemExit("serve_stress: OPTIMIST_TEST_PG is not set (run it under "
                                     "Tests/Scripts/pg-server.sh run)")
                schema = f"serve_{name}_{uuid.uuid4().hex[:8]}"
                return psql_schema(schema)
            slow_phase(store("slow"))
            refusals_phase(store("refusals"))
            flood_phase(store("flood"), args.attackers)
            shutdown_phase(store("shutdown"), args.grace)
    if FAILURES:
        print(f"serve_stress: {len(FAILURES)} failures", flush=True)
        sys.exit(1)
    print("serve_stress: every check passed", flush=True)


def psql_schema(schema):
    """A new schema on the PostgreSQL test server; the URL that uses it."""
    import glob
    binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/psql")) or ["psql"]
    subprocess.run([binaries[-1], "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", PG_URL, "-c",
                    f"CREATE SCHEMA {schema}"], check=True, capture_output=True, timeout=60)
    separator = "&" if "?" in PG_URL else "?"
    return PG_URL + f"{separator}options=-csearch_path%3D{schema}"


if __name__ == "__main__":
    main()
