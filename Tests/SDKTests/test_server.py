"""The server's own rules: the token, limits, malformed requests, SIGTERM and SIGKILL."""

import contextlib
import glob
import http.client
import json
import os
import signal
import socket
import sqlite3
import subprocess
import threading
import time
import uuid
from urllib.parse import urlparse

from square.core.api_error import ApiError

from conftest import ENGINE, Server, api_error, codes


def raw(server, method, path, body=None, token=None, headers=None):
    """One request without the SDK: (status, parsed JSON body)."""
    address = urlparse(server.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
    sent = dict(headers or {})
    if token is not False:
        sent["Authorization"] = f"Bearer {server.token if token is None else token}"
    connection.request(method, path, body=body, headers=sent)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, json.loads(data)


def test_a_bad_or_missing_token_is_401_and_changes_nothing(server, store):
    client = server.client()
    customer = client.customers.create(given_name="Ada").customer
    before = store.snapshot()
    intruder = server.client(token="not-the-token")
    refused = api_error(lambda: intruder.customers.update(customer_id=customer.id, note="owned"))
    assert refused.status_code == 401 and codes(refused) == ["UNAUTHORIZED"]
    assert refused.body["errors"][0]["category"] == "AUTHENTICATION_ERROR"
    assert api_error(lambda: intruder.customers.create(given_name="Eve")).status_code == 401
    assert api_error(lambda: intruder.customers.get(customer_id=customer.id)).status_code == 401
    for token in [False, server.token[:-1], server.token + "x", ""]:
        status, body = raw(server, "DELETE", f"/v2/customers/{customer.id}", token=token)
        assert status == 401 and body["errors"][0]["code"] == "UNAUTHORIZED"
    assert raw(server, "GET", "/v2/customers", token=False, headers={"Authorization": "Basic " + server.token})[0] == 401
    assert store.snapshot() == before
    assert "owned" not in json.dumps(store.snapshot())


def test_the_token_never_appears_in_logs_or_errors(server):
    raw(server, "GET", "/v2/customers", token="wrong-" + server.token)
    raw(server, "POST", "/v2/customers", body=b"{", token=None)
    assert server.token not in server.log()


def test_a_generated_token_is_printed_once_on_stdout(store):
    started = Server(store, token=False)
    try:
        token = started.ready["token"]
        assert len(token) == 64 and int(token, 16) >= 0
        assert started.client().customers.list() is not None
        assert token not in started.log()
    finally:
        assert started.stop() == 0


def test_limits_and_malformed_requests_get_square_errors(server, store):
    status, body = raw(server, "POST", "/v2/customers", body=b'{"given_name":')
    assert status == 400 and body["errors"][0]["code"] == "EXPECTED_JSON_BODY"
    status, body = raw(server, "POST", "/v2/customers", body=b"[1,2]")
    assert status == 400 and body["errors"][0]["code"] == "EXPECTED_JSON_BODY"
    status, body = raw(server, "POST", "/v2/customers", body=b"[" * 100000)
    assert status == 400 and body["errors"][0]["code"] == "EXPECTED_JSON_BODY"
    status, body = raw(server, "POST", "/v2/customers", body=b'{"given_name":7}')
    assert status == 400 and body["errors"][0] == {
        "category": "INVALID_REQUEST_ERROR", "code": "EXPECTED_STRING",
        "detail": "`given_name` must be a string, not a number.", "field": "given_name"}
    status, body = raw(server, "POST", "/v2/customers", body=b'{"given_name":"\xff"}')
    assert status == 400
    big = b'{"given_name":"' + b"a" * (1 << 20) + b'"}'
    status, body = raw(server, "POST", "/v2/customers", body=big)
    assert status == 413 and body["errors"][0]["code"] == "REQUEST_ENTITY_TOO_LARGE"
    status, body = raw(server, "GET", "/v2/nothing/here")
    assert status == 404 and body["errors"][0]["code"] == "NOT_FOUND"
    status, body = raw(server, "PATCH", "/v2/customers/ABC")
    assert status == 405 and body["errors"][0]["code"] == "METHOD_NOT_ALLOWED"
    status, body = raw(server, "POST", "/v2/customers", body=b'{"' + b"k" * (1 << 19) + b'":1}')
    assert status == 400 and body["errors"][0]["code"] == "UNKNOWN_BODY_PARAMETER"
    assert len(json.dumps(body)) < 2000 and len(body["errors"][0]["field"]) <= 201
    status, body = raw(server, "GET", "/v2/" + "p" * 50000)
    assert status == 404 and len(json.dumps(body)) < 2000
    for method, path in [("POST", "/v2/payments"), ("PUT", "/v2/customers/ABC"), ("POST", "/v2/refunds")]:
        status, body = raw(server, method, path, body=b"")
        assert status == 400 and body["errors"][0]["code"] == "EXPECTED_JSON_BODY", (method, path, body)
    status, body = raw(server, "GET", "/v2/customers?colour=red")
    assert status == 400 and body["errors"][0]["code"] == "UNKNOWN_QUERY_PARAMETER"
    status, body = raw(server, "GET", "/v2/customers?limit=0")
    assert status == 400 and body["errors"][0]["field"] == "limit"
    assert store.snapshot() == {"objects": []}
    # Still serving.
    assert server.client().customers.create(given_name="Still here").customer.version == 0


def test_sigterm_finishes_requests_in_flight_and_exits_0(store):
    started = Server(store)
    acknowledged = []
    errors = []
    stop = threading.Event()

    def work():
        client = started.client()
        while not stop.is_set():
            try:
                acknowledged.append(client.customers.create(given_name="T").customer.id)
            except ApiError as error:
                errors.append(error)
                return
            except Exception:  # the server has closed: connection refused or reset
                return

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    while len(acknowledged) < 40:
        time.sleep(0.01)
    code = started.stop()
    stop.set()
    for thread in threads:
        thread.join(60)
    assert code == 0, started.log()
    assert errors == []
    stored = {o["id"] for o in store.snapshot()["objects"]}
    assert set(acknowledged) <= stored


def test_sigkill_mid_load_loses_no_acknowledged_write(store):
    started = Server(store)
    customers = [started.client().customers.create(given_name=f"K{n}").customer.id for n in range(4)]
    acknowledged_payments = {}
    acknowledged_versions = {}
    lock = threading.Lock()
    stop = threading.Event()

    def pay():
        client = started.client()
        while not stop.is_set():
            key = str(uuid.uuid4())
            try:
                payment = client.payments.create(
                    source_id="cnon:ok", idempotency_key=key, amount_money={"amount": 100, "currency": "USD"}).payment
            except Exception:
                return
            with lock:
                acknowledged_payments[key] = payment.id

    def update(customer_id):
        client = started.client()
        while not stop.is_set():
            try:
                current = client.customers.get(customer_id=customer_id).customer
                updated = client.customers.update(customer_id=customer_id, version=current.version,
                                                  note=f"v{current.version + 1}").customer
            except ApiError as error:
                if error.status_code == 400:
                    continue
                return
            except Exception:
                return
            with lock:
                acknowledged_versions[customer_id] = max(acknowledged_versions.get(customer_id, -1), updated.version)

    threads = [threading.Thread(target=pay) for _ in range(4)]
    threads += [threading.Thread(target=update, args=(c,)) for c in customers]
    for thread in threads:
        thread.start()
    while len(acknowledged_payments) < 30 or len(acknowledged_versions) < len(customers):
        time.sleep(0.01)
    started.kill()
    stop.set()
    for thread in threads:
        thread.join(120)

    again = Server(store)
    try:
        client = again.client()
        for key, payment_id in acknowledged_payments.items():
            replay = client.payments.create(
                source_id="cnon:ok", idempotency_key=key, amount_money={"amount": 100, "currency": "USD"}).payment
            assert replay.id == payment_id
        for customer_id, version in acknowledged_versions.items():
            assert client.customers.get(customer_id=customer_id).customer.version >= version
        payments = [o for o in store.snapshot()["objects"] if "amount_money" in o]
        assert len(payments) >= len(acknowledged_payments)
    finally:
        assert again.stop() == 0
    store.cli("doctor")


class HeldLock:
    """Another client holding the write lock on the store: SQLite's (BEGIN IMMEDIATE), or on
    PostgreSQL the customers table (LOCK TABLE … EXCLUSIVE, through psql). With `readers`, a
    lock that keeps readers out too: the whole SQLite file (EXCLUSIVE, in exclusive locking
    mode, which WAL readers also wait for), the table in ACCESS EXCLUSIVE mode."""

    def __init__(self, store, readers=False):
        self.store = store
        if ENGINE == "sqlite":
            self.connection = sqlite3.connect(store.location, isolation_level=None, timeout=30)
            if readers:
                self.connection.execute("PRAGMA locking_mode = EXCLUSIVE")
                self.connection.execute("BEGIN EXCLUSIVE")
                self.connection.execute("UPDATE customers SET note = note WHERE 0")
            else:
                self.connection.execute("BEGIN IMMEDIATE")
        else:
            binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/psql")) or ["psql"]
            self.psql = subprocess.Popen(
                [binaries[-1], "-X", "-q", "-At", "-d", store.location], stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, text=True)
            mode = "ACCESS EXCLUSIVE" if readers else "EXCLUSIVE"
            self.psql.stdin.write(f"BEGIN; LOCK TABLE customers IN {mode} MODE;\n\\echo locked\n")
            self.psql.stdin.flush()
            assert self.psql.stdout.readline().strip() == "locked"

    def release(self):
        if ENGINE == "sqlite":
            self.connection.rollback()
            self.connection.close()
        else:
            self.psql.stdin.write("ROLLBACK;\n")
            self.psql.stdin.close()
            assert self.psql.wait(timeout=60) == 0


def test_sigterm_waits_for_a_request_that_waits_for_a_lock(store):
    started = Server(store)
    client = started.client()
    customer = client.customers.create(given_name="Locked").customer
    lock = HeldLock(store)
    answers = []
    request = threading.Thread(target=lambda: answers.append(
        client.customers.update(customer_id=customer.id, version=0, note="in flight").customer))
    request.start()
    time.sleep(1)                      # the update is in flight, waiting for the lock
    assert answers == []
    started.process.send_signal(signal.SIGTERM)
    time.sleep(1)
    assert started.process.poll() is None, "the server exited with a request in flight"
    lock.release()
    request.join(60)
    assert [a.version for a in answers] == [1]
    assert started.stop() == 0
    _, got, _ = store.cli("get", customer.id)
    assert got["note"] == "in flight" and got["version"] == 1


def test_a_read_that_waits_for_a_lock_holds_up_no_other_request(store):
    # A read first runs on the event loop that received it (SQLite), on a connection that never
    # waits: one that would wait goes to the store workers. Either way no loop waits, so every
    # other connection is answered while the read waits for the lock, and the read is
    # answered once the lock goes.
    # A lock timeout longer than a raw exchange waits (30 s): a loop that waited for the lock
    # would leave a connection unanswered.
    started = Server(store, options=("--timeout", "120"))
    client = started.client()
    customer = client.customers.create(given_name="Held").customer
    lock = HeldLock(store, readers=True)
    _, _, err = store.cli("get", customer.id, "--timeout", "0", expect=75)
    assert "TEMPORARY_ERROR" in err, "the lock keeps readers out"
    answers = []
    reader = threading.Thread(target=lambda: answers.append(
        client.customers.get(customer_id=customer.id).customer))
    reader.start()
    time.sleep(1)                      # the read is in flight, waiting for the lock
    auth = f"Authorization: Bearer {started.token}\r\n".encode()
    for _ in range(8):                 # new connections, spread over every event loop
        status, _, body, closed = exchange(started, b"GET /v2/events/types HTTP/1.0\r\n" + auth + b"\r\n")
        assert status == 200 and "event_types" in body and closed
    assert answers == [], "the read waited for the lock"
    lock.release()
    reader.join(60)
    assert [a.id for a in answers] == [customer.id]
    assert started.stop() == 0


def test_a_server_that_has_answered_holds_no_transaction_open(store):
    # Between requests the server's connections hold nothing: on PostgreSQL a read's COMMIT
    # waits for the next statement, and a worker with no work sends it (StoreEngine.idle), so
    # no connection sits "idle in transaction" holding a snapshot; on SQLite every read ends
    # with its COMMIT, so another program takes the whole file at once.
    started = Server(store)
    client = started.client()
    customer = client.customers.create(given_name="Idle").customer
    for _ in range(20):
        assert client.customers.get(customer_id=customer.id).customer.id == customer.id
    if ENGINE == "sqlite":
        with contextlib.closing(sqlite3.connect(store.location, isolation_level=None, timeout=0)) as db:
            db.execute("BEGIN EXCLUSIVE")
            db.rollback()
    else:
        binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/psql")) or ["psql"]
        query = ("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'optimist' "
                 "AND state LIKE 'idle in transaction%'")
        deadline = time.monotonic() + 30
        while True:
            open_ = int(subprocess.run([binaries[-1], "-X", "-q", "-At", "-d", store.location, "-c", query],
                                       capture_output=True, text=True, check=True).stdout.strip())
            if open_ == 0 or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert open_ == 0, "connections left idle in transaction"
    assert started.stop() == 0


def exchange(server, data, timeout=30):
    """Sends raw bytes on a new connection; returns (status, headers, JSON body, closed): what
    came back until the server closed the connection (closed False: it stayed open)."""
    address = urlparse(server.url)
    sock = socket.create_connection((address.hostname, address.port), timeout=timeout)
    sock.sendall(data)
    received, closed = b"", False
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                closed = True
                break
            received += chunk
    except ConnectionResetError:
        closed = True
    except socket.timeout:
        pass
    sock.close()
    head, _, body = received.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, json.loads(body), closed


def test_connections_follow_http_rules(server):
    """Raw HTTP: each answer is Square's JSON, and the connection closes when it must."""
    auth = f"Authorization: Bearer {server.token}\r\n".encode()
    # Malformed HTTP: Square's 400, then the connection closes.
    status, headers, body, closed = exchange(server, b"NOT HTTP AT ALL\r\n\r\n")
    assert status == 400 and body["errors"][0]["code"] == "BAD_REQUEST" and closed
    assert headers["connection"] == "close"
    # A head over the limit: the same.
    status, _, body, closed = exchange(server, b"GET /v2/customers HTTP/1.1\r\nX: " + b"a" * 100000 + b"\r\n\r\n")
    assert status == 400 and body["errors"][0]["code"] == "BAD_REQUEST" and closed
    # HTTP/1.0 without keep-alive: answered, then closed (a client reading until the end ends).
    status, headers, body, closed = exchange(server, b"GET /v2/customers HTTP/1.0\r\n" + auth + b"\r\n", timeout=10)
    assert status == 200 and body == {"customers": []} and closed
    # A 401 says Connection: close and closes, its body unread.
    status, headers, body, closed = exchange(
        server, b"POST /v2/customers HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n{", timeout=10)
    assert status == 401 and headers["connection"] == "close" and closed
    # A 413 from its Content-Length: the same.
    status, headers, body, closed = exchange(
        server, b"POST /v2/customers HTTP/1.1\r\nHost: x\r\n" + auth + b"Content-Length: 2000000\r\n\r\n{", timeout=10)
    assert status == 413 and headers["connection"] == "close" and closed
    # A 405 names what the path takes.
    status, headers, body, _ = exchange(server, b"PATCH /v2/customers HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + auth + b"\r\n")
    assert status == 405 and headers["allow"] == "POST, GET"
    assert server.client().customers.create(given_name="Still here").customer.version == 0


def test_expect_100_continue_is_answered_only_when_the_body_will_be_read(server):
    """A client that waits for 100 Continue (curl does, for bodies over 1 KiB) gets it at
    once, sends its body, then gets the answer; a refused one gets its final answer instead
    and never sends the body; an HTTP/1.0 client gets no 100."""
    address = urlparse(server.url)
    body = json.dumps({"given_name": "Continued", "note": "x" * 400}).encode()

    def head_then_wait(head):
        sock = socket.create_connection((address.hostname, address.port), timeout=10)
        sock.sendall(head)
        return sock, sock.recv(65536)

    auth = f"Authorization: Bearer {server.token}\r\n".encode()
    head = (b"POST /v2/customers HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Expect: 100-continue\r\nContent-Length: " + str(len(body)).encode() + b"\r\n")
    sock, first = head_then_wait(head + auth + b"\r\n")
    assert first == b"HTTP/1.1 100 Continue\r\n\r\n"
    sock.sendall(body)
    answer = b""
    while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
        answer += sock.recv(65536)
    sock.close()
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line == b"HTTP/1.1 200 OK", answer
    created = json.loads(rest.partition(b"\r\n\r\n")[2])["customer"]
    assert created["given_name"] == "Continued" and created["version"] == 0
    # A wrong token: the 401 comes instead of the 100, and the connection closes.
    sock, first = head_then_wait(head + b"Authorization: Bearer wrong\r\n\r\n")
    sock.close()
    assert first.startswith(b"HTTP/1.1 401 ") and b"100 Continue" not in first
    # HTTP/1.0 knows no 100: the server waits for the body and answers once.
    head10 = head.replace(b"HTTP/1.1", b"HTTP/1.0")
    sock = socket.create_connection((address.hostname, address.port), timeout=10)
    sock.sendall(head10 + auth + b"\r\n")
    sock.settimeout(1)
    try:
        early = sock.recv(65536)
    except socket.timeout:
        early = b""
    assert early == b""
    sock.settimeout(10)
    sock.sendall(body)
    answer = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            break
        answer += chunk
    sock.close()
    assert answer.startswith(b"HTTP/1.0 200 OK") and b"100 Continue" not in answer


def test_a_port_in_use_is_exit_1_naming_the_address(server, store):
    port = urlparse(server.url).port
    done = subprocess.run(
        [os.environ.get("OPTIMIST_BIN"), "serve", "--listen", f"127.0.0.1:{port}", "--db", store.location],
        capture_output=True, text=True, timeout=60, env={**os.environ, "OPTIMIST_TOKEN": "t", "HOME": store.folder})
    assert done.returncode == 1 and done.stdout == ""
    error = json.loads(done.stderr)["errors"][0]
    assert error["detail"] == f"cannot listen on 127.0.0.1:{port}: address already in use"


def test_slow_clients_are_closed_at_their_timeouts(store):
    """A head, a body and a kept-alive connection each get their --*-timeout, then are closed;
    a request with the token is answered meanwhile."""
    started = Server(store, options=["--header-timeout", "1", "--body-timeout", "1", "--idle-timeout", "1"])
    try:
        address = urlparse(started.url)
        auth = f"Authorization: Bearer {started.token}\r\n".encode()
        half_head = socket.create_connection((address.hostname, address.port), timeout=30)
        half_head.sendall(b"GET /v2/customers HTTP/1.1\r\nHost: x\r\n")
        half_body = socket.create_connection((address.hostname, address.port), timeout=30)
        half_body.sendall(b"POST /v2/customers HTTP/1.1\r\nHost: x\r\n" + auth + b"Content-Length: 50\r\n\r\n{")
        kept = socket.create_connection((address.hostname, address.port), timeout=30)
        kept.sendall(b"GET /v2/customers HTTP/1.1\r\nHost: x\r\n" + auth + b"\r\n")
        assert started.client().customers.create(given_name="Meanwhile").customer.version == 0

        def rest(sock):
            data = b""
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    return data
                data += chunk

        assert rest(half_head) == b""                        # closed, nothing said
        answer = rest(half_body)                             # 408, then closed
        assert answer.startswith(b"HTTP/1.1 408") and b'"code":"REQUEST_TIMEOUT"' in answer
        assert rest(kept).startswith(b"HTTP/1.1 200")        # answered, then closed when idle
    finally:
        assert started.stop() == 0
