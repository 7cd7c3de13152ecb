"""The order journey driven over HTTP, the way a shop, a warehouse and a carrier would.

A new customer in Hà Nội is registered, a new product is created and received into the Hà Nội
warehouse, and an order is placed without a shipping fee (it is quoted). The picker confirms,
the packer scans (one wrong code is refused and not counted) and closes the parcel; the carrier
is booked by itself; staff confirm the pickup; the carrier's signed callbacks deliver it (a
forged one is refused); the customer answers the survey with a 2, a ticket opens and is resolved.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from lienmach.aftersales.queries import survey_for_order
from lienmach.kernel.tables import event_log
from lienmach.web.app import create_app
from tests.api_client import api_client
from tests.factories import seed_company

pytestmark = pytest.mark.e2e

CUSTOMER = {
    "name": "Phạm Thu Hà",
    "email": "thuha@example.vn",
    "phone": "0903 111 222",
    "province": "Hà Nội",
    "ward": "Phường Ba Đình",
    "street": "8 Hoàng Diệu",
}
KETTLE = {
    "sku": "AM-004",
    "barcode": "8930000000042",
    "name_vi": "Ấm siêu tốc 1.7L",
    "name_en": "Electric kettle 1.7L",
    "price_vnd": 350_000,
    "cost_vnd": 200_000,
    "vat_rate_percent": 10,
    "weight_grams": 300,
    "warranty_months": 12,
}


def _events(runtime) -> int:  # type: ignore[no-untyped-def]
    with runtime.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(event_log)).scalar_one())


def test_an_order_goes_from_placed_to_resolved_ticket_over_http(runtime, clock, carrier_sandbox):
    # Given a company with warehouses, carriers and books, and the API over it
    carrier_sandbox.clock = clock
    company = seed_company(runtime)
    hanoi = company.hanoi_warehouse
    shirt = company.products["AO-001"]
    api = api_client(runtime)
    public = TestClient(create_app(runtime))  # no key: tracking, callbacks, surveys are public

    # When a customer and a product are created and the product is received
    answer = api.post("/api/v1/customers", json=CUSTOMER)
    assert answer.status_code == 201, answer.text
    customer = answer.json()
    assert customer["phone"] == "+84903111222" and customer["province_code"] == "01"
    assert api.get(f"/api/v1/customers/{customer['id']}").json() == customer
    answer = api.post("/api/v1/products", json=KETTLE)
    assert answer.status_code == 201, answer.text
    kettle = answer.json()["id"]
    assert kettle in [product["id"] for product in api.get("/api/v1/products").json()]
    answer = api.post(
        "/api/v1/stock/receipts",
        json={"warehouse_id": hanoi, "product_id": kettle, "quantity": 5, "unit_cost_vnd": 200_000},
    )
    assert answer.status_code == 201, answer.text
    assert [(row["warehouse_id"], row["on_hand"], row["available"]) for row in answer.json()] == [
        (hanoi, 5, 5)
    ]

    # And the customer orders two kettles and a shirt, cash on delivery, fee to be quoted
    answer = api.post(
        "/api/v1/orders",
        json={
            "customer_id": customer["id"],
            "lines": [
                {"product_id": kettle, "quantity": 2},
                {"product_id": shirt, "quantity": 1},
            ],
        },
    )
    assert answer.status_code == 201, answer.text
    placed = answer.json()

    # Then the order is reserved in Hà Nội, invoiced, and a pick task is queued
    order = api.get(f"/api/v1/orders/{placed['order_id']}").json()
    assert order["number"] == placed["number"]
    assert order["state"] == "fulfilling"
    # Hà Nội → Hà Nội, 2 × 300 g + 250 g = 850 g: the cheapest ≤ 1 kg local fee is 18,000 đ.
    assert order["shipping_fee_vnd"] == 18_000
    assert order["subtotal_vnd"] == 2 * 350_000 + 150_000
    assert order["total_vnd"] == placed["total_vnd"] == 850_000 + 85_000 + 18_000 + 1_440
    assert {(r["product_id"], r["warehouse_id"], r["quantity"]) for r in order["reservations"]} == {
        (kettle, hanoi, 2),
        (shirt, hanoi, 1),
    }
    assert order["invoice"]["total_vnd"] == order["total_vnd"]
    [task] = order["pick_tasks"]
    assert task["state"] == "queued" and task["units"] == 3
    assert task["id"] in [
        t["id"] for t in api.get(f"/api/v1/pick-tasks?warehouse_id={hanoi}").json()
    ]
    assert order["shipments"] == [] and order["tickets"] == []

    # When the picker confirms and the packer scans a wrong unit
    answer = api.post(f"/api/v1/pick-tasks/{task['id']}/confirm", json={"picker": "Hùng"})
    assert answer.status_code == 200 and answer.json()["state"] == "picked"
    wrong = api.post(f"/api/v1/pick-tasks/{task['id']}/scans", json={"code": "8930000000035"})

    # Then the scan is refused with a message and nothing is counted
    assert wrong.status_code == 409
    assert wrong.json()["accepted"] is False and "8930000000035" in wrong.json()["message"]
    assert api.get(f"/api/v1/pick-tasks/{task['id']}").json()["scanned_units"] == 0

    # When every unit is scanned and the parcel closed
    remaining = [
        api.post(f"/api/v1/pick-tasks/{task['id']}/scans", json={"code": code}).json()["remaining"]
        for code in ("8930000000042", "8930000000011", "8930000000042")
    ]
    assert remaining == [2, 1, 0]
    clock.advance(timedelta(hours=1))
    answer = api.post(
        f"/api/v1/pick-tasks/{task['id']}/parcel",
        json={
            "weight_grams": 950,
            "length_cm": 30,
            "width_cm": 20,
            "height_cm": 15,
            "packer": "Mai",
        },
    )
    assert answer.status_code == 201, answer.text

    # Then the carrier was booked by itself and the order is shipped
    order = api.get(f"/api/v1/orders/{placed['order_id']}").json()
    [shipment] = order["shipments"]
    assert order["state"] == "shipped"
    assert shipment["state"] == "booked" and shipment["tracking_code"]
    code = shipment["tracking_code"]

    # When staff confirm that the carrier collected the parcel
    clock.advance(timedelta(hours=2))
    answer = api.post(f"/api/v1/shipments/{shipment['id']}/pickup")
    assert answer.status_code == 200 and answer.json()["state"] == "picked_up"

    # Then anyone with the tracking number sees where it is, and nothing personal
    tracking = public.get(f"/api/v1/tracking/{code}")
    assert tracking.status_code == 200
    assert tracking.json()["state"] == "picked_up"
    assert tracking.json()["destination_province"] == "Thành phố Hà Nội"
    assert [item["status"] for item in tracking.json()["history"]][-1] == "picked_up"
    for private in ("Phạm Thu Hà", "+84903111222", "Hoàng Diệu", "thuha@"):
        assert private not in tracking.text

    # When a forged callback arrives, it is refused and writes nothing
    clock.advance(timedelta(hours=6))
    headers, body = carrier_sandbox.advance(code, "delivering")
    before = _events(runtime)
    forged = body.replace(b"delivering", b"delivered")
    answer = public.post(
        f"/api/v1/carriers/{shipment['carrier_id']}/callbacks", content=forged, headers=headers
    )
    assert answer.status_code == 401
    assert _events(runtime) == before

    # When the carrier's real, signed callbacks arrive
    answer = public.post(
        f"/api/v1/carriers/{shipment['carrier_id']}/callbacks", content=body, headers=headers
    )
    assert answer.status_code == 200 and answer.json() == {"outcome": "applied"}
    clock.advance(timedelta(hours=6))
    headers, body = carrier_sandbox.advance(code, "delivered")
    answer = public.post(
        f"/api/v1/carriers/{shipment['carrier_id']}/callbacks", content=body, headers=headers
    )
    assert answer.status_code == 200 and answer.json() == {"outcome": "applied"}
    repeated = public.post(
        f"/api/v1/carriers/{shipment['carrier_id']}/callbacks", content=body, headers=headers
    )
    assert repeated.json() == {"outcome": "duplicate"}

    # Then the order is delivered, and its timeline tells every step with who did it
    order = api.get(f"/api/v1/orders/{placed['order_id']}").json()
    assert order["state"] == "delivered" and order["closed_at"] is not None
    assert [item["status"] for item in order["shipments"][0]["history"]][-2:] == [
        "in_transit",
        "delivered",
    ]
    types = [entry["type"] for entry in order["timeline"]]
    story = ["OrderPlaced", "OrderReserved", "InvoiceIssued", "PickTaskQueued", "PickTaskPicked",
             "ScanRejected", "ParcelPacked", "ShipmentBooked", "ShipmentStatusChanged"]  # fmt: skip
    positions = [types.index(name) for name in story]
    assert positions == sorted(positions), types
    assert {"ShipmentDelivered", "OrderDelivered"} <= set(types[positions[-1] :])
    actors = {entry["type"]: entry["actor"] for entry in order["timeline"]}
    assert actors["OrderPlaced"] == "api-key:tests"
    assert actors["PickTaskPicked"] == "picker:Hùng via api-key:tests"
    placed_event = next(e for e in order["timeline"] if e["type"] == "OrderPlaced")
    assert placed_event["payload"]["total_vnd"] == order["total_vnd"]
    assert tracking.json()["tracking_code"] == code
    assert public.get(f"/api/v1/tracking/{code}").json()["state"] == "delivered"

    # When the customer answers the survey with a 2
    survey = runtime.read(survey_for_order, placed["order_id"])
    answer = public.post(
        f"/api/v1/surveys/{survey.token}", json={"score": 2, "comment": "Ấm bị móp"}
    )
    assert answer.status_code == 201, answer.text

    # Then a ticket opened by itself, linked to the order, due in 24 hours
    [ticket] = api.get(f"/api/v1/orders/{placed['order_id']}").json()["tickets"]
    assert ticket["source"] == "survey" and ticket["state"] == "open"
    detail = api.get(f"/api/v1/tickets/{ticket['id']}").json()
    assert detail["body"] == "Ấm bị móp" and detail["sla_state"] == "on_track"
    assert detail["due_at"] > detail["opened_at"]
    again = public.post(f"/api/v1/surveys/{survey.token}", json={"score": 10, "comment": ""})
    assert again.status_code == 409
    assert len(api.get(f"/api/v1/orders/{placed['order_id']}").json()["tickets"]) == 1

    # When staff resolve it
    clock.advance(timedelta(hours=3))
    answer = api.post(
        f"/api/v1/tickets/{ticket['id']}/resolve", json={"resolution": "Đổi ấm mới cho khách"}
    )

    # Then it is resolved within its SLA and the books balance
    assert answer.status_code == 200, answer.text
    assert answer.json()["state"] == "resolved" and answer.json()["sla_state"] == "met"
    assert answer.json()["resolution"] == "Đổi ấm mới cho khách"
    assert (
        api.post(
            f"/api/v1/tickets/{ticket['id']}/resolve", json={"resolution": "again"}
        ).status_code
        == 409
    )
    balance = api.get("/api/v1/ledger/trial-balance").json()
    assert balance["balanced"] is True and balance["total_debit"] == balance["total_credit"] > 0
    stock = {
        (row["product_id"], row["warehouse_id"]): row for row in api.get("/api/v1/stock").json()
    }
    assert stock[(kettle, hanoi)]["on_hand"] == 3 and stock[(kettle, hanoi)]["reserved"] == 0


def test_health_and_the_openapi_description(runtime):
    # Given the API, and a caller without any key
    api = TestClient(create_app(runtime))

    # When asked whether it is alive, and for its description
    health = api.get("/api/v1/health")
    spec = api.get("/openapi.json")

    # Then it answers with its database, and every endpoint is described
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "database": runtime.engine.dialect.name}
    paths = set(spec.json()["paths"])
    assert {
        "/api/v1/orders",
        "/api/v1/orders/{order_id}",
        "/api/v1/pick-tasks/{pick_task_id}/scans",
        "/api/v1/carriers/{carrier_id}/callbacks",
        "/api/v1/tracking/{tracking_code}",
        "/api/v1/ledger/trial-balance",
    } <= paths
    assert api.get("/docs").status_code == 200
    assert spec.json()["info"]["title"] == "Lienmach API"
    # And the description declares the API key so /docs offers to authorise with it
    schemes = spec.json()["components"]["securitySchemes"]
    assert schemes["ApiKey"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schemes["ApiKey"]["description"],
    }
    assert schemes["ApiKeyHeader"]["in"] == "header"
    assert schemes["ApiKeyHeader"]["name"] == "X-API-Key"
    operations = spec.json()["paths"]
    assert {"ApiKey": []} in operations["/api/v1/orders"]["post"]["security"]
    assert "security" not in operations["/api/v1/tracking/{tracking_code}"]["get"]
    assert "security" not in operations["/api/v1/health"]["get"]
