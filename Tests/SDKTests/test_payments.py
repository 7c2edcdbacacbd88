"""Payments and refunds through the SDK: idempotency keys, the declined nonce, the lifecycle."""

import uuid

from conftest import api_error, codes

USD = lambda amount: {"amount": amount, "currency": "USD"}  # noqa: E731


def pay(client, key, amount=450, source="cnon:card-nonce-ok", **more):
    return client.payments.create(source_id=source, idempotency_key=key, amount_money=USD(amount), **more)


def test_a_replay_returns_the_same_payment_and_a_changed_request_is_refused(client, store):
    key = str(uuid.uuid4())
    customer = client.customers.create(given_name="Ada").customer
    first = pay(client, key, customer_id=customer.id, reference_id="order-17", note="Two coffees").payment
    assert first.status == "COMPLETED" and first.amount_money.amount == 450
    again = pay(client, key, customer_id=customer.id, reference_id="order-17", note="Two coffees").payment
    assert again.id == first.id and again.version_token == first.version_token
    assert again.created_at == first.created_at

    changed = api_error(lambda: pay(client, key, amount=451, customer_id=customer.id,
                                    reference_id="order-17", note="Two coffees"))
    assert changed.status_code == 400 and codes(changed) == ["IDEMPOTENCY_KEY_REUSED"]
    payments = [o for o in store.snapshot()["objects"] if "amount_money" in o]
    assert [p["id"] for p in payments] == [first.id]


def test_the_declined_nonce_is_402_with_the_failed_payment(client):
    key = str(uuid.uuid4())
    declined = api_error(lambda: pay(client, key, source="cnon:card-nonce-declined"))
    assert declined.status_code == 402
    assert codes(declined) == ["CARD_DECLINED"]
    assert declined.body["errors"][0]["category"] == "PAYMENT_METHOD_ERROR"
    payment = declined.body["payment"]
    assert payment["status"] == "FAILED"
    replay = api_error(lambda: pay(client, key, source="cnon:card-nonce-declined"))
    assert replay.status_code == 402 and replay.body == declined.body
    assert client.payments.get(payment_id=payment["id"]).payment.status == "FAILED"


def test_unknown_customer_and_bad_amounts_do_not_use_up_the_key(client):
    key = str(uuid.uuid4())
    missing = api_error(lambda: pay(client, key, customer_id="NOSUCHCUSTOMER"))
    assert missing.status_code == 404 and codes(missing) == ["NOT_FOUND"]
    negative = api_error(lambda: pay(client, key, amount=-5))
    assert negative.status_code == 400 and codes(negative) == ["INVALID_VALUE"]
    currency = api_error(lambda: client.payments.create(
        source_id="cnon:ok", idempotency_key=key, amount_money={"amount": 5, "currency": "XYZ"}))
    assert currency.status_code == 400 and codes(currency) == ["UNSUPPORTED_CURRENCY"]
    assert pay(client, key).payment.status == "COMPLETED"


def test_the_lifecycle(client):
    approved = pay(client, str(uuid.uuid4()), amount=1000, autocomplete=False).payment
    assert approved.status == "APPROVED"

    tipped = client.payments.update(
        payment_id=approved.id, idempotency_key=str(uuid.uuid4()),
        payment={"tip_money": USD(150), "version_token": approved.version_token}).payment
    assert tipped.total_money.amount == 1150 and tipped.version_token != approved.version_token

    stale = api_error(lambda: client.payments.complete(payment_id=approved.id, version_token=approved.version_token))
    assert stale.status_code == 400 and codes(stale) == ["VERSION_MISMATCH"]

    completed = client.payments.complete(payment_id=approved.id, version_token=tipped.version_token).payment
    assert completed.status == "COMPLETED"
    twice = api_error(lambda: client.payments.complete(payment_id=approved.id))
    assert twice.status_code == 400 and codes(twice) == ["DELAYED_TRANSACTION_CAPTURED"]
    cancel = api_error(lambda: client.payments.cancel(payment_id=approved.id))
    assert codes(cancel) == ["DELAYED_TRANSACTION_CAPTURED"]

    other = pay(client, str(uuid.uuid4()), autocomplete=False).payment
    assert client.payments.cancel(payment_id=other.id).payment.status == "CANCELED"
    late = api_error(lambda: client.payments.complete(payment_id=other.id))
    assert codes(late) == ["DELAYED_TRANSACTION_CANCELED"]

    listed = [p.id for p in client.payments.list()]
    assert listed == [approved.id, other.id]


def test_cancel_by_idempotency_key(client):
    key = str(uuid.uuid4())
    made = pay(client, key, autocomplete=False).payment
    client.payments.cancel_by_idempotency_key(idempotency_key=key)
    assert client.payments.get(payment_id=made.id).payment.status == "CANCELED"

    never = str(uuid.uuid4())
    client.payments.cancel_by_idempotency_key(idempotency_key=never)
    late = api_error(lambda: pay(client, never))
    assert late.status_code == 400 and codes(late) == ["DELAYED_TRANSACTION_CANCELED"]


def test_refunds_up_to_the_total(client):
    payment = pay(client, str(uuid.uuid4()), amount=500).payment
    key = str(uuid.uuid4())
    first = client.refunds.refund_payment(
        idempotency_key=key, payment_id=payment.id, amount_money=USD(200), reason="Cold coffee").refund
    assert first.amount_money.amount == 200 and first.payment_id == payment.id
    replay = client.refunds.refund_payment(
        idempotency_key=key, payment_id=payment.id, amount_money=USD(200), reason="Cold coffee").refund
    assert replay.id == first.id
    too_much = api_error(lambda: client.refunds.refund_payment(
        idempotency_key=str(uuid.uuid4()), payment_id=payment.id, amount_money=USD(301)))
    assert too_much.status_code == 400 and codes(too_much) == ["REFUND_AMOUNT_INVALID"]
    second = client.refunds.refund_payment(
        idempotency_key=str(uuid.uuid4()), payment_id=payment.id, amount_money=USD(300)).refund

    refunded = client.payments.get(payment_id=payment.id).payment
    assert refunded.refunded_money.amount == 500
    assert refunded.refund_ids == [first.id, second.id]
    assert client.refunds.get(refund_id=second.id).refund.amount_money.amount == 300
    assert [r.id for r in client.refunds.list()] == [first.id, second.id]

    approved = pay(client, str(uuid.uuid4()), autocomplete=False).payment
    needs = api_error(lambda: client.refunds.refund_payment(
        idempotency_key=str(uuid.uuid4()), payment_id=approved.id, amount_money=USD(1)))
    assert codes(needs) == ["REFUND_ERROR_PAYMENT_NEEDS_COMPLETION"]
