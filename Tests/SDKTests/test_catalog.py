"""Catalog items through the SDK: upserts of whole objects with versions, #temporary ids."""

import uuid

from conftest import api_error, codes


def upsert(client, obj, key=None):
    return client.catalog.object.upsert(idempotency_key=key or str(uuid.uuid4()), object=obj)


def test_upsert_new_get_update_with_version_and_stale_version(client):
    created = upsert(client, {"type": "ITEM", "id": "#coffee", "item_data": {"name": "Coffee", "description": "House"}})
    item = created.catalog_object
    assert item.type == "ITEM" and not item.id.startswith("#")
    assert [(m.client_object_id, m.object_id) for m in created.id_mappings] == [("#coffee", item.id)]
    assert item.version > 0

    fetched = client.catalog.object.get(object_id=item.id).object
    assert fetched.version == item.version and fetched.item_data.description == "House"

    # The whole object: the description left out is removed.
    updated = upsert(client, {"type": "ITEM", "id": item.id, "version": fetched.version,
                              "item_data": {"name": "Filter coffee", "available_for_pickup": True}}).catalog_object
    assert updated.version > fetched.version
    assert updated.item_data.name == "Filter coffee"
    assert updated.item_data.description is None
    assert updated.item_data.available_for_pickup is True

    stale = api_error(lambda: upsert(client, {"type": "ITEM", "id": item.id, "version": fetched.version,
                                              "item_data": {"name": "Late"}}))
    assert stale.status_code == 400 and codes(stale) == ["VERSION_MISMATCH"]
    assert client.catalog.object.get(object_id=item.id).object.item_data.name == "Filter coffee"


def test_an_upsert_replays_by_key(client):
    key = str(uuid.uuid4())
    obj = {"type": "ITEM", "id": "#tea", "item_data": {"name": "Tea"}}
    first = upsert(client, obj, key)
    again = upsert(client, obj, key)
    assert again.catalog_object.id == first.catalog_object.id
    assert again.catalog_object.version == first.catalog_object.version
    assert again.id_mappings[0].object_id == first.catalog_object.id
    changed = api_error(lambda: upsert(client, {"type": "ITEM", "id": "#tea", "item_data": {"name": "Chai"}}, key))
    assert changed.status_code == 400 and codes(changed) == ["IDEMPOTENCY_KEY_REUSED"]


def test_sending_back_a_fetched_object_works(client):
    item = upsert(client, {"type": "ITEM", "id": "#bun", "item_data": {"name": "Bun"}}).catalog_object
    fetched = client.catalog.object.get(object_id=item.id).object
    sent = fetched.dict(exclude_none=True)
    sent["item_data"]["name"] = "Cinnamon bun"
    updated = upsert(client, sent).catalog_object
    assert updated.item_data.name == "Cinnamon bun" and updated.version > fetched.version


def test_delete_and_list(client):
    ids = [upsert(client, {"type": "ITEM", "id": f"#i{n}", "item_data": {"name": f"Item {n}"}}).catalog_object.id
           for n in range(3)]
    assert [o.id for o in client.catalog.list(types="ITEM")] == ids
    deleted = client.catalog.object.delete(object_id=ids[1])
    assert deleted.deleted_object_ids == [ids[1]]
    assert [o.id for o in client.catalog.list(types="ITEM")] == [ids[0], ids[2]]
    gone = api_error(lambda: client.catalog.object.get(object_id=ids[1]))
    assert gone.status_code == 404 and codes(gone) == ["NOT_FOUND"]


def test_other_types_are_refused(client, store):
    refused = api_error(lambda: upsert(client, {"type": "CATEGORY", "id": "#cat", "category_data": {"name": "Drinks"}}))
    assert refused.status_code == 400
    assert store.snapshot() == {"objects": []}


def test_batch_upsert_with_versions_and_batch_retrieve(client, store):
    key = str(uuid.uuid4())
    batches = [{"objects": [{"type": "ITEM", "id": "#a", "item_data": {"name": "A"}},
                            {"type": "ITEM", "id": "#b", "item_data": {"name": "B"}}]},
               {"objects": [{"type": "ITEM", "id": "#c", "item_data": {"name": "C"}}]}]
    first = client.catalog.batch_upsert(idempotency_key=key, batches=batches)
    ids = [o.id for o in first.objects]
    assert [o.item_data.name for o in first.objects] == ["A", "B", "C"]
    assert [(m.client_object_id, m.object_id) for m in first.id_mappings] == list(zip(["#a", "#b", "#c"], ids))
    versions = [o.version for o in first.objects]
    assert versions == sorted(set(versions))
    replay = client.catalog.batch_upsert(idempotency_key=key, batches=batches)
    assert [o.id for o in replay.objects] == ids and [o.version for o in replay.objects] == versions

    # Updates with the versions read; one stale version refuses the whole batch.
    update = [{"objects": [{"type": "ITEM", "id": ids[0], "version": versions[0], "item_data": {"name": "A2"}},
                           {"type": "ITEM", "id": ids[1], "version": versions[1], "item_data": {"name": "B2"}}]}]
    updated = client.catalog.batch_upsert(idempotency_key=str(uuid.uuid4()), batches=update).objects
    assert [o.item_data.name for o in updated] == ["A2", "B2"]
    assert all(new.version > old for new, old in zip(updated, versions))
    before = store.snapshot()
    stale = api_error(lambda: client.catalog.batch_upsert(idempotency_key=str(uuid.uuid4()), batches=[
        {"objects": [{"type": "ITEM", "id": ids[2], "version": versions[2], "item_data": {"name": "C2"}},
                     {"type": "ITEM", "id": ids[0], "version": versions[0], "item_data": {"name": "A3"}}]}]))
    assert stale.status_code == 400 and codes(stale) == ["VERSION_MISMATCH"]
    assert store.snapshot() == before

    got = client.catalog.batch_get(object_ids=[ids[2], "NOSUCHID", ids[0]]).objects
    assert [(o.id, o.item_data.name) for o in got] == [(ids[2], "C"), (ids[0], "A2")]


def test_catalog_version_reads_a_past_version(client, store):
    first = upsert(client, {"type": "ITEM", "id": "#v", "item_data": {"name": "Old"}}).catalog_object
    second = upsert(client, {"type": "ITEM", "id": first.id, "version": first.version,
                             "item_data": {"name": "New"}}).catalog_object
    past = client.catalog.object.get(object_id=first.id, catalog_version=first.version).object
    assert past.version == first.version and past.item_data.name == "Old"
    now = client.catalog.object.get(object_id=first.id, catalog_version=second.version).object
    assert now.item_data.name == "New"
    never = api_error(lambda: client.catalog.object.get(object_id=first.id, catalog_version=first.version - 1))
    assert never.status_code == 404 and codes(never) == ["NOT_FOUND"]
    assert never.body["errors"][0]["field"] == "catalog_version"
    customer = client.customers.create(given_name="Not an item").customer
    assert api_error(lambda: client.catalog.object.get(object_id=customer.id, catalog_version=0)).status_code == 404
