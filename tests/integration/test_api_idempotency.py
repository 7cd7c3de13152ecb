"""POST /api/v1/orders with an Idempotency-Key: a retried request never makes a second order."""

from __future__ import annotations

import threading

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from lienmach.inventory.queries import stock_levels_for
from lienmach.kernel.tables import idempotency_keys
from lienmach.orders.tables import orders
from lienmach.web.app import create_app
from tests.api_client import api_client, new_key
from tests.factories import seed_company

pytestmark = pytest.mark.integration


def _count(runtime, table) -> int:  # type: ignore[no-untyped-def]
    with runtime.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def _reserved(runtime, product_id: str) -> int:  # type: ignore[no-untyped-def]
    return sum(level.reserved for level in runtime.read(stock_levels_for, product_ids=[product_id]))


def _order(company, quantity: int = 2) -> dict:  # type: ignore[no-untyped-def, type-arg]
    return {
        "customer_id": company.customers["Lan"],
        "lines": [{"product_id": company.products["AO-001"], "quantity": quantity}],
        "shipping_fee_vnd": 30_000,
    }


def test_the_same_key_and_body_twice_makes_one_order_and_answers_the_same(runtime):
    # Given a company and the API
    company = seed_company(runtime)
    api = api_client(runtime)
    headers = {"Idempotency-Key": "checkout-7f3a"}

    # When the same order is posted twice with the same key (the second time keys reordered)
    first = api.post("/api/v1/orders", json=_order(company), headers=headers)
    body = _order(company)
    retried = api.post("/api/v1/orders", json=dict(reversed(list(body.items()))), headers=headers)

    # Then both answers are the first one, and only one order reserved stock
    assert first.status_code == 201, first.text
    assert retried.status_code == 201
    assert retried.json() == first.json()
    assert first.json()["number"].startswith("DH")
    assert _count(runtime, orders) == 1
    assert _count(runtime, idempotency_keys) == 1
    assert _reserved(runtime, company.products["AO-001"]) == 2


def test_the_same_key_with_another_body_is_refused_naming_the_header(runtime):
    # Given an order placed under a key
    company = seed_company(runtime)
    api = api_client(runtime)
    headers = {"Idempotency-Key": "checkout-7f3a"}
    first = api.post("/api/v1/orders", json=_order(company, 2), headers=headers)
    assert first.status_code == 201

    # When the key is used again for a different order
    other = api.post("/api/v1/orders", json=_order(company, 3), headers=headers)

    # Then it is refused naming the header, and nothing new was made
    assert other.status_code == 422
    [problem] = other.json()["detail"]
    assert problem["loc"] == ["header", "Idempotency-Key"]
    assert "different body" in problem["msg"]
    assert _count(runtime, orders) == 1
    assert _reserved(runtime, company.products["AO-001"]) == 2


def test_without_a_key_or_with_new_keys_every_post_is_a_new_order(runtime):
    # Given the API
    company = seed_company(runtime)
    api = api_client(runtime)

    # When the same body is posted without a key, and then under two different keys
    answers = [
        api.post("/api/v1/orders", json=_order(company, 1)),
        api.post("/api/v1/orders", json=_order(company, 1)),
        api.post("/api/v1/orders", json=_order(company, 1), headers={"Idempotency-Key": "a"}),
        api.post("/api/v1/orders", json=_order(company, 1), headers={"Idempotency-Key": "b"}),
    ]

    # Then each made its own order
    assert [answer.status_code for answer in answers] == [201] * 4
    assert len({answer.json()["order_id"] for answer in answers}) == 4
    assert _count(runtime, orders) == 4
    assert _count(runtime, idempotency_keys) == 2


def test_a_refused_order_does_not_use_up_its_key(runtime):
    # Given a key first sent with an order for an unknown product
    company = seed_company(runtime)
    api = api_client(runtime)
    headers = {"Idempotency-Key": "fix-and-retry"}
    bad = _order(company)
    bad["lines"][0]["product_id"] = "P-NOPE"
    refused = api.post("/api/v1/orders", json=bad, headers=headers)
    assert refused.status_code == 422
    assert _count(runtime, idempotency_keys) == 0

    # When the corrected order is sent under the same key
    fixed = api.post("/api/v1/orders", json=_order(company), headers=headers)

    # Then it is placed
    assert fixed.status_code == 201, fixed.text
    assert _count(runtime, orders) == 1


def test_concurrent_duplicates_under_one_key_make_one_order(runtime):
    # Given four clients about to send the same order under the same key at once
    company = seed_company(runtime)
    app = create_app(runtime)
    key = new_key(runtime)
    barrier = threading.Barrier(4)
    answers: list[tuple[int, dict]] = []  # type: ignore[type-arg]
    lock = threading.Lock()

    def send() -> None:
        api = TestClient(app, headers={"Authorization": f"Bearer {key}"})
        barrier.wait()
        answer = api.post(
            "/api/v1/orders", json=_order(company), headers={"Idempotency-Key": "race-1"}
        )
        with lock:
            answers.append((answer.status_code, answer.json()))

    # When they all send
    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # Then one order was made and every client got its answer
    assert [status for status, _ in answers] == [201] * 4, answers
    assert len({answer["order_id"] for _, answer in answers}) == 1
    assert _count(runtime, orders) == 1
    assert _reserved(runtime, company.products["AO-001"]) == 2
