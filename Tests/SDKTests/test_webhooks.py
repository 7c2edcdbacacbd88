"""Events and webhooks through Square's SDK: subscriptions, signed deliveries checked with the
SDK's own `verify_signature`, retries, a SIGKILLed server, and SearchEvents paging."""

import http.server
import json
import threading
import time

import pytest
from square.utils.webhooks_helper import verify_signature

from conftest import Server, api_error, codes

# Square's schedule shrunk 1000 times: a minute is 60 ms.
FAST = {"OPTIMIST_WEBHOOK_RETRY_SCALE": "0.001"}


class Receiver:
    """A webhook endpoint on loopback recording every POST; it answers 500 to an event's
    first `failures` attempts (and to every one while `refusing`), 200 after."""

    def __init__(self, failures=0):
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
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/square"
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
    finally:
        receiver.close()


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
