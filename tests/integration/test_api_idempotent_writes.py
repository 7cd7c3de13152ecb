"""Every API write honours Idempotency-Key: a retried request does its work once."""

from __future__ import annotations

import json
import threading

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from lienmach.aftersales.tables import tickets
from lienmach.fulfilment.queries import tasks_for_order
from lienmach.kernel.tables import idempotency_keys
from lienmach.orders.placing import place_order
from lienmach.web.app import create_app
from lienmach.web.idempotency import PENDING, body_hash
from tests.api_client import new_key, order_waiting_for_pick
from tests.factories import seed_company

pytestmark = pytest.mark.integration


def _count(runtime, table) -> int:  # type: ignore[no-untyped-def]
    with runtime.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def _client(runtime, app=None) -> TestClient:  # type: ignore[no-untyped-def]
    key = new_key(runtime)
    return TestClient(app or create_app(runtime), headers={"Authorization": f"Bearer {key}"})


def _ticket(order) -> dict:  # type: ignore[no-untyped-def, type-arg]
    return {
        "customer_id": order.customer_id,
        "order_id": order.order_id,
        "subject": "Giao thiếu hàng",
        "body": "Tôi nhận thiếu một áo.",
    }


def test_a_retried_ticket_opening_opens_one_ticket_and_answers_the_same(runtime):
    order = order_waiting_for_pick(runtime)
    api = _client(runtime)
    headers = {"Idempotency-Key": "ticket-1"}

    first = api.post("/api/v1/tickets", json=_ticket(order), headers=headers)
    retried = api.post("/api/v1/tickets", json=_ticket(order), headers=headers)

    assert first.status_code == retried.status_code == 201
    assert retried.json() == first.json()
    assert _count(runtime, tickets) == 1
    # Without a key each request is its own.
    api.post("/api/v1/tickets", json=_ticket(order))
    assert _count(runtime, tickets) == 2


def test_a_retried_scan_counts_the_unit_once(runtime):
    company = seed_company(runtime)
    placed = runtime.run(
        place_order,
        customer_id=company.customers["Lan"],
        lines=[{"product_id": company.products["AO-001"], "quantity": 2}],
        shipping_fee_vnd=30_000,
    )
    [task] = runtime.read(tasks_for_order, placed.order_id)
    api = _client(runtime)
    path = f"/api/v1/pick-tasks/{task.id}"
    api.post(f"{path}/confirm", json={"picker": "Hòa"})
    code = api.get(path).json()["lines"][0]["sku"]
    headers = {"Idempotency-Key": "scan-1"}

    first = api.post(f"{path}/scans", json={"code": code}, headers=headers)
    retried = api.post(f"{path}/scans", json={"code": code}, headers=headers)

    assert first.status_code == retried.status_code == 200
    assert retried.json() == first.json() and first.json()["remaining"] == 1
    assert api.get(path).json()["lines"][0]["scanned_quantity"] == 1
    # A new key is a new scan: the second unit.
    second = api.post(f"{path}/scans", json={"code": code}, headers={"Idempotency-Key": "scan-2"})
    assert second.json()["remaining"] == 0


def test_the_same_key_with_another_body_is_refused_naming_the_header(runtime):
    order = order_waiting_for_pick(runtime)
    api = _client(runtime)
    headers = {"Idempotency-Key": "ticket-2"}
    api.post("/api/v1/tickets", json=_ticket(order), headers=headers)

    other = api.post("/api/v1/tickets", json={**_ticket(order), "subject": "Khác"}, headers=headers)

    assert other.status_code == 422
    assert other.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]
    assert _count(runtime, tickets) == 1


def test_a_refused_write_keeps_no_key_so_the_corrected_retry_works(runtime):
    order = order_waiting_for_pick(runtime)
    api = _client(runtime)
    headers = {"Idempotency-Key": "ticket-3"}

    refused = api.post(
        "/api/v1/tickets", json={**_ticket(order), "customer_id": "C-unknown"}, headers=headers
    )

    assert refused.status_code in (404, 422)
    assert _count(runtime, idempotency_keys) == 0
    assert _count(runtime, tickets) == 0


def test_two_concurrent_requests_with_one_key_do_the_work_once(runtime):
    order = order_waiting_for_pick(runtime)
    app = create_app(runtime)
    clients = [_client(runtime, app) for _ in range(4)]
    answers: list = []  # type: ignore[type-arg]
    start = threading.Barrier(len(clients))

    def post(client: TestClient) -> None:
        start.wait()
        answers.append(
            client.post("/api/v1/tickets", json=_ticket(order), headers={"Idempotency-Key": "same"})
        )

    threads = [threading.Thread(target=post, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert _count(runtime, tickets) == 1
    assert {answer.status_code for answer in answers} == {201}
    assert len({answer.json()["id"] for answer in answers}) == 1


def test_a_lost_answer_says_the_work_is_done_and_to_read_the_object(runtime, clock):
    order = order_waiting_for_pick(runtime)
    api = _client(runtime)
    body = _ticket(order)

    with runtime.engine.begin() as connection:
        connection.execute(
            idempotency_keys.insert().values(
                key="lost",
                scope="POST /api/v1/tickets",
                request_hash=body_hash(json.dumps(body).encode()),
                status_code=PENDING,
                response={},
                created_at=clock.now(),
            )
        )

    answer = api.post("/api/v1/tickets", json=body, headers={"Idempotency-Key": "lost"})

    assert answer.status_code == 409
    assert "read the object" in answer.json()["detail"]
    assert _count(runtime, tickets) == 0
