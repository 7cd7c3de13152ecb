"""Orders over HTTP: the quoted shipping fee, listing, stock, and a customer's own ticket."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lienmach.orders.tables import orders
from tests.api_client import api_client
from tests.factories import seed_company

pytestmark = pytest.mark.integration

CAN_THO = {"province": "Cần Thơ", "ward": "Phường Ninh Kiều", "street": "5 Hai Bà Trưng"}


def test_the_fee_is_quoted_from_the_nearest_warehouse_at_the_cheapest_carrier(runtime):
    # Given Minh in TP.HCM and warehouses in Hà Nội and TP.HCM
    company = seed_company(runtime)
    api = api_client(runtime)
    shirt = {"product_id": company.products["AO-001"], "quantity": 1}  # 250 g
    minh = company.customers["Minh"]

    # When he orders to his own address, then to Cần Thơ standard, then to Cần Thơ express
    home = api.post("/api/v1/orders", json={"customer_id": minh, "lines": [shirt]})
    can_tho = api.post(
        "/api/v1/orders",
        json={"customer_id": minh, "lines": [shirt], "shipping_address": CAN_THO},
    )
    express = api.post(
        "/api/v1/orders",
        json={
            "customer_id": minh,
            "lines": [shirt],
            "shipping_address": CAN_THO,
            "service_level": "express",
        },
    )
    given = api.post(
        "/api/v1/orders", json={"customer_id": minh, "lines": [shirt], "shipping_fee_vnd": 0}
    )

    # Then each fee is the cheapest ≤ 500 g fee from TP.HCM for that distance and service
    fees = [
        api.get(f"/api/v1/orders/{answer.json()['order_id']}").json()["shipping_fee_vnd"]
        for answer in (home, can_tho, express, given)
    ]
    assert fees == [15_000, 20_000, 28_000, 0]
    detail = api.get(f"/api/v1/orders/{can_tho.json()['order_id']}").json()
    assert detail["ship_province_code"] == "92" and detail["ship_ward"] == "Phường Ninh Kiều"
    assert {r["warehouse_id"] for r in detail["reservations"]} == {company.hcmc_warehouse}


def test_a_parcel_no_carrier_takes_is_refused_naming_the_fee(runtime):
    # Given 1,000 shirts (250 kg), more than any carrier takes
    company = seed_company(runtime)
    api = api_client(runtime)
    lines = [{"product_id": company.products["AO-001"], "quantity": 1_000}]

    # When they are ordered without a fee
    answer = api.post(
        "/api/v1/orders", json={"customer_id": company.customers["Lan"], "lines": lines}
    )

    # Then the fee is named as the problem and nothing was ordered
    assert answer.status_code == 422
    [problem] = answer.json()["detail"]
    assert problem["loc"] == ["body", "shipping_fee_vnd"] and "250000 g" in problem["msg"]
    with runtime.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(orders)).scalar_one() == 0


def test_orders_are_listed_newest_first_and_filtered(runtime, clock):
    # Given three orders by two customers, one of them cancelled
    company = seed_company(runtime)
    api = api_client(runtime)
    shirt = {"product_id": company.products["AO-001"], "quantity": 1}
    placed = []
    for name in ("Lan", "Minh", "Lan"):
        body = {"customer_id": company.customers[name], "lines": [shirt], "shipping_fee_vnd": 0}
        placed.append(api.post("/api/v1/orders", json=body).json()["order_id"])
        clock.advance(timedelta(minutes=5))
    assert (
        api.post(f"/api/v1/orders/{placed[0]}/cancel", json={"reason": "trùng"}).status_code == 200
    )

    # When they are listed
    everything = api.get("/api/v1/orders").json()
    lans = api.get("/api/v1/orders", params={"customer_id": company.customers["Lan"]}).json()
    cancelled = api.get("/api/v1/orders", params={"state": "cancelled"}).json()
    paged = api.get("/api/v1/orders", params={"limit": 1, "offset": 1}).json()

    # Then newest first, filtered and paged as asked
    assert [o["id"] for o in everything["orders"]] == placed[::-1]
    assert [o["id"] for o in lans["orders"]] == [placed[2], placed[0]]
    assert [o["id"] for o in cancelled["orders"]] == [placed[0]]
    assert [o["id"] for o in paged["orders"]] == [placed[1]] and paged["limit"] == 1
    assert api.get("/api/v1/orders", params={"limit": 0}).status_code == 422


def test_cancelling_releases_stock_and_the_stock_endpoint_shows_it(runtime):
    # Given an order holding two shirts in Hà Nội
    company = seed_company(runtime)
    api = api_client(runtime)
    shirt = company.products["AO-001"]
    body = {
        "customer_id": company.customers["Lan"],
        "lines": [{"product_id": shirt, "quantity": 2}],
        "shipping_fee_vnd": 30_000,
    }
    order_id = api.post("/api/v1/orders", json=body).json()["order_id"]
    levels = api.get("/api/v1/stock", params={"product_id": shirt}).json()
    held = {row["warehouse_code"]: (row["on_hand"], row["reserved"]) for row in levels}
    assert held == {"HN1": (10, 2), "SG1": (10, 0)}

    # When the order is cancelled
    answer = api.post(f"/api/v1/orders/{order_id}/cancel", json={"reason": "khách đổi ý"})

    # Then its stock is free again, its pick task cancelled, and a credit note reverses it
    assert answer.status_code == 200
    assert {r["state"] for r in answer.json()["reservations"]} == {"released"}
    assert [t["state"] for t in answer.json()["pick_tasks"]] == ["cancelled"]
    levels = api.get("/api/v1/stock", params={"product_id": shirt}).json()
    assert {row["warehouse_code"]: row["available"] for row in levels} == {"HN1": 10, "SG1": 10}
    types = [entry["type"] for entry in answer.json()["timeline"]]
    assert types.index("OrderCancelled") > types.index("OrderPlaced")


def test_a_prepaid_order_waits_for_its_payment_before_picking(runtime):
    # Given a prepaid order
    company = seed_company(runtime)
    api = api_client(runtime)
    body = {
        "customer_id": company.customers["Lan"],
        "lines": [{"product_id": company.products["AO-001"], "quantity": 1}],
        "shipping_fee_vnd": 30_000,
        "payment_method": "prepaid",
    }
    placed = api.post("/api/v1/orders", json=body).json()
    assert api.get(f"/api/v1/orders/{placed['order_id']}").json()["pick_tasks"] == []

    # When the gateway's payment is recorded
    answer = api.post(
        f"/api/v1/orders/{placed['order_id']}/payments",
        json={"amount_vnd": placed["total_vnd"], "gateway": "vnpay", "reference": "VNP-001"},
    )

    # Then the order is paid and a pick task is queued
    assert answer.status_code == 200, answer.text
    assert answer.json()["paid_vnd"] == placed["total_vnd"]
    assert [t["state"] for t in answer.json()["pick_tasks"]] == ["queued"]


def test_a_customer_opens_a_ticket_about_an_order(runtime):
    # Given Lan's order
    company = seed_company(runtime)
    api = api_client(runtime)
    body = {
        "customer_id": company.customers["Lan"],
        "lines": [{"product_id": company.products["AO-001"], "quantity": 1}],
        "shipping_fee_vnd": 0,
    }
    order_id = api.post("/api/v1/orders", json=body).json()["order_id"]

    # When she opens a ticket about it, and Minh tries to open one about her order
    mine = api.post(
        "/api/v1/tickets",
        json={
            "customer_id": company.customers["Lan"],
            "order_id": order_id,
            "subject": "Đổi size",
            "body": "Cho tôi đổi sang size L",
        },
    )
    theirs = api.post(
        "/api/v1/tickets",
        json={
            "customer_id": company.customers["Minh"],
            "order_id": order_id,
            "subject": "?",
            "body": "?",
        },
    )

    # Then hers is open with a 24-hour deadline and linked to the order; his is refused
    assert mine.status_code == 201, mine.text
    ticket = mine.json()
    assert ticket["state"] == "open" and ticket["source"] == "customer"
    assert ticket["order_id"] == order_id
    assert api.get(f"/api/v1/orders/{order_id}").json()["tickets"][0]["id"] == ticket["id"]
    assert theirs.status_code == 422
    assert theirs.json()["detail"][0]["loc"] == ["body", "order_id"]
