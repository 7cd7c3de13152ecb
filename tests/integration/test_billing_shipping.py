"""Billing along the real journey on both databases: shipped, delivered (COD), returned."""

from __future__ import annotations

from typing import Any

import pytest

from lienmach.billing import queries
from lienmach.billing.handlers import (
    on_shipment_booked_post_costs,
    on_shipment_delivered_post_cod,
    on_shipment_returned_issue_credit_note,
)
from lienmach.billing.queries import JournalLineView
from lienmach.fulfilment import packing, picking
from lienmach.fulfilment import queries as fulfilment_queries
from lienmach.kernel.clock import SimulatedClock
from lienmach.kernel.runtime import Runtime
from lienmach.shipping import carrier_updates
from lienmach.shipping import queries as shipping_queries
from lienmach.shipping.events import ShipmentBooked, ShipmentDelivered, ShipmentReturned
from lienmach.shipping.queries import ShipmentView
from tests.integration.test_billing_ledger import NET, TOTAL, VAT, place, shop

pytestmark = pytest.mark.integration

COST = 2 * 90_000 + 60_000 + 7_000  # standard cost of 2 kettles, a book and a lamp
DELIVERY_GROSS = 30_000 + 2_400


def ship(runtime: Runtime, order_id: str) -> ShipmentView:
    """Pick, scan every unit, close the parcel; the journey books it with the carrier."""
    (task,) = runtime.read(fulfilment_queries.tasks_for_order, order_id)
    runtime.run(picking.confirm_pick, pick_task_id=task.id, picker="Lan")
    for line in task.lines:
        for _ in range(line.quantity):
            runtime.run(packing.scan_unit, pick_task_id=task.id, code=line.barcode)
    runtime.run(packing.close_parcel, pick_task_id=task.id, weight_grams=2_500, packer="Huy")
    (shipment,) = runtime.read(shipping_queries.shipments_for_order, order_id)
    assert shipment.tracking_code, "the carrier sandbox should have booked the parcel"
    return shipment


def carrier_says(
    runtime: Runtime, clock: SimulatedClock, shipment: ShipmentView, status: str
) -> None:
    runtime.run(
        carrier_updates.record_carrier_update,
        carrier_id=shipment.carrier_id,
        tracking_code=shipment.tracking_code or "",
        carrier_status=status,
        carrier_event_id=f"{shipment.tracking_code}:{status}",
        occurred_at=clock.now(),
        note="khách không nghe máy" if status == "delivery_fail" else "",
    )


def entries(runtime: Runtime, order_id: str) -> dict[str, list[JournalLineView]]:
    return {e.kind: e.lines for e in runtime.read(queries.entries_for_order, order_id)}


def balance(runtime: Runtime, code: str, order_id: str | None = None) -> int:
    return runtime.read(queries.account_balance, code, order_id=order_id)


def booked(shipment: ShipmentView) -> ShipmentBooked:
    return ShipmentBooked(
        shipment_id=shipment.id,
        order_id=shipment.order_id,
        parcel_id=shipment.parcel_id,
        carrier_id=shipment.carrier_id,
        tracking_code=shipment.tracking_code or "",
        fee_vnd=shipment.fee_vnd,
        cod_amount_vnd=shipment.cod_amount_vnd,
    )


def test_a_booked_shipment_posts_cost_of_goods_and_the_carrier_fee_once(runtime: Runtime) -> None:
    # given an invoiced COD order
    ids = shop(runtime)
    order_id = place(runtime, ids)
    # when its parcel is packed and booked with a carrier
    shipment = ship(runtime, order_id)
    # then the goods leave stock at standard cost and the carrier's fee is owed
    posted = entries(runtime, order_id)
    assert list(posted) == ["invoice_issued", "cost_of_goods", "carrier_fee"]
    assert posted["cost_of_goods"] == [
        JournalLineView("632", COST, 0),
        JournalLineView("156", 0, COST),
    ]
    assert shipment.fee_vnd > 0
    assert posted["carrier_fee"] == [
        JournalLineView("641", shipment.fee_vnd, 0),
        JournalLineView("331", 0, shipment.fee_vnd),
    ]
    # when the same ShipmentBooked is handled again
    runtime.run(on_shipment_booked_post_costs, [booked(shipment)])
    # then nothing more is posted
    assert len(runtime.read(queries.entries_for_order, order_id)) == 3
    assert balance(runtime, "632") == COST


def test_delivery_collects_cod_cash_and_clears_the_receivable(
    runtime: Runtime, clock: SimulatedClock
) -> None:
    # given a shipped COD order
    ids = shop(runtime)
    order_id = place(runtime, ids)
    shipment = ship(runtime, order_id)
    assert shipment.cod_amount_vnd == TOTAL
    # when the carrier delivers it
    carrier_says(runtime, clock, shipment, "delivered")
    # then the cash collected is posted Dr 111 / Cr 131 and the customer owes nothing
    posted = entries(runtime, order_id)
    assert posted["cod_collected"] == [
        JournalLineView("111", TOTAL, 0),
        JournalLineView("131", 0, TOTAL),
    ]
    assert balance(runtime, "131", order_id) == 0
    assert balance(runtime, "111") == TOTAL
    # when the delivery is told again
    again = ShipmentDelivered(shipment_id=shipment.id, order_id=order_id, cod_amount_vnd=TOTAL)
    runtime.run(on_shipment_delivered_post_cod, [again])
    # then cash is counted once and the ledger balances
    assert balance(runtime, "111") == TOTAL
    assert runtime.read(queries.trial_balance).balanced


def test_a_delivered_prepaid_order_collects_no_cash(
    runtime: Runtime, clock: SimulatedClock
) -> None:
    ids = shop(runtime)
    order_id = place(runtime, ids, payment_method="prepaid")
    runtime.run(_pay, order_id=order_id)
    shipment = ship(runtime, order_id)
    carrier_says(runtime, clock, shipment, "delivered")
    assert list(entries(runtime, order_id)) == [
        "invoice_issued",
        "payment_received",
        "cost_of_goods",
        "carrier_fee",
    ]
    assert balance(runtime, "111") == 0
    assert balance(runtime, "131", order_id) == 0


def test_a_failed_delivery_reverses_cost_and_credits_the_returned_goods(
    runtime: Runtime, clock: SimulatedClock
) -> None:
    # given a shipped COD order
    ids = shop(runtime)
    order_id = place(runtime, ids)
    shipment = ship(runtime, order_id)
    # when delivery fails and the parcel comes back to the warehouse
    carrier_says(runtime, clock, shipment, "delivery_fail")
    # then the goods are back in stock at the cost they left with
    posted = entries(runtime, order_id)
    assert posted["cost_of_goods_reversal"] == [
        JournalLineView("156", COST, 0),
        JournalLineView("632", 0, COST),
    ]
    assert balance(runtime, "632") == 0
    # and a credit note takes back the goods (not the delivery service that was performed)
    (note,) = runtime.read(queries.credit_notes_for_order, order_id)
    assert (note.cause, note.source_id) == ("return", shipment.id)
    assert (note.subtotal_vnd, note.vat_vnd) == (NET - 30_000, VAT - 2_400)
    assert posted["credit_note"] == [
        JournalLineView("511", NET - 30_000, 0),
        JournalLineView("3331", VAT - 2_400, 0),
        JournalLineView("131", 0, TOTAL - DELIVERY_GROSS),
    ]
    invoice = runtime.read(queries.invoice_for_order, order_id)
    assert invoice is not None and invoice.state == "partially_credited"
    assert balance(runtime, "131", order_id) == DELIVERY_GROSS
    assert "cod_collected" not in posted
    # when the return is told again
    again = ShipmentReturned(
        shipment_id=shipment.id,
        order_id=order_id,
        parcel_id=shipment.parcel_id,
        warehouse_id=ids["w1"],
    )
    runtime.run(on_shipment_returned_issue_credit_note, again)
    # then nothing is credited or reversed twice, and the ledger balances
    assert len(runtime.read(queries.credit_notes_for_order, order_id)) == 1
    assert len(runtime.read(queries.entries_for_order, order_id)) == len(posted)
    assert balance(runtime, "156") == 50 * (90_000 + 60_000 + 7_000)
    assert runtime.read(queries.trial_balance).balanced


def _pay(uow: Any, *, order_id: str) -> None:
    from lienmach.orders import services as orders
    from lienmach.orders.queries import get_order

    order = get_order(uow.connection, order_id)
    assert order is not None
    orders.record_payment(
        uow, order_id=order_id, amount_vnd=order.total_vnd, gateway="momo", gateway_reference="M-1"
    )
