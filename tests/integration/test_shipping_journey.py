"""Shipping on both databases with the carrier sandbox over HTTP: a packed parcel gets a carrier,
is booked, the stock leaves and the customer is told; signed callbacks move it to delivery or
back to the warehouse; repeats, late statuses and forged callbacks change nothing."""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from lienmach.catalog.services import create_product
from lienmach.customers.services import register_customer
from lienmach.fulfilment import packing, picking
from lienmach.fulfilment.queries import tasks_for_order
from lienmach.inventory.queries import stock_levels_for
from lienmach.inventory.services import create_warehouse, receive_stock
from lienmach.kernel.clock import SimulatedClock
from lienmach.kernel.errors import InvalidInput
from lienmach.kernel.runtime import Runtime
from lienmach.kernel.tables import event_log, jobs
from lienmach.orders.placing import place_order
from lienmach.orders.queries import get_order
from lienmach.shipping import carrier_setup, carrier_updates, queries
from lienmach.shipping.sandbox import CarrierSandbox
from lienmach.shipping.tables import shipment_events
from lienmach.shipping.webhooks import InvalidSignature

pytestmark = pytest.mark.integration

BARCODE = "8930000000019"
SECRET = "test-carrier-secret"


def journey(runtime: Runtime, *, quantity: int = 2) -> dict[str, Any]:
    """A COD order of teas (100,000 đ + 10 % VAT each) from HCMC to Đồng Nai, packed."""
    runtime.run(carrier_setup.seed_carriers)
    product_id = runtime.run(
        create_product,
        sku="TEA-01",
        barcode=BARCODE,
        name_vi="Trà Thái Nguyên",
        price_vnd=100_000,
        cost_vnd=60_000,
        vat_rate_percent=10,
        weight_grams=400,
    )
    warehouse_id = runtime.run(
        create_warehouse,
        code="HCM",
        name="Kho Hồ Chí Minh",
        province_code="79",
        ward="Phường Bà Rịa",
        street="1 Lê Lợi",
    )
    runtime.run(receive_stock, warehouse_id=warehouse_id, product_id=product_id, quantity=10)
    customer_id = runtime.run(
        register_customer,
        name="Nguyễn Văn An",
        email="an@example.vn",
        phone="0912345678",
        province="75",
        ward="Phường Biên Hòa",
        street="12 Võ Thị Sáu",
    )
    placed = runtime.run(
        place_order,
        customer_id=customer_id,
        lines=[{"product_id": product_id, "quantity": quantity}],
        payment_method="cod",
    )
    (task,) = runtime.read(tasks_for_order, placed.order_id)
    runtime.run(picking.confirm_pick, pick_task_id=task.id, picker="Minh")
    for _ in range(quantity):
        runtime.run(packing.scan_unit, pick_task_id=task.id, code=BARCODE)
    parcel_id = runtime.run(
        packing.close_parcel, pick_task_id=task.id, weight_grams=900, packer="Lan"
    )
    return {
        "order_id": placed.order_id,
        "number": placed.number,
        "total_vnd": placed.total_vnd,
        "product_id": product_id,
        "warehouse_id": warehouse_id,
        "parcel_id": parcel_id,
    }


def shipment_of(runtime: Runtime, order_id: str) -> queries.ShipmentView:
    (shipment,) = runtime.read(queries.shipments_for_order, order_id)
    return shipment


def published(runtime: Runtime, event_type: str) -> list[dict[str, Any]]:
    with runtime.engine.connect() as connection:
        rows = connection.execute(
            sa.select(event_log.c.payload).where(event_log.c.type == event_type)
        )
        return [dict(row.payload) for row in rows]


def stock(runtime: Runtime, product_id: str) -> tuple[int, int]:
    (level,) = runtime.read(stock_levels_for, product_ids=[product_id])
    return level.on_hand, level.reserved


def callback(runtime: Runtime, sandbox: CarrierSandbox, tracking: str, status: str) -> str:
    headers, body = sandbox.advance(tracking, status)
    return runtime.run(
        carrier_updates.parse_and_record_callback,
        carrier_id="ghn",
        headers=headers,
        body=body,
        secret=sandbox.secret,
    )


def test_a_packed_parcel_is_booked_with_the_best_carrier_and_the_customer_is_told(
    runtime: Runtime, carrier_sandbox: CarrierSandbox, smtp_server: Any, sms_gateway: Any
) -> None:
    # given a COD order for 2 teas (220,000 đ) packed in HCMC for Đồng Nai (64 km)
    given = journey(runtime)

    # then GHN was chosen: 25,000 đ + 5,000 đ COD fee in 2 days beats GHTK's 27,000 đ in 3
    shipment = shipment_of(runtime, given["order_id"])
    assert shipment.carrier_id == "ghn"
    assert shipment.service_level == "standard"
    assert shipment.fee_vnd == 30_000
    assert shipment.cod_amount_vnd == given["total_vnd"] == 220_000
    assert shipment.weight_grams == 900
    assert shipment.choice_reason == (
        "GHN standard: fastest of 3 within promised 3 days; 30,000 đ vs 27,000 đ, 2 vs 3 days"
    )
    assert shipment.promised_at == runtime.clock.now() + timedelta(days=2)
    # and it was booked with the carrier over HTTP, once, under the sandbox's tracking code
    assert shipment.state == "booked"
    assert shipment.tracking_code is not None
    assert re.fullmatch(r"GHN\d{9}", shipment.tracking_code)
    assert carrier_sandbox.create_calls == 1
    booked = carrier_sandbox.orders[shipment.tracking_code]
    assert booked["client_order_code"] == shipment.id
    assert booked["cod_amount"] == 220_000
    assert booked["weight"] == 900
    assert booked["to_phone"] == "+84912345678"
    assert booked["to_province_name"] == "Đồng Nai"
    # and the stock left the warehouse, the order is shipped
    assert stock(runtime, given["product_id"]) == (8, 0)
    order = runtime.read(get_order, given["order_id"])
    assert order is not None
    assert order.state == "shipped"
    assert [line.shipped_quantity for line in order.lines] == [2]
    # and the customer got the tracking number by e-mail and SMS, once each
    code = shipment.tracking_code
    mails = smtp_server.wait_for(lambda message: code in message["body"])
    assert [mail["to"] for mail in mails] == [["an@example.vn"]]
    assert f"/track/{code}" in mails[0]["body"]
    texts = [sms for sms in sms_gateway.messages if code in str(sms)]
    assert len(texts) == 1
    # and each fact was published exactly once
    assert len(published(runtime, "CarrierChosen")) == 1
    assert [p["tracking_code"] for p in published(runtime, "ShipmentBooked")] == [code]
    assert runtime.read(queries.find_by_tracking_code, code.lower()) == shipment


def test_a_carrier_outage_is_retried_and_books_one_carrier_order(
    runtime: Runtime, clock: SimulatedClock, carrier_sandbox: CarrierSandbox
) -> None:
    # given the carrier fails the first booking attempt
    carrier_sandbox.fail_next_creates = 1
    given = journey(runtime)
    shipment = shipment_of(runtime, given["order_id"])
    assert shipment.state == "booking"
    assert shipment.tracking_code is None
    assert stock(runtime, given["product_id"]) == (10, 2)  # nothing left the warehouse yet
    with runtime.engine.connect() as connection:
        job = connection.execute(sa.select(jobs).where(jobs.c.kind == "shipping.book")).one()
    assert job.state == "pending"
    assert "temporary failure" in job.last_error

    # when the job comes round again
    clock.advance(timedelta(seconds=5))
    runtime.drain()

    # then the parcel is booked once
    shipment = shipment_of(runtime, given["order_id"])
    assert shipment.state == "booked"
    assert carrier_sandbox.create_calls == 2
    assert list(carrier_sandbox.orders) == [shipment.tracking_code]
    assert stock(runtime, given["product_id"]) == (8, 0)
    assert len(published(runtime, "ShipmentBooked")) == 1


def test_callbacks_move_the_parcel_to_delivery_once_and_never_backwards(
    runtime: Runtime, clock: SimulatedClock, carrier_sandbox: CarrierSandbox
) -> None:
    carrier_sandbox.clock = clock
    given = journey(runtime)
    code = shipment_of(runtime, given["order_id"]).tracking_code
    assert code is not None

    # when the carrier reports pick-up, transport and delivery a day later
    assert callback(runtime, carrier_sandbox, code, "picked") == "applied"
    clock.advance(timedelta(hours=20))
    assert callback(runtime, carrier_sandbox, code, "transporting") == "applied"
    clock.advance(timedelta(hours=4))
    assert callback(runtime, carrier_sandbox, code, "delivered") == "applied"

    # then the shipment and the order are delivered, on time
    shipment = shipment_of(runtime, given["order_id"])
    assert shipment.state == "delivered"
    assert shipment.delivered_at == clock.now()
    assert [(h.status, h.carrier_status) for h in shipment.history] == [
        ("booked", "ready_to_pick"),
        ("picked_up", "picked"),
        ("in_transit", "transporting"),
        ("delivered", "delivered"),
    ]
    order = runtime.read(get_order, given["order_id"])
    assert order is not None
    assert order.state == "delivered"
    assert [p["cod_amount_vnd"] for p in published(runtime, "ShipmentDelivered")] == [220_000]
    assert runtime.read(queries.on_time_rates) == {"ghn": 1.0}

    # when the delivered callback arrives again, and a late "transporting" after it
    (*_, (headers, body)) = carrier_sandbox.callbacks_for(code)
    repeat = runtime.run(
        carrier_updates.parse_and_record_callback,
        carrier_id="ghn",
        headers=headers,
        body=body,
        secret=carrier_sandbox.secret,
    )
    clock.advance(timedelta(minutes=1))
    late = callback(runtime, carrier_sandbox, code, "transporting")

    # then nothing changes: one status row per event, no state moved back, nothing published
    assert (repeat, late) == ("duplicate", "ignored")
    after = shipment_of(runtime, given["order_id"])
    assert after.state == "delivered"
    assert after.history == shipment.history
    assert len(published(runtime, "ShipmentDelivered")) == 1
    assert len(published(runtime, "ShipmentStatusChanged")) == 3
    assert len(published(runtime, "OrderDelivered")) == 1


def test_a_failed_delivery_brings_the_units_back_to_the_warehouse(
    runtime: Runtime, clock: SimulatedClock, carrier_sandbox: CarrierSandbox
) -> None:
    carrier_sandbox.clock = clock
    given = journey(runtime)
    code = shipment_of(runtime, given["order_id"]).tracking_code
    assert code is not None
    callback(runtime, carrier_sandbox, code, "picked")

    # when the carrier cannot deliver
    headers, body = carrier_sandbox.advance(code, "delivery_fail", reason="Khách không nghe máy")
    runtime.run(
        carrier_updates.parse_and_record_callback,
        carrier_id="ghn",
        headers=headers,
        body=body,
        secret=carrier_sandbox.secret,
    )

    # then the shipment is returned, the units are on hand again, the order is returned
    shipment = shipment_of(runtime, given["order_id"])
    assert shipment.state == "returned"
    assert shipment.history[-1].note == "Khách không nghe máy"
    assert stock(runtime, given["product_id"]) == (10, 0)
    order = runtime.read(get_order, given["order_id"])
    assert order is not None
    assert order.state == "returned"
    assert [p["reason"] for p in published(runtime, "ShipmentFailed")] == ["Khách không nghe máy"]
    assert [p["warehouse_id"] for p in published(runtime, "ShipmentReturned")] == [
        given["warehouse_id"]
    ]
    assert published(runtime, "ShipmentDelivered") == []

    # and the carrier's later "returned" status changes nothing
    assert callback(runtime, carrier_sandbox, code, "returned") == "ignored"
    assert len(published(runtime, "StockReturned")) == 1


def test_forged_or_stale_callbacks_are_refused_and_write_nothing(
    runtime: Runtime, clock: SimulatedClock, carrier_sandbox: CarrierSandbox
) -> None:
    carrier_sandbox.clock = clock
    given = journey(runtime)
    code = shipment_of(runtime, given["order_id"]).tracking_code
    assert code is not None
    headers, body = carrier_sandbox.advance(code, "delivered")
    events_before = len(published(runtime, "ShipmentStatusChanged"))

    def record(headers: dict[str, str], body: bytes, secret: str) -> str:
        return runtime.run(
            carrier_updates.parse_and_record_callback,
            carrier_id="ghn",
            headers=headers,
            body=body,
            secret=secret,
        )

    with pytest.raises(InvalidSignature, match="signature does not match"):
        record(headers, body.replace(b"delivered", b"delivering"), carrier_sandbox.secret)
    with pytest.raises(InvalidSignature, match="signature does not match"):
        record(headers, body, "another-secret-entirely")
    clock.advance(timedelta(minutes=6))
    with pytest.raises(InvalidSignature, match="timestamp too old"):
        record(headers, body, carrier_sandbox.secret)

    shipment = shipment_of(runtime, given["order_id"])
    assert shipment.state == "booked"
    with runtime.engine.connect() as connection:
        rows = connection.execute(sa.select(sa.func.count()).select_from(shipment_events))
        assert rows.scalar_one() == 1  # only the booking itself
    assert len(published(runtime, "ShipmentStatusChanged")) == events_before == 0


def test_checkout_quotes_come_from_the_stored_rate_cards(runtime: Runtime) -> None:
    assert runtime.run(carrier_setup.seed_carriers) == 27  # 3 carriers, 24 rate card rows
    assert runtime.run(carrier_setup.seed_carriers) == 0  # seeding again adds nothing

    quotes = runtime.read(
        queries.quote_shipping,
        origin_province_code="79",
        destination_province_code="75",
        weight_grams=900,
        service_level="standard",
        cod_amount_vnd=220_000,
    )
    assert [(q.carrier_id, q.fee_vnd, q.promised_days) for q in quotes] == [
        ("ghtk", 27_000, 3),
        ("ghn", 30_000, 2),
        ("vtp", 31_000, 3),
    ]
    assert quotes[0].carrier_name == "Giao Hàng Tiết Kiệm"
    with pytest.raises(InvalidInput) as raised:
        runtime.read(
            queries.quote_shipping,
            origin_province_code="79",
            destination_province_code="00",
            weight_grams=900,
            service_level="standard",
        )
    assert set(raised.value.errors) == {"destination_province_code"}


def test_the_same_callback_arriving_twice_at_once_is_applied_once(
    runtime: Runtime, clock: SimulatedClock, carrier_sandbox: CarrierSandbox
) -> None:
    carrier_sandbox.clock = clock
    given = journey(runtime)
    code = shipment_of(runtime, given["order_id"]).tracking_code
    assert code is not None
    headers, body = carrier_sandbox.advance(code, "delivered")
    outcomes: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def deliver_callback() -> None:
        try:
            start.wait()
            with runtime.uow("carrier") as uow:
                outcome = carrier_updates.parse_and_record_callback(
                    uow, carrier_id="ghn", headers=headers, body=body, secret=SECRET
                )
                uow.commit()
            outcomes.append(outcome)
        except BaseException as error:  # collected for the assertion below
            errors.append(error)

    threads = [threading.Thread(target=deliver_callback) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    runtime.drain()

    assert errors == []
    assert sorted(outcomes) == ["applied", "duplicate"]
    shipment = shipment_of(runtime, given["order_id"])
    assert [h.status for h in shipment.history] == ["booked", "delivered"]
    assert len(published(runtime, "ShipmentDelivered")) == 1
    assert len(published(runtime, "OrderDelivered")) == 1
