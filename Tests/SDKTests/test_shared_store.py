"""Real concurrency against the server, and CLI processes on the same store."""

import threading
import uuid

from square.core.api_error import ApiError

from conftest import api_error, codes

CLIENTS = 16
UPDATES = 5


def run_workers(workers, failures, timeout=300):
    """Runs each (function, argument) on its own thread. An exception a worker raises (an
    assertion on a CLI run, a connection error) is a failure of its own, not a thread that
    quietly stops and leaves the count short; so is a worker still running after `timeout`."""

    def guarded(work, argument):
        try:
            work(argument)
        except BaseException as error:  # noqa: BLE001: any way a worker ends early
            failures.append(f"{work.__name__}({argument}) raised {error!r}")

    threads = [threading.Thread(target=guarded, args=worker) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    failures.extend(f"{thread.name} still running" for thread in threads if thread.is_alive())


def test_16_concurrent_clients_on_one_customer_lose_no_update(server):
    customer = server.client().customers.create(given_name="Shared").customer
    failures = []

    def work(worker):
        client = server.client()  # a client, and a connection pool, of its own
        done = 0
        while done < UPDATES:
            current = client.customers.get(customer_id=customer.id).customer
            mark = f"[{worker}.{done}]"
            try:
                client.customers.update(customer_id=customer.id, version=current.version,
                                        note=(current.note or "") + mark)
                done += 1
            except ApiError as error:
                if error.status_code != 400 or error.body["errors"][0]["code"] != "VERSION_MISMATCH":
                    failures.append(error)
                    return

    run_workers([(work, n) for n in range(CLIENTS)], failures)
    assert failures == []
    final = server.client().customers.get(customer_id=customer.id).customer
    assert final.version == CLIENTS * UPDATES
    for worker in range(CLIENTS):
        for n in range(UPDATES):
            assert final.note.count(f"[{worker}.{n}]") == 1, (worker, n)


def test_the_cli_and_sdk_clients_see_each_others_changes(server, store):
    client = server.client()
    _, made, _ = store.cli("create-customer", "--given-name", "FromCLI")
    seen = client.customers.get(customer_id=made["id"]).customer
    assert seen.given_name == "FromCLI" and seen.version == 0

    client.customers.update(customer_id=made["id"], version=0, note="from the SDK")
    _, got, _ = store.cli("get", made["id"])
    assert got["note"] == "from the SDK" and got["version"] == 1
    code, _, err = store.cli("update", made["id"], "--version", "0", "--set", "note=stale", expect=3)
    assert "VERSION_MISMATCH" in err

    store.cli("update", made["id"], "--version", "1", "--set", "note=from the CLI")
    stale = api_error(lambda: client.customers.update(customer_id=made["id"], version=1, note="late"))
    assert codes(stale) == ["VERSION_MISMATCH"]
    assert client.customers.get(customer_id=made["id"]).customer.note == "from the CLI"

    key = str(uuid.uuid4())
    _, paid, _ = store.cli("create-payment", "--key", key, "--amount", "450", "--currency", "USD",
                           "--source-id", "cnon:ok")
    assert client.payments.get(payment_id=paid["id"]).payment.amount_money.amount == 450

    item = client.catalog.object.upsert(
        idempotency_key=str(uuid.uuid4()),
        object={"type": "ITEM", "id": "#x", "item_data": {"name": "Scone"}}).catalog_object
    _, listed, _ = store.cli("list", "--type", "ITEM")
    assert [o["id"] for o in listed["objects"]] == [item.id]


def test_cli_processes_and_sdk_clients_at_once_lose_no_update(server, store):
    customer = server.client().customers.create(given_name="Both").customer
    marks = []
    failures = []

    def sdk(worker):
        client = server.client()
        for n in range(3):
            mark = f"[sdk{worker}.{n}]"
            while True:
                current = client.customers.get(customer_id=customer.id).customer
                try:
                    client.customers.update(customer_id=customer.id, version=current.version,
                                            note=(current.note or "") + mark)
                    break
                except ApiError as error:
                    if codes(error) != ["VERSION_MISMATCH"]:
                        failures.append(error)
                        return
        marks.extend(f"[sdk{worker}.{n}]" for n in range(3))

    def cli(worker):
        for n in range(3):
            mark = f"[cli{worker}.{n}]"
            while True:
                _, current, _ = store.cli("get", customer.id)
                code, _, err = store.cli("update", customer.id, "--version", str(current["version"]),
                                         "--set", "note=" + (current.get("note") or "") + mark, expect=None)
                if code == 0:
                    break
                if code != 3:
                    failures.append(err)
                    return
        marks.extend(f"[cli{worker}.{n}]" for n in range(3))

    run_workers([(sdk, n) for n in range(6)] + [(cli, n) for n in range(3)], failures)
    assert failures == []
    final = server.client().customers.get(customer_id=customer.id).customer
    # Every acknowledged update once: none lost (a mark missing, a version short), none applied
    # twice (a mark twice, a version over).
    assert len(marks) == 27
    assert {mark: final.note.count(mark) for mark in marks if final.note.count(mark) != 1} == {}
    assert final.version == 27
