"""Billing's journey handlers given many events at once, on both databases: each order gets
its invoice, each shipment its costs and cash on delivery, once, in one call for the batch."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from lienmach.billing import invoicing, payments, postings, queries
from lienmach.billing.handlers import (
    on_order_placed_issue_invoice,
    on_shipment_booked_post_costs,
    on_shipment_delivered_post_cod,
)
from lienmach.kernel.clock import SimulatedClock
from lienmach.kernel.errors import NotFound
from lienmach.kernel.runtime import Runtime
from lienmach.orders.events import OrderPlaced
from lienmach.orders.queries import get_order
from lienmach.shipping import queries as shipping_queries
from lienmach.shipping.events import ShipmentDelivered
from tests.integration.test_billing_ledger import NET, TOTAL, VAT, place, shop
from tests.integration.test_billing_shipping import COST, _pay, booked, carrier_says, entries
from tests.steps import pick_and_pack

pytestmark = pytest.mark.integration


def spy(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> list[int]:
    """How many items each call of ``module.name`` that went through was given."""
    sizes: list[int] = []
    real: Callable[..., Any] = getattr(module, name)

    def counted(uow: Any, items: list[Any]) -> Any:
        result = real(uow, items)
        sizes.append(len(items))
        return result

    monkeypatch.setattr(module, name, counted)
    return sizes


def deliver_events(runtime: Runtime) -> None:
    """Run the bus's journey batches until none is due, running no job."""
    while runtime.bus.process_batch(runtime.engine, runtime.clock).done:
        pass


def placed_event(runtime: Runtime, order_id: str) -> OrderPlaced:
    order = runtime.read(get_order, order_id)
    assert order is not None
    return OrderPlaced(
        order_id=order_id,
        customer_id=order.customer_id,
        channel="web",
        payment_method="cod",
        line_ids=tuple(line.id for line in order.lines),
        total_vnd=order.total_vnd,
    )


def test_orders_placed_together_are_invoiced_in_one_call_once_each(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a shop, and three orders placed before the journey moves on
    ids = shop(runtime)
    runtime.inline_drain = False
    order_ids = [place(runtime, ids) for _ in range(3)]
    sizes = spy(monkeypatch, invoicing, "issue_invoices")
    # when the journey takes their OrderPlaced events in one batch
    deliver_events(runtime)
    # then one call invoiced all three, numbered in the order they were placed
    assert sizes == [3]
    invoices = [runtime.read(queries.invoice_for_order, order_id) for order_id in order_ids]
    assert [(i.number, i.state) for i in invoices if i] == [
        ("HD-2026-000001", "issued"),
        ("HD-2026-000002", "issued"),
        ("HD-2026-000003", "issued"),
    ]
    for order_id, invoice in zip(order_ids, invoices, strict=True):
        assert invoice is not None
        assert (invoice.subtotal_vnd, invoice.vat_vnd, invoice.total_vnd) == (NET, VAT, TOTAL)
        assert len(invoice.lines) == 4
        (entry,) = runtime.read(queries.entries_for_order, order_id)
        assert (entry.source_id, entry.kind, entry.amount_vnd) == (
            invoice.id,
            "invoice_issued",
            TOTAL,
        )
    # when the same events come again in one batch, one of them twice, with a new order's
    fourth = place(runtime, ids)
    again = [placed_event(runtime, order_id) for order_id in [*order_ids, order_ids[0], fourth]]
    runtime.run(on_order_placed_issue_invoice, again)
    # then only the new order is invoiced, with the next number
    assert runtime.read(queries.invoice_numbers) == [f"HD-2026-00000{n}" for n in (1, 2, 3, 4)]
    assert all(len(runtime.read(queries.entries_for_order, o)) == 1 for o in order_ids)
    assert runtime.read(queries.account_balance, "131") == 4 * TOTAL
    assert runtime.read(queries.trial_balance).balanced


def test_an_unknown_order_in_a_batch_invoices_none_of_it(runtime: Runtime) -> None:
    ids = shop(runtime)
    runtime.inline_drain = False
    order_id = place(runtime, ids)
    unknown = replace(placed_event(runtime, order_id), order_id="ORD-unknown")

    with pytest.raises(NotFound):
        runtime.run(on_order_placed_issue_invoice, [placed_event(runtime, order_id), unknown])

    assert runtime.read(queries.count_invoices) == 0
    assert runtime.read(queries.entries_for_order, order_id) == []


def test_shipments_booked_and_delivered_together_post_once_each(
    runtime: Runtime, clock: SimulatedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given two invoiced COD orders and a paid prepaid one
    ids = shop(runtime)
    order_ids = [
        place(runtime, ids),
        place(runtime, ids),
        place(runtime, ids, payment_method="prepaid"),
    ]
    runtime.run(_pay, order_id=order_ids[2])
    # when their parcels are packed, booked, and the bookings' ShipmentBooked handled together
    runtime.inline_drain = False
    for order_id in order_ids:
        pick_and_pack(runtime, order_id)
    deliver_events(runtime)
    runtime.job_runner.run_due(runtime.engine, clock, runtime.uow)
    runtime.job_runner.finish_inflight(runtime.engine, clock, runtime.uow)
    costs = spy(monkeypatch, postings, "post_costs_of_shipments")
    deliver_events(runtime)
    shipments = [runtime.read(shipping_queries.shipments_for_order, o)[0] for o in order_ids]
    assert all(shipment.tracking_code for shipment in shipments)
    # then one call posted each shipment's cost of goods and carrier fee
    assert costs == [3]
    for order_id, shipment in zip(order_ids, shipments, strict=True):
        posted = entries(runtime, order_id)
        assert posted["cost_of_goods"][0].debit_vnd == COST
        assert posted["carrier_fee"][0].debit_vnd == shipment.fee_vnd > 0
    assert runtime.read(queries.account_balance, "632") == 3 * COST
    # when the carrier delivers all three, and the journey handles it in one batch
    cod = spy(monkeypatch, payments, "record_cod_of_shipments")
    for shipment in shipments:
        carrier_says(runtime, clock, shipment, "delivered")
    deliver_events(runtime)
    # then the COD orders' cash is collected, in one call, and the prepaid one's is not
    assert cod == [2]
    for order_id in order_ids[:2]:
        assert entries(runtime, order_id)["cod_collected"][0].debit_vnd == TOTAL
        assert runtime.read(queries.account_balance, "131", order_id=order_id) == 0
    assert "cod_collected" not in entries(runtime, order_ids[2])
    assert runtime.read(queries.account_balance, "111") == 2 * TOTAL
    # when every event is told again, in one batch each
    posted_before = [len(runtime.read(queries.entries_for_order, o)) for o in order_ids]
    runtime.run(on_shipment_booked_post_costs, [booked(s) for s in shipments * 2])
    delivered = [
        ShipmentDelivered(shipment_id=s.id, order_id=s.order_id, cod_amount_vnd=s.cod_amount_vnd)
        for s in shipments
    ]
    runtime.run(on_shipment_delivered_post_cod, delivered)
    # then nothing more is posted, and the ledger balances
    assert [len(runtime.read(queries.entries_for_order, o)) for o in order_ids] == posted_before
    assert runtime.read(queries.account_balance, "632") == 3 * COST
    assert runtime.read(queries.account_balance, "111") == 2 * TOTAL
    assert runtime.read(queries.trial_balance).balanced


def test_an_unknown_shipment_in_a_batch_posts_none_of_it(runtime: Runtime) -> None:
    ids = shop(runtime)
    order_id = place(runtime, ids)
    runtime.inline_drain = False
    pick_and_pack(runtime, order_id)
    deliver_events(runtime)
    runtime.job_runner.run_due(runtime.engine, runtime.clock, runtime.uow)
    runtime.job_runner.finish_inflight(runtime.engine, runtime.clock, runtime.uow)
    (shipment,) = runtime.read(shipping_queries.shipments_for_order, order_id)
    unknown = replace(booked(shipment), shipment_id="SHP-unknown")

    with pytest.raises(NotFound):
        runtime.run(on_shipment_booked_post_costs, [booked(shipment), unknown])

    assert list(entries(runtime, order_id)) == ["invoice_issued"]
