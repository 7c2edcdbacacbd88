"""Customers through the SDK: create, get, sparse update with the version read, delete with version."""

import uuid

from conftest import api_error, codes


def test_create_get_update_with_version_and_stale_version(client):
    created = client.customers.create(given_name="Ada", family_name="Lovelace", email_address="ada@example.com")
    customer = created.customer
    assert customer.version == 0
    assert customer.given_name == "Ada"

    fetched = client.customers.get(customer_id=customer.id).customer
    assert fetched.id == customer.id and fetched.email_address == "ada@example.com"

    updated = client.customers.update(customer_id=customer.id, version=fetched.version, note="VIP").customer
    assert updated.version == 1
    assert updated.note == "VIP"
    # Sparse: what was not sent is kept.
    assert updated.family_name == "Lovelace" and updated.email_address == "ada@example.com"

    stale = api_error(lambda: client.customers.update(customer_id=customer.id, version=0, note="late"))
    assert stale.status_code == 400
    assert codes(stale) == ["VERSION_MISMATCH"]
    assert stale.body["errors"][0]["category"] == "INVALID_REQUEST_ERROR"
    assert client.customers.get(customer_id=customer.id).customer.note == "VIP"


def test_null_removes_a_field_and_the_last_contact_field_stays(client):
    customer = client.customers.create(given_name="Grace", note="hello").customer
    cleared = client.customers.update(customer_id=customer.id, note=None, version=0).customer
    assert cleared.note is None and cleared.version == 1
    refused = api_error(lambda: client.customers.update(customer_id=customer.id, given_name=None))
    assert refused.status_code == 400 and codes(refused) == ["MISSING_REQUIRED_PARAMETER"]
    assert client.customers.get(customer_id=customer.id).customer.given_name == "Grace"


def test_delete_with_version(client):
    customer = client.customers.create(company_name="Analytical Engines").customer
    client.customers.update(customer_id=customer.id, version=0, note="v1")
    stale = api_error(lambda: client.customers.delete(customer_id=customer.id, version=0))
    assert stale.status_code == 400 and codes(stale) == ["VERSION_MISMATCH"]
    client.customers.delete(customer_id=customer.id, version=1)
    gone = api_error(lambda: client.customers.get(customer_id=customer.id))
    assert gone.status_code == 404 and codes(gone) == ["NOT_FOUND"]


def test_idempotency_key_replays_the_same_customer(client):
    key = str(uuid.uuid4())
    first = client.customers.create(idempotency_key=key, given_name="Ada").customer
    again = client.customers.create(idempotency_key=key, given_name="Ada").customer
    assert again.id == first.id and again.created_at == first.created_at
    other = api_error(lambda: client.customers.create(idempotency_key=key, given_name="Bob"))
    assert other.status_code == 400 and codes(other) == ["IDEMPOTENCY_KEY_REUSED"]
    assert [c.id for c in client.customers.list()] == [first.id]


def test_list_follows_cursors(client):
    ids = [client.customers.create(given_name=f"C{n}").customer.id for n in range(7)]
    assert [c.id for c in client.customers.list(limit=3)] == ids


def test_invalid_values_are_refused_and_change_nothing(client, store):
    too_long = api_error(lambda: client.customers.create(given_name="x" * 301))
    assert too_long.status_code == 400 and codes(too_long) == ["VALUE_TOO_LONG"]
    none = api_error(lambda: client.customers.create(note="no name"))
    assert none.status_code == 400 and codes(none) == ["MISSING_REQUIRED_PARAMETER"]
    unsupported = api_error(lambda: client.customers.create(given_name="Ada", nickname="A"))
    assert unsupported.status_code == 400 and codes(unsupported) == ["UNKNOWN_BODY_PARAMETER"]
    assert store.snapshot() == {"objects": []}


def test_a_payment_or_item_id_is_not_a_customer(client):
    item = client.catalog.object.upsert(
        idempotency_key=str(uuid.uuid4()), object={"type": "ITEM", "id": "#c", "item_data": {"name": "Tea"}}
    ).catalog_object
    missing = api_error(lambda: client.customers.get(customer_id=item.id))
    assert missing.status_code == 404
    refused = api_error(lambda: client.customers.update(customer_id=item.id, note="x"))
    assert refused.status_code == 404
    assert client.catalog.object.get(object_id=item.id).object.item_data.name == "Tea"
