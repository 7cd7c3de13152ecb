"""The API refuses callers without a live key (401) or without the scope (403), writing nothing;
a key's name is the actor of what it does; the public endpoints need no key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from lienmach.access.queries import authenticate
from lienmach.access.services import revoke_api_key
from lienmach.web.app import create_app
from tests.api_client import (
    OrderWaitingForPick,
    api_client,
    new_key,
    order_waiting_for_pick,
    row_counts,
)

pytestmark = pytest.mark.integration


@dataclass
class World(OrderWaitingForPick):
    app: Any


@pytest.fixture
def world(runtime) -> World:  # type: ignore[no-untyped-def]
    order = order_waiting_for_pick(runtime)
    return World(**vars(order), app=create_app(runtime))


def protected(world: World) -> list[tuple[str, str, dict[str, Any] | None, str]]:
    """Every endpoint that needs a key: method, path, a valid body, the scope it needs."""
    order = {
        "customer_id": world.customer_id,
        "lines": [{"product_id": world.product_id, "quantity": 1}],
        "shipping_fee_vnd": 30_000,
    }
    task = f"/api/v1/pick-tasks/{world.pick_task_id}"
    return [
        ("POST", "/api/v1/orders", order, "orders:write"),
        ("GET", "/api/v1/orders", None, "orders:read"),
        ("GET", f"/api/v1/orders/{world.order_id}", None, "orders:read"),
        ("POST", f"/api/v1/orders/{world.order_id}/cancel", {"reason": "x"}, "orders:write"),
        ("POST", f"/api/v1/orders/{world.order_id}/payments", {"amount_vnd": 1}, "orders:write"),
        ("GET", "/api/v1/pick-tasks", None, "warehouse"),
        ("GET", task, None, "warehouse"),
        ("POST", f"{task}/confirm", {"picker": "Hùng"}, "warehouse"),
        ("POST", f"{task}/scans", {"code": "8930000000011"}, "warehouse"),
        ("POST", "/api/v1/shipments/shp_x/pickup", None, "shipping"),
        (
            "POST",
            "/api/v1/tickets",
            {"customer_id": world.customer_id, "subject": "a", "body": "b"},
            "aftersales",
        ),
        ("GET", "/api/v1/tickets/tkt_x", None, "aftersales"),
        ("POST", "/api/v1/tickets/tkt_x/resolve", {"resolution": "done"}, "aftersales"),
        ("POST", "/api/v1/customers", {"name": "A"}, "customers"),
        ("GET", f"/api/v1/customers/{world.customer_id}", None, "customers"),
        ("POST", "/api/v1/products", {"sku": "X"}, "catalog"),
        ("GET", "/api/v1/products", None, "catalog"),
        ("GET", "/api/v1/stock", None, "stock"),
        (
            "POST",
            "/api/v1/stock/receipts",
            {
                "warehouse_id": world.warehouse_id,
                "product_id": world.product_id,
                "quantity": 5,
                "unit_cost_vnd": 1,
            },
            "stock",
        ),
        ("GET", "/api/v1/ledger/trial-balance", None, "ledger:read"),
    ]


def test_without_a_key_every_protected_endpoint_is_401_and_writes_nothing(runtime, world):
    # Given a caller with no key, and one with a key nobody issued
    anonymous = TestClient(world.app)
    stranger = TestClient(world.app, headers={"Authorization": "Bearer lm_made-up"})
    before = row_counts(runtime)

    for method, path, body, _scope in protected(world):
        for client in (anonymous, stranger):
            # When they call it
            answer = client.request(method, path, json=body)

            # Then it is refused as unauthenticated, saying how to authenticate
            assert answer.status_code == 401, (method, path, answer.text)
            assert answer.headers["www-authenticate"] == "Bearer"
            assert isinstance(answer.json()["detail"], str) and answer.json()["detail"]
    # And nothing was written anywhere
    assert row_counts(runtime) == before


def test_a_revoked_key_is_401_and_writes_nothing(runtime, world):
    # Given a full key that worked, then was revoked
    key = new_key(runtime, name="leaked")
    client = TestClient(world.app, headers={"Authorization": f"Bearer {key}"})
    assert client.get("/api/v1/orders").status_code == 200
    [key_id] = [runtime.read(authenticate, key).id]  # type: ignore[union-attr]
    runtime.run(revoke_api_key, key_id=key_id)
    before = row_counts(runtime)

    # When it places an order
    order = protected(world)[0][2]
    answer = client.post("/api/v1/orders", json=order)

    # Then it is refused and nothing is written
    assert answer.status_code == 401
    assert "revoked" in answer.json()["detail"]
    assert row_counts(runtime) == before


def test_the_key_may_also_come_in_an_x_api_key_header(runtime, world):
    key = new_key(runtime, scopes=["orders:read"])
    client = TestClient(world.app, headers={"X-API-Key": key})
    answer = client.get(f"/api/v1/orders/{world.order_id}")
    assert answer.status_code == 200 and answer.json()["id"] == world.order_id


def test_a_key_without_the_scope_is_403_naming_it_and_writes_nothing(runtime, world):
    # Given, for every protected endpoint, a key with every scope but the one it needs
    every = ["orders:read", "orders:write", "warehouse", "shipping", "aftersales", "catalog",
             "customers", "stock", "ledger:read"]  # fmt: skip
    for method, path, body, scope in protected(world):
        others = [
            s for s in every if s != scope and not (scope == "orders:read" and s == "orders:write")
        ]
        client = api_client(runtime, scopes=others, name="almost", app=world.app)
        before = row_counts(runtime)

        # When it calls the endpoint
        answer = client.request(method, path, json=body)

        # Then it is forbidden, naming the scope, and nothing is written
        assert answer.status_code == 403, (method, path, answer.text)
        assert f"'{scope}'" in answer.json()["detail"], answer.json()
        assert row_counts(runtime) == before, (method, path)


def test_a_warehouse_key_cannot_place_orders_but_confirms_picks_as_itself(runtime, world):
    # Given the warehouse's handheld app with a warehouse-only key
    scanner = api_client(runtime, scopes=["warehouse"], name="handheld-1", app=world.app)
    before = row_counts(runtime)

    # When it tries to place an order
    answer = scanner.post("/api/v1/orders", json=protected(world)[0][2])

    # Then it is forbidden naming orders:write, and nothing is written
    assert answer.status_code == 403
    assert "'orders:write'" in answer.json()["detail"]
    assert row_counts(runtime) == before

    # When it confirms the pick
    answer = scanner.post(
        f"/api/v1/pick-tasks/{world.pick_task_id}/confirm", json={"picker": "Hùng"}
    )

    # Then the pick is confirmed, and the order's timeline names the picker and the key
    assert answer.status_code == 200 and answer.json()["state"] == "picked"
    office = api_client(runtime, scopes=["orders:read"], app=world.app)
    timeline = office.get(f"/api/v1/orders/{world.order_id}").json()["timeline"]
    actors = {entry["type"]: entry["actor"] for entry in timeline}
    assert actors["PickTaskPicked"] == "picker:Hùng via api-key:handheld-1"


def test_an_order_placed_with_a_key_names_the_key_on_its_timeline(runtime, world):
    shop = api_client(runtime, scopes=["orders:write"], name="shop-sync", app=world.app)
    answer = shop.post("/api/v1/orders", json=protected(world)[0][2])
    assert answer.status_code == 201, answer.text
    timeline = shop.get(f"/api/v1/orders/{answer.json()['order_id']}").json()["timeline"]
    actors = {entry["type"]: entry["actor"] for entry in timeline}
    assert actors["OrderPlaced"] == "api-key:shop-sync"


def test_public_endpoints_need_no_key(runtime, world):
    # Given a caller without any key
    anonymous = TestClient(world.app)

    # Then health, the docs and the description answer
    assert anonymous.get("/api/v1/health").status_code == 200
    assert anonymous.get("/docs").status_code == 200
    assert anonymous.get("/openapi.json").status_code == 200
    # And tracking, surveys and carrier callbacks judge by their own credential, not a key
    assert anonymous.get("/api/v1/tracking/NOPE").status_code == 404
    survey = anonymous.post("/api/v1/surveys/not-a-token", json={"score": 9, "comment": ""})
    assert survey.status_code == 404 and "API key" not in survey.text
    callback = anonymous.post("/api/v1/carriers/car_nope/callbacks", content=b"{}")
    assert callback.status_code == 404 and "API key" not in callback.text
