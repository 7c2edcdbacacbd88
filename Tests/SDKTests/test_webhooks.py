"""Events and webhooks through Square's SDK: subscriptions, signed deliveries checked with the
SDK's own `verify_signature`, retries, a SIGKILLed server, and SearchEvents paging."""

import contextlib
import http.server
import json
import socket
import sqlite3
import ssl
import subprocess
import threading
import time
import uuid

import pytest
from square.utils.webhooks_helper import verify_signature

from conftest import Server, Store, api_error, codes, psql

# Square's schedule shrunk 1000 times: a minute is 60 ms.
FAST = {"OPTIMIST_WEBHOOK_RETRY_SCALE": "0.001"}


class Receiver:
    """A webhook endpoint on loopback recording every POST; it answers 500 to an event's
    first `failures` attempts (and to every one while `refusing`), 200 after. Given `tls`
    (a certificate file and its key), it speaks https, and `url` names `host`."""

    def __init__(self, failures=0, tls=None, host="127.0.0.1"):
        self.failures = failures
        self.refusing = False
        self.lock = threading.Lock()
        self.requests = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                event_id = json.loads(body)["event_id"]
                with receiver.lock:
                    seen = sum(1 for r in receiver.requests if r["event_id"] == event_id)
                    ok = seen >= receiver.failures and not receiver.refusing
                    receiver.requests.append({
                        "event_id": event_id, "body": body, "ok": ok,
                        "headers": {k.lower(): v for k, v in self.headers.items()}})
                self.send_response(200 if ok else 500)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        scheme = "http"
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            # A client that refuses the certificate fails the handshake in accept(), an
            # OSError the server ignores: no request is recorded.
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
            scheme = "https"
        self.url = f"{scheme}://{host}:{self.server.server_address[1]}/hooks/square"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def delivered(self):
        """The event ids answered 200, in the order they came."""
        with self.lock:
            return [r["event_id"] for r in self.requests if r["ok"]]

    def all(self):
        with self.lock:
            return list(self.requests)

    def wait_for(self, condition, what, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.05)
        pytest.fail(f"timed out waiting for {what}; received {self.all()}")

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def certificate(folder, name, alt_names):
    """A self-signed certificate for `alt_names` (subjectAltName), made by openssl in
    `folder`: (certificate file, key file)."""
    cert, key = folder / f"{name}.pem", folder / f"{name}.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=localhost", "-addext", f"subjectAltName={alt_names}",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60)
    return str(cert), str(key)


@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tls")
    return {
        "localhost": certificate(folder, "localhost", "DNS:localhost,IP:127.0.0.1"),
        "stranger": certificate(folder, "stranger", "DNS:localhost,IP:127.0.0.1"),
        "elsewhere": certificate(folder, "elsewhere", "DNS:elsewhere.example"),
    }


@pytest.fixture
def receiver():
    made = Receiver()
    yield made
    made.close()


@pytest.fixture
def fast_server(store):
    started = Server(store, extra_env=FAST)
    yield started
    if started.process.poll() is None:
        assert started.stop() == 0, started.log()


def feed_ids(store):
    """The event ids of the whole feed, oldest first (`optimist events`)."""
    ids, cursor = [], None
    while True:
        page = store.cli("events", "--limit", "1000", *(["--after", cursor] if cursor else []))[1]
        if not page["events"]:
            return ids
        ids += [e["event_id"] for e in page["events"]]
        cursor = page["cursor"]


def subscribe(client, url, types=None):
    return client.webhooks.subscriptions.create(
        idempotency_key=f"sub-{time.monotonic_ns()}",
        subscription={
            "name": "CI handler", "notification_url": url,
            "event_types": types or ["customer.created", "customer.updated", "payment.created",
                                     "payment.updated", "refund.created"]}).subscription


def test_every_delivery_verifies_with_the_sdk(store, fast_server, receiver):
    client = fast_server.client()
    subscription = subscribe(client, receiver.url)
    assert subscription.signature_key and subscription.enabled
    customer = client.customers.create(given_name="Ada").customer
    client.customers.update(customer.id, version=0, note="VIP")
    payment = client.payments.create(
        idempotency_key="p1", source_id="cnon:card-nonce-ok", autocomplete=False,
        amount_money={"amount": 500, "currency": "USD"}).payment
    client.payments.complete(payment.id)
    # A CLI process writing the same store: the server follows the feed.
    store.cli("create-customer", "--given-name", "Bob")
    expected = feed_ids(store)
    assert len(expected) == 5
    receiver.wait_for(lambda: sorted(receiver.delivered()) == sorted(expected), "every event")
    for request in receiver.all():
        headers = request["headers"]
        assert verify_signature(
            request_body=request["body"], signature_header=headers["x-square-hmacsha256-signature"],
            signature_key=subscription.signature_key, notification_url=receiver.url)
        assert not verify_signature(
            request_body=request["body"] + " ", signature_header=headers["x-square-hmacsha256-signature"],
            signature_key=subscription.signature_key, notification_url=receiver.url)
        assert headers["square-environment"] == "Sandbox"
        assert headers["square-retry-number"] == "0"
        assert headers["square-initial-delivery-timestamp"].endswith("Z")
    assert len(receiver.all()) == 5, "each event once"


def test_a_failing_receiver_gets_the_third_attempt_with_the_same_event(store, fast_server):
    receiver = Receiver(failures=2)
    try:
        client = fast_server.client()
        subscribe(client, receiver.url, ["customer.created"])
        client.customers.create(given_name="Ada")
        receiver.wait_for(lambda: receiver.delivered(), "the third attempt")
        attempts = receiver.all()
        assert [a["ok"] for a in attempts] == [False, False, True]
        assert [a["headers"]["square-retry-number"] for a in attempts] == ["0", "1", "2"]
        assert len({a["event_id"] for a in attempts}) == 1
        assert len({a["body"] for a in attempts}) == 1
        assert len({a["headers"]["square-initial-delivery-timestamp"] for a in attempts}) == 1
        # Each failed attempt is one line in the server's log, naming the host, not the path.
        origin = receiver.url.rsplit("/hooks/", 1)[0]
        log = fast_server.log()
        for number in (1, 2):
            assert f"webhook delivery to {origin} (subscription " in log, log
            assert f"answered HTTP 500, attempt {number}; retried at " in log, log
        assert "attempt 3" not in log and "/hooks/square" not in log, log
    finally:
        receiver.close()


def test_a_receiver_that_is_not_listening_is_retried_with_the_reason_in_the_log(store, fast_server):
    # A port nobody listens on: every attempt is refused, logged, and retried.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    subscribe(fast_server.client(), f"http://127.0.0.1:{port}/hooks/secret-path?token=s3cret",
              ["customer.created"])
    store.cli("create-customer", "--given-name", "Ada")
    # One line per attempt: the receiver, why there was no answer, the attempt, what next.
    refused = "): cannot connect: Connection refused, attempt "
    deadline = time.monotonic() + 60
    while fast_server.log().count(refused) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    log = fast_server.log()
    lines = [line for line in log.splitlines() if refused in line]
    assert len(lines) >= 2, log
    assert all(line.startswith(f"optimist-serve: webhook delivery to http://127.0.0.1:{port} (subscription ")
               for line in lines), log
    assert f"{refused}1; retried at " in log and f"{refused}2; " in log, log
    assert log.count(f"127.0.0.1:{port}") == len(lines), "no second line per attempt: " + log
    assert "secret-path" not in log and "s3cret" not in log, log


def test_a_server_killed_with_deliveries_pending_delivers_them_after_restart(store, receiver):
    receiver.refusing = True
    first = Server(store, extra_env=FAST)
    client = first.client()
    subscribe(client, receiver.url, ["customer.created"])
    for n in range(5):
        client.customers.create(given_name=f"C{n}")
    expected = feed_ids(store)
    receiver.wait_for(lambda: len({r["event_id"] for r in receiver.all()}) == 5, "first attempts")
    first.kill()
    receiver.refusing = False
    second = Server(store, extra_env=FAST)
    try:
        receiver.wait_for(lambda: sorted(set(receiver.delivered())) == sorted(expected),
                          "every event after the restart")
    finally:
        assert second.stop() == 0, second.log()


def test_subscriptions_are_managed_as_square_does(store, fast_server, receiver):
    client = fast_server.client()
    created = subscribe(client, receiver.url, ["customer.created"])
    got = client.webhooks.subscriptions.get(created.id).subscription
    assert got.notification_url == receiver.url and got.event_types == ["customer.created"]
    assert got.signature_key is None, "the key is shown when made, not on every read"
    updated = client.webhooks.subscriptions.update(
        created.id, subscription={"enabled": False, "name": "off"}).subscription
    assert updated.enabled is False and updated.name == "off"
    assert [s.id for s in client.webhooks.subscriptions.list()] == []
    assert [s.id for s in client.webhooks.subscriptions.list(include_disabled=True)] == [created.id]
    client.webhooks.subscriptions.update(created.id, subscription={"enabled": True})
    key = client.webhooks.subscriptions.update_signature_key(
        created.id, idempotency_key="rotate").signature_key
    assert key and key != created.signature_key
    tested = client.webhooks.subscriptions.test(
        created.id, event_type="customer.created").subscription_test_result
    assert tested.status_code == 200
    test_request = receiver.all()[-1]
    assert verify_signature(
        request_body=test_request["body"],
        signature_header=test_request["headers"]["x-square-hmacsha256-signature"],
        signature_key=key, notification_url=receiver.url)
    bad = api_error(lambda: client.webhooks.subscriptions.create(subscription={
        "notification_url": "ftp://example.com/", "event_types": ["customer.created"]}))
    assert bad.status_code == 400 and codes(bad) == ["INVALID_VALUE"]
    bad = api_error(lambda: client.webhooks.subscriptions.create(subscription={
        "notification_url": receiver.url, "event_types": ["customer.exploded"]}))
    assert bad.status_code == 400 and codes(bad) == ["INVALID_VALUE"]
    client.webhooks.subscriptions.delete(created.id)
    missing = api_error(lambda: client.webhooks.subscriptions.get(created.id))
    assert missing.status_code == 404


def test_search_events_pages_through_the_feed(store, fast_server):
    client = fast_server.client()
    for n in range(7):
        client.customers.create(given_name=f"C{n}")
    client.catalog.object.upsert(
        idempotency_key="i1",
        object={"type": "ITEM", "id": "#tea", "item_data": {"name": "Tea"}})
    everything = feed_ids(store)
    assert len(everything) == 8

    def pages(**query):
        seen, cursor, count = [], None, 0
        while True:
            page = client.events.search_events(limit=3, cursor=cursor, **query)
            seen += [e.event_id for e in page.events or []]
            count += 1
            cursor = page.cursor
            if not cursor:
                return seen, count

    newest_first, count = pages()
    assert newest_first == list(reversed(everything)) and count == 3
    oldest_first, _ = pages(query={"sort": {"sort_field": "DEFAULT", "order": "ASC"}})
    assert oldest_first == everything
    only, _ = pages(query={"filter": {"event_types": ["catalog.version.updated"]}})
    assert only == everything[-1:]
    types = client.events.list_event_types().event_types
    assert "customer.created" in types and "payment.updated" in types


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1"])
def test_an_https_receiver_whose_certificate_is_trusted_gets_verified_deliveries(
        store, certificates, host):
    # SSL_CERT_FILE: the server trusts the receiver's own certificate, as a CI job would.
    cert, key = certificates["localhost"]
    receiver = Receiver(tls=(cert, key), host=host)
    server = Server(store, extra_env={**FAST, "SSL_CERT_FILE": cert})
    try:
        client = server.client()
        subscription = subscribe(client, receiver.url, ["customer.created"])
        assert receiver.url.startswith("https://")
        client.customers.create(given_name="Ada")
        store.cli("create-customer", "--given-name", "Bob")
        expected = feed_ids(store)
        receiver.wait_for(lambda: sorted(receiver.delivered()) == sorted(expected), "both events")
        for request in receiver.all():
            assert verify_signature(
                request_body=request["body"],
                signature_header=request["headers"]["x-square-hmacsha256-signature"],
                signature_key=subscription.signature_key, notification_url=receiver.url)
            assert request["headers"]["square-retry-number"] == "0"
        assert len(receiver.all()) == 2, "each event once"
        # The subscription's test event goes the same way.
        tested = client.webhooks.subscriptions.test(
            subscription.id, event_type="customer.created").subscription_test_result
        assert tested.status_code == 200 and len(receiver.all()) == 3
        assert "TLS" not in server.log(), "no attempt failed"
    finally:
        receiver.close()
        assert server.stop() == 0, server.log()


@pytest.mark.parametrize("certificate_name, trusted, reason", [
    ("stranger", "localhost", "certificate verify failed: self-signed certificate"),
    ("elsewhere", "elsewhere", "certificate verify failed: IP address mismatch"),
])
def test_an_https_receiver_that_fails_verification_gets_nothing_and_is_retried(
        store, certificates, certificate_name, trusted, reason):
    # The receiver shows a certificate the server does not trust (another self-signed one),
    # or a trusted one that names another host: the handshake fails, the attempt is retried.
    receiver = Receiver(tls=certificates[certificate_name])
    server = Server(store, extra_env={**FAST, "SSL_CERT_FILE": certificates[trusted][0]})
    try:
        client = server.client()
        subscribe(client, receiver.url, ["customer.created"])
        client.customers.create(given_name="Ada")
        peer = receiver.url.split("/")[2]
        line = f"): TLS: {reason}"
        deadline = time.monotonic() + 60
        while server.log().count(line) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.log().count(line) >= 3, server.log()
        assert all(entry.startswith(f"optimist-serve: webhook delivery to https://{peer} (subscription ")
                   for entry in server.log().splitlines() if line in entry), server.log()
        assert receiver.all() == [], "no request completed"
        assert "/hooks/square" not in server.log(), "the log names the host, not the path"
    finally:
        receiver.close()
        assert server.stop() == 0, server.log()


def test_an_https_url_whose_receiver_speaks_plain_http_fails_the_handshake_and_is_retried(
        store, receiver):
    url = receiver.url.replace("http://", "https://")
    server = Server(store, extra_env=FAST)
    try:
        client = server.client()
        subscribe(client, url, ["customer.created"])
        client.customers.create(given_name="Ada")
        line = f"webhook delivery to https://{url.split('/')[2]} (subscription "
        deadline = time.monotonic() + 60
        while server.log().count(line) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.log().count(line) >= 3, server.log()
        assert all("): TLS: handshake failed" in entry and ", attempt " in entry
                   for entry in server.log().splitlines() if line in entry), server.log()
        assert receiver.all() == [], "the handshake is no POST"
    finally:
        assert server.stop() == 0, server.log()


# ------------------------------------------------------------------ the webhook tables
WEBHOOK_TABLES = ["webhook_deliveries", "webhook_feed", "webhook_subscriptions"]

# Schema/006_webhooks.sql as development builds ran it on every store (the tables are now made
# with the first subscription): such a store keeps them.
DEVELOPMENT_MIGRATION_6 = {
    "sqlite": """
CREATE TABLE webhook_subscriptions (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, name TEXT, enabled INTEGER NOT NULL,
  event_types TEXT NOT NULL, notification_url TEXT NOT NULL, api_version TEXT NOT NULL,
  signature_key TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
  after_seq INTEGER NOT NULL);
CREATE TABLE webhook_feed (position INTEGER NOT NULL);
INSERT INTO webhook_feed (position) VALUES (0);
CREATE TABLE webhook_deliveries (
  subscription_id TEXT NOT NULL, event_seq INTEGER NOT NULL, state TEXT NOT NULL,
  attempts INTEGER NOT NULL, first_attempt_at INTEGER, next_attempt_at INTEGER NOT NULL,
  PRIMARY KEY (subscription_id, event_seq)) WITHOUT ROWID;
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at);
""",
    "postgresql": """
CREATE TABLE webhook_subscriptions (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, id TEXT NOT NULL UNIQUE, name TEXT,
  enabled BIGINT NOT NULL, event_types TEXT NOT NULL, notification_url TEXT NOT NULL,
  api_version TEXT NOT NULL, signature_key TEXT NOT NULL, created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL, after_seq BIGINT NOT NULL);
CREATE TABLE webhook_feed (position BIGINT NOT NULL);
INSERT INTO webhook_feed (position) VALUES (0);
CREATE TABLE webhook_deliveries (
  subscription_id TEXT NOT NULL, event_seq BIGINT NOT NULL, state TEXT NOT NULL,
  attempts BIGINT NOT NULL, first_attempt_at BIGINT, next_attempt_at BIGINT NOT NULL,
  PRIMARY KEY (subscription_id, event_seq));
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at);
""",
}


def run_sql(store, script):
    """Runs SQL on the store itself (its PostgreSQL schema, or its SQLite file)."""
    if store.schema:
        return psql(f"SET search_path TO {store.schema}; {script}")
    with contextlib.closing(sqlite3.connect(store.location, isolation_level=None)) as db:
        db.executescript(script)


def webhook_tables(store):
    """The store's tables whose names start with webhook, sorted."""
    if store.schema:
        return psql(f"SELECT tablename FROM pg_tables WHERE schemaname = '{store.schema}' "
                    "AND tablename LIKE 'webhook%' ORDER BY 1").split()
    with contextlib.closing(sqlite3.connect(f"file:{store.location}?mode=ro", uri=True)) as db:
        return [row[0] for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'webhook%' ORDER BY 1")]


def create_subscription(client, url, types):
    """A new subscription, asked for once: the SDK would retry a 500 (with the same key)."""
    return client.webhooks.subscriptions.create(
        idempotency_key=str(uuid.uuid4()),
        subscription={"notification_url": url, "event_types": types},
        request_options={"max_retries": 0}).subscription


def test_a_store_without_subscriptions_has_no_webhook_tables_and_answers_as_empty(
        store, fast_server, receiver):
    client = fast_server.client()
    customer = client.customers.create(given_name="Ada").customer
    store.cli("update", customer.id, "--set", "note=VIP")
    assert [s.id for s in client.webhooks.subscriptions.list(include_disabled=True)] == []
    subscriptions = client.webhooks.subscriptions
    for call in (lambda: subscriptions.get("wbhk_missing"),
                 lambda: subscriptions.update("wbhk_missing", subscription={"enabled": False}),
                 lambda: subscriptions.delete("wbhk_missing"),
                 lambda: subscriptions.update_signature_key("wbhk_missing", idempotency_key="k"),
                 lambda: subscriptions.test("wbhk_missing", event_type="customer.created")):
        error = api_error(call)
        assert error.status_code == 404 and codes(error) == ["NOT_FOUND"], error.body
    assert store.cli("prune-events", "--older-than", "0s")[1] == {"deleted_events": 2}
    # The delivery worker's turns (a second apart at most) made nothing either.
    time.sleep(1.5)
    assert webhook_tables(store) == []
    assert "webhook" not in fast_server.log(), fast_server.log()

    subscription = create_subscription(client, receiver.url, ["customer.updated"])
    assert webhook_tables(store) == WEBHOOK_TABLES
    store.cli("update", customer.id, "--set", "note=first")
    event = feed_ids(store)[-1]
    receiver.wait_for(lambda: receiver.delivered() == [event], "the update's event")
    request = receiver.all()[-1]
    assert verify_signature(
        request_body=request["body"], signature_header=request["headers"]["x-square-hmacsha256-signature"],
        signature_key=subscription.signature_key, notification_url=receiver.url)


class HeldKeys:
    """Holds the store's idempotency_keys table for `seconds` from another process's point of
    view (PostgreSQL: an ACCESS EXCLUSIVE lock taken by psql; SQLite: the write lock, taken in
    this process), so that writes started meanwhile wait at their key's claim and then go on
    together."""

    def __init__(self, store, seconds):
        self.store, self.seconds = store, seconds
        self.held = threading.Event()
        if store.schema:
            self.thread = threading.Thread(target=lambda: psql(
                f"BEGIN; LOCK TABLE {store.schema}.idempotency_keys IN ACCESS EXCLUSIVE MODE; "
                f"SELECT pg_sleep({seconds}); COMMIT;"))
        else:
            self.thread = threading.Thread(target=self._sqlite)
        self.thread.start()
        if store.schema:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not self.held.is_set():
                if psql(f"SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                        f"JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '{store.schema}' "
                        "AND c.relname = 'idempotency_keys' AND l.mode = 'AccessExclusiveLock' "
                        "AND l.granted").strip() == "1":
                    self.held.set()
                time.sleep(0.02)
        assert self.held.wait(60), "the store was not held"

    def _sqlite(self):
        with contextlib.closing(sqlite3.connect(self.store.location, isolation_level=None)) as db:
            db.execute("BEGIN IMMEDIATE")
            self.held.set()
            time.sleep(self.seconds)
            db.execute("COMMIT")

    def join(self):
        self.thread.join(120)


def test_two_servers_creating_the_first_subscription_at_once_both_get_theirs(receiver):
    """Two servers on one store that has no webhook tables yet, each asked for a subscription
    while the store is held, so that both creations go on together when it is released,
    twice over: both are made, and each gets the event."""
    for _ in range(2):
        store = Store()
        servers = []
        try:
            store.cli("create-customer", "--given-name", "Seed")
            servers = [Server(store, extra_env=FAST) for _ in range(2)]
            clients = [server.client() for server in servers]
            for client in clients:
                assert [s.id for s in client.webhooks.subscriptions.list()] == []
            made, failed = [None, None], []

            def create(k):
                try:
                    made[k] = create_subscription(clients[k], receiver.url, ["customer.created"])
                except Exception as error:  # noqa: BLE001: reported below
                    failed.append(error)

            held = HeldKeys(store, 1.5)
            threads = [threading.Thread(target=create, args=(k,)) for k in range(2)]
            for thread in threads:
                thread.start()
            held.join()
            for thread in threads:
                thread.join(120)
            assert not failed, [getattr(e, "body", e) for e in failed]
            ids = sorted(subscription.id for subscription in made)
            assert len(set(ids)) == 2
            for client in clients:
                assert sorted(s.id for s in client.webhooks.subscriptions.list()) == ids
            assert webhook_tables(store) == WEBHOOK_TABLES
            store.cli("create-customer", "--given-name", "Ada")
            event = feed_ids(store)[-1]

            def signed_by_each():
                bodies = [r for r in receiver.all() if r["event_id"] == event and r["ok"]]
                return all(any(verify_signature(
                    request_body=r["body"], signature_header=r["headers"]["x-square-hmacsha256-signature"],
                    signature_key=subscription.signature_key, notification_url=receiver.url)
                    for r in bodies) for subscription in made)
            receiver.wait_for(signed_by_each, "the event, for each subscription")
        finally:
            for server in servers:
                assert server.stop() == 0, server.log()
            store.drop()


def test_a_store_whose_webhook_tables_a_development_build_made_keeps_working(store, receiver):
    store.cli("create-customer", "--given-name", "Seed")
    run_sql(store, DEVELOPMENT_MIGRATION_6["postgresql" if store.schema else "sqlite"])
    server = Server(store, extra_env=FAST)
    try:
        client = server.client()
        assert [s.id for s in client.webhooks.subscriptions.list()] == []
        subscription = create_subscription(client, receiver.url, ["customer.created"])
        assert [s.id for s in client.webhooks.subscriptions.list()] == [subscription.id]
        store.cli("create-customer", "--given-name", "Ada")
        event = feed_ids(store)[-1]
        receiver.wait_for(lambda: receiver.delivered() == [event], "the event")
        assert webhook_tables(store) == WEBHOOK_TABLES
    finally:
        assert server.stop() == 0, server.log()
