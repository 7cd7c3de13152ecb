"""Bad input over HTTP: every write endpoint answers 422 naming the field and writes nothing.

After each refused request the row count of EVERY table is what it was before.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api_client import OrderWaitingForPick, api_client, order_waiting_for_pick, row_counts

pytestmark = pytest.mark.integration


@dataclass
class World(OrderWaitingForPick):
    api: TestClient


@pytest.fixture
def world(runtime) -> World:  # type: ignore[no-untyped-def]
    order = order_waiting_for_pick(runtime)
    return World(**vars(order), api=api_client(runtime))


def assert_refused(runtime, api: TestClient, path: str, body: Any, field: list[Any]) -> None:  # type: ignore[no-untyped-def]
    """422 with an entry whose location is ``["body", *field]``, and no table changed."""
    before = row_counts(runtime)
    answer = api.post(path, json=body)
    assert answer.status_code == 422, (path, body, answer.status_code, answer.text)
    locations = [problem["loc"] for problem in answer.json()["detail"]]
    assert ["body", *field] in locations, (path, body, locations)
    assert all(problem["msg"] for problem in answer.json()["detail"])
    assert row_counts(runtime) == before, (path, body)


def without(body: dict[str, Any], field: str) -> dict[str, Any]:
    return {key: value for key, value in body.items() if key != field}


CUSTOMER = {
    "name": "Lê Văn Nam",
    "email": "nam@example.vn",
    "phone": "0912 000 111",
    "province": "Hà Nội",
    "ward": "Phường Ba Đình",
    "street": "3 Điện Biên Phủ",
}
PRODUCT = {
    "sku": "QUAT-009",
    "barcode": "8930000000099",
    "name_vi": "Quạt bàn",
    "price_vnd": 400_000,
    "cost_vnd": 250_000,
    "weight_grams": 2_000,
}


def test_customers_and_products_refuse_bad_bodies(runtime, world):
    api = world.api
    for body, field in [
        (without(CUSTOMER, "email"), ["email"]),
        ({**CUSTOMER, "phone": "12345"}, ["phone"]),
        ({**CUSTOMER, "phone": 912000111}, ["phone"]),
        ({**CUSTOMER, "province": "Atlantis"}, ["province"]),
        ({**CUSTOMER, "ward": "Phường Không Có"}, ["ward"]),
        ({**CUSTOMER, "email": "not-an-email"}, ["email"]),
        ({**CUSTOMER, "email": "lan@example.vn"}, ["email"]),  # already registered
        ({**CUSTOMER, "tier": "platinum"}, ["tier"]),
        ({**CUSTOMER, "admin": True}, ["admin"]),
    ]:
        assert_refused(runtime, api, "/api/v1/customers", body, field)
    for body, field in [
        (without(PRODUCT, "sku"), ["sku"]),
        ({**PRODUCT, "price_vnd": "400000"}, ["price_vnd"]),
        ({**PRODUCT, "price_vnd": 400_000.5}, ["price_vnd"]),
        ({**PRODUCT, "cost_vnd": -1}, ["cost_vnd"]),
        ({**PRODUCT, "weight_grams": 0}, ["weight_grams"]),
        ({**PRODUCT, "sku": "AO-001"}, ["sku"]),  # taken
        ({**PRODUCT, "vat_rate_percent": 7}, ["vat_rate_percent"]),
        ({**PRODUCT, "colour": "blue"}, ["colour"]),
    ]:
        assert_refused(runtime, api, "/api/v1/products", body, field)


def test_stock_receipts_refuse_bad_bodies(runtime, world):
    good = {"warehouse_id": world.warehouse_id, "product_id": world.product_id, "quantity": 5}
    for body, field in [
        (without(good, "quantity"), ["quantity"]),
        ({**good, "quantity": 0}, ["quantity"]),
        ({**good, "quantity": -3}, ["quantity"]),
        ({**good, "quantity": "3"}, ["quantity"]),
        ({**good, "quantity": 2.5}, ["quantity"]),
        ({**good, "unit_cost_vnd": "80000"}, ["unit_cost_vnd"]),
        ({**good, "product_id": "P-NOPE"}, ["product_id"]),
        ({**good, "warehouse_id": "W-NOPE"}, ["warehouse_id"]),
        ({**good, "note": "x"}, ["note"]),
    ]:
        assert_refused(runtime, world.api, "/api/v1/stock/receipts", body, field)


def test_orders_refuse_bad_bodies(runtime, world):
    line = {"product_id": world.product_id, "quantity": 1}
    good = {"customer_id": world.customer_id, "lines": [line]}
    address = {
        "phone": "0912 345 678",
        "province": "Hà Nội",
        "ward": "Phường Ba Đình",
        "street": "1 A",
    }
    for body, field in [
        (without(good, "customer_id"), ["customer_id"]),
        ({**good, "customer_id": "C-NOPE"}, ["customer_id"]),
        ({**good, "lines": []}, ["lines"]),
        ({**good, "lines": [{**line, "quantity": 0}]}, ["lines", 0, "quantity"]),
        ({**good, "lines": [{**line, "quantity": -1}]}, ["lines", 0, "quantity"]),
        ({**good, "lines": [{**line, "quantity": "3"}]}, ["lines", 0, "quantity"]),
        ({**good, "lines": [{**line, "quantity": 2.5}]}, ["lines", 0, "quantity"]),
        ({**good, "lines": [{**line, "quantity": 20_000}]}, ["lines", 0, "quantity"]),
        ({**good, "lines": [line, {**line, "product_id": "P-NOPE"}]}, ["lines", 1, "product_id"]),
        ({**good, "shipping_fee_vnd": "30000"}, ["shipping_fee_vnd"]),
        ({**good, "shipping_fee_vnd": -1}, ["shipping_fee_vnd"]),
        ({**good, "payment_method": "barter"}, ["payment_method"]),
        ({**good, "service_level": "rocket"}, ["service_level"]),
        ({**good, "shipping_address": {**address, "phone": "123"}}, ["shipping_address", "phone"]),
        (
            {**good, "shipping_address": {**address, "province": "Atlantis"}},
            ["shipping_address", "province"],
        ),
        ({**good, "shipping_address": without(address, "ward")}, ["shipping_address", "ward"]),
        ({**good, "lines": [{**line, "quantity": 1_000}]}, ["shipping_fee_vnd"]),  # 250 kg
        ({**good, "promised_at": "2026-11-05T10:00:00"}, ["promised_at"]),  # no time zone
        ({**good, "coupon": "FREE"}, ["coupon"]),
    ]:
        assert_refused(runtime, world.api, "/api/v1/orders", body, field)
    order = f"/api/v1/orders/{world.order_id}"
    for path, body, field in [
        (f"{order}/cancel", {}, ["reason"]),
        (f"{order}/cancel", {"reason": ""}, ["reason"]),
        (f"{order}/cancel", {"reason": "   "}, ["reason"]),
        (f"{order}/cancel", {"reason": 5}, ["reason"]),
        (f"{order}/payments", {"gateway": "vnpay", "reference": "r1"}, ["amount_vnd"]),
        (
            f"{order}/payments",
            {"amount_vnd": "1000", "gateway": "vnpay", "reference": "r1"},
            ["amount_vnd"],
        ),
        (
            f"{order}/payments",
            {"amount_vnd": 0, "gateway": "vnpay", "reference": "r1"},
            ["amount_vnd"],
        ),
        (
            f"{order}/payments",
            {"amount_vnd": 10.5, "gateway": "vnpay", "reference": "r"},
            ["amount_vnd"],
        ),
        (f"{order}/payments", {"amount_vnd": 1000, "gateway": "vnpay"}, ["reference"]),
        (f"{order}/payments", {"amount_vnd": 1, "gateway": "v", "reference": "r", "x": 1}, ["x"]),
    ]:
        assert_refused(runtime, world.api, path, body, field)


def test_warehouse_steps_refuse_bad_bodies(runtime, world):
    task = f"/api/v1/pick-tasks/{world.pick_task_id}"
    parcel = {"weight_grams": 300, "packer": "Mai"}
    for path, body, field in [
        (f"{task}/confirm", {}, ["picker"]),
        (f"{task}/confirm", {"picker": ""}, ["picker"]),
        (f"{task}/confirm", {"picker": "   "}, ["picker"]),
        (f"{task}/confirm", {"picker": 7}, ["picker"]),
        (f"{task}/confirm", {"picker": "Hùng", "fast": True}, ["fast"]),
        (f"{task}/scans", {}, ["code"]),
        (f"{task}/scans", {"code": ""}, ["code"]),
        (f"{task}/scans", {"code": 8930000000011}, ["code"]),
        (f"{task}/parcel", without(parcel, "weight_grams"), ["weight_grams"]),
        (f"{task}/parcel", {**parcel, "weight_grams": 0}, ["weight_grams"]),
        (f"{task}/parcel", {**parcel, "weight_grams": "300"}, ["weight_grams"]),
        (f"{task}/parcel", {**parcel, "weight_grams": 300.5}, ["weight_grams"]),
        (f"{task}/parcel", {**parcel, "length_cm": -2}, ["length_cm"]),
        (f"{task}/parcel", {**parcel, "packer": "  "}, ["packer"]),
        (f"{task}/parcel", without(parcel, "packer"), ["packer"]),
        (f"{task}/parcel", {**parcel, "tape": "red"}, ["tape"]),
    ]:
        assert_refused(runtime, world.api, path, body, field)


def test_after_sales_and_carrier_endpoints_refuse_bad_bodies(runtime, world):
    ticket = {"customer_id": world.customer_id, "subject": "Hỏng", "body": "Máy không chạy"}
    for path, body, field in [
        ("/api/v1/surveys/any-token", {}, ["score"]),
        ("/api/v1/surveys/any-token", {"score": 11}, ["score"]),
        ("/api/v1/surveys/any-token", {"score": -1}, ["score"]),
        ("/api/v1/surveys/any-token", {"score": "9"}, ["score"]),
        ("/api/v1/surveys/any-token", {"score": 8.5}, ["score"]),
        ("/api/v1/surveys/any-token", {"score": 9, "name": "x"}, ["name"]),
        ("/api/v1/tickets", without(ticket, "subject"), ["subject"]),
        ("/api/v1/tickets", {**ticket, "subject": "   "}, ["subject"]),
        ("/api/v1/tickets", {**ticket, "customer_id": "C-NOPE"}, ["customer_id"]),
        ("/api/v1/tickets", {**ticket, "order_id": "O-NOPE"}, ["order_id"]),
        ("/api/v1/tickets", {**ticket, "priority": 1}, ["priority"]),
        ("/api/v1/tickets/any/resolve", {}, ["resolution"]),
        ("/api/v1/tickets/any/resolve", {"resolution": 3}, ["resolution"]),
    ]:
        assert_refused(runtime, world.api, path, body, field)


def test_unsigned_or_forged_carrier_callbacks_are_refused_and_write_nothing(runtime, world):
    before = row_counts(runtime)
    body = b'{"OrderCode":"GHN000000001","Status":"delivered","Time":"2026-11-02T01:00:00Z"}'
    unsigned = world.api.post("/api/v1/carriers/ghn/callbacks", content=body)
    forged = world.api.post(
        "/api/v1/carriers/ghn/callbacks",
        content=body,
        headers={"X-Lienmach-Timestamp": "1793581200", "X-Lienmach-Signature": "00" * 32},
    )
    assert unsigned.status_code == 401 and "missing" in unsigned.json()["detail"]
    assert forged.status_code == 401 and "signature" in forged.json()["detail"]
    assert row_counts(runtime) == before


def test_unknown_ids_are_404_and_write_nothing(runtime, world):
    api = world.api
    before = row_counts(runtime)
    for path in [
        "/api/v1/orders/O-NOPE",
        "/api/v1/customers/C-NOPE",
        "/api/v1/pick-tasks/PT-NOPE",
        "/api/v1/tickets/tk_NOPE",
        "/api/v1/tracking/GHN000000000",
    ]:
        answer = api.get(path)
        assert answer.status_code == 404, path
        assert "NOPE" in answer.json()["detail"] or "GHN000000000" in answer.json()["detail"]
    for path, body in [
        ("/api/v1/orders/O-NOPE/cancel", {"reason": "changed my mind"}),
        ("/api/v1/orders/O-NOPE/payments", {"amount_vnd": 1000, "gateway": "v", "reference": "r"}),
        ("/api/v1/pick-tasks/PT-NOPE/confirm", {"picker": "Hùng"}),
        ("/api/v1/pick-tasks/PT-NOPE/scans", {"code": "8930000000011"}),
        ("/api/v1/pick-tasks/PT-NOPE/parcel", {"weight_grams": 300, "packer": "Mai"}),
        ("/api/v1/shipments/shp_NOPE/pickup", None),
        ("/api/v1/surveys/NOPE", {"score": 9}),
        ("/api/v1/tickets/tk_NOPE/resolve", {"resolution": "done"}),
        ("/api/v1/carriers/NOPE/callbacks", {"OrderCode": "x"}),
    ]:
        answer = api.post(path, json=body)
        assert answer.status_code == 404, (path, answer.status_code, answer.text)
    assert row_counts(runtime) == before


def test_refused_business_moves_are_409(runtime, world):
    api = world.api
    order = f"/api/v1/orders/{world.order_id}"
    task = f"/api/v1/pick-tasks/{world.pick_task_id}"

    # A task cannot be packed before it is picked, nor confirmed twice
    early = api.post(f"{task}/parcel", json={"weight_grams": 300, "packer": "Mai"})
    assert early.status_code == 409 and "picked" in early.json()["detail"]
    assert api.post(f"{task}/confirm", json={"picker": "Hùng"}).status_code == 200
    twice = api.post(f"{task}/confirm", json={"picker": "Hùng"})
    assert twice.status_code == 409

    # A cancelled order cannot be cancelled again; money arriving for it is taken and refunded
    cancelled = api.post(f"{order}/cancel", json={"reason": "khách đổi ý"})
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    assert cancelled.json()["cancel_reason"] == "khách đổi ý"
    assert api.post(f"{order}/cancel", json={"reason": "again"}).status_code == 409
    paid = api.post(
        f"{order}/payments", json={"amount_vnd": 1000, "gateway": "v", "reference": "r"}
    )
    assert paid.status_code == 200 and paid.json()["state"] == "cancelled"
