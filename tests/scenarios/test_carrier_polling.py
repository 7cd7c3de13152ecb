"""Carrier callbacks get lost; polling the carrier makes up for them.

Lan's COD parcel is picked up and the carrier's "picked" callback reaches us; every later
callback is lost. Two hours without news, the carrier is asked where the parcel is and what it
says is applied as if the callbacks had come; a poll that learns nothing changes nothing; once
delivered, the order closes, the COD cash is posted, and the parcel is no longer polled.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lienmach.aftersales.queries import survey_for_order
from lienmach.billing.queries import account_balance, trial_balance
from lienmach.billing.tables import journal_entries
from lienmach.kernel.clock import SimulatedClock
from lienmach.kernel.runtime import Runtime
from lienmach.kernel.tables import event_log
from lienmach.orders.placing import place_order
from lienmach.orders.queries import get_order, order_timeline
from lienmach.shipping.carrier_updates import parse_and_record_callback
from lienmach.shipping.polling import apply_status_report
from lienmach.shipping.queries import ShipmentView, shipments_for_order
from lienmach.shipping.sandbox import CarrierSandbox
from lienmach.shipping.tables import shipment_events
from tests.factories import seed_company
from tests.steps import pick_and_pack

pytestmark = pytest.mark.scenario


def _rows(runtime: Runtime) -> tuple[int, int, int]:
    """(logged events, shipment status rows, journal entries): what any change would add to."""

    def count(connection, table) -> int:  # type: ignore[no-untyped-def]
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())

    return runtime.read(
        lambda c: (count(c, event_log), count(c, shipment_events), count(c, journal_entries))
    )


def _shipment(runtime: Runtime, order_id: str) -> ShipmentView:
    [shipment] = runtime.read(shipments_for_order, order_id)
    return shipment


def test_polling_the_carrier_delivers_an_order_whose_callbacks_were_lost(
    runtime: Runtime, clock: SimulatedClock, carrier_sandbox: CarrierSandbox, smtp_server
) -> None:  # type: ignore[no-untyped-def]
    carrier_sandbox.clock = clock
    carrier_sandbox.lose_callbacks = True
    company = seed_company(runtime)
    placed = runtime.run(
        place_order,
        customer_id=company.customers["Lan"],
        lines=[{"product_id": company.products["AO-001"], "quantity": 2}],
        shipping_fee_vnd=30_000,
    )
    pick_and_pack(runtime, placed.order_id)
    shipment = _shipment(runtime, placed.order_id)
    code = shipment.tracking_code
    assert shipment.state == "booked" and code

    # The courier picks the parcel up; that callback arrives.
    clock.advance(timedelta(minutes=30))
    headers, body = carrier_sandbox.advance(code, "picked")
    runtime.run(
        parse_and_record_callback,
        carrier_id=shipment.carrier_id,
        headers=headers,
        body=body,
        secret=carrier_sandbox.secret,
    )
    # The parcel travels on, but the carrier's callbacks are lost.
    clock.advance(timedelta(minutes=30))
    carrier_sandbox.advance(code, "transporting")
    clock.advance(timedelta(minutes=30))
    runtime.drain()
    assert carrier_sandbox.detail_calls == 0  # only an hour without news: not asked yet
    assert _shipment(runtime, placed.order_id).state == "picked_up"

    # Two hours without news: the carrier is asked, and the lost status is applied.
    clock.advance(timedelta(hours=2))
    runtime.drain()
    assert carrier_sandbox.detail_calls == 1
    shipment = _shipment(runtime, placed.order_id)
    assert shipment.state == "in_transit"
    # "picked" came by callback already; the poll's copy of it is recognised, not repeated.
    assert [h.carrier_status for h in shipment.history] == [
        "ready_to_pick",
        "picked",
        "transporting",
    ]

    # The carrier has nothing new: another poll, and nothing changes.
    before = _rows(runtime)
    clock.advance(timedelta(hours=3))
    runtime.drain()
    assert carrier_sandbox.detail_calls == 2
    assert _rows(runtime) == before
    assert _shipment(runtime, placed.order_id).state == "in_transit"

    # The courier delivers and collects the cash; those callbacks are lost too.
    clock.advance(timedelta(hours=1))
    carrier_sandbox.advance(code, "delivering")
    clock.advance(timedelta(hours=1))
    carrier_sandbox.advance(code, "delivered")
    clock.advance(timedelta(hours=2))
    runtime.drain()
    assert carrier_sandbox.detail_calls == 3
    order = runtime.read(get_order, placed.order_id)
    assert order.state == "delivered" and order.closed_at is not None
    assert order.paid_vnd == order.total_vnd
    assert runtime.read(account_balance, "111") == order.total_vnd  # COD cash posted
    assert runtime.read(account_balance, "131") == 0
    shipment = _shipment(runtime, placed.order_id)
    assert shipment.state == "delivered"
    assert [h.carrier_status for h in shipment.history][-2:] == ["delivering", "delivered"]
    delivered = [e for e in runtime.read(order_timeline, order.id) if e.type == "OrderDelivered"]
    assert [e.actor for e in delivered] == ["job:shipping.poll_status"]
    survey = runtime.read(survey_for_order, order.id)
    assert smtp_server.wait_for(lambda m: survey.token in m["body"])  # after-sales started

    # A delivered parcel is not polled again, and applying the same report again does nothing.
    before = _rows(runtime)
    clock.advance(timedelta(hours=3))
    runtime.drain()
    assert carrier_sandbox.detail_calls == 3
    log = carrier_sandbox.orders[code]["log"]
    outcome = runtime.run(
        apply_status_report, carrier_id=shipment.carrier_id, order_code=code, log=log
    )
    assert "applied" not in outcome and sum(outcome.values()) == len(log)
    assert _rows(runtime) == before
    assert runtime.read(account_balance, "111") == order.total_vnd
    assert runtime.read(trial_balance).balanced
