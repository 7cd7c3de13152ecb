"""A prepaid order whose delivery fails gives the customer's money back, once.

Minh pays three T-shirts online. The courier cannot deliver them and the parcel comes back:
the goods are credited (the delivery itself was done, so its charge stays), and what he paid
for the goods goes back from the bank, so he owes nothing and is owed nothing.
"""

from __future__ import annotations

import pytest

from lienmach.billing.handlers import on_shipment_returned_issue_credit_note
from lienmach.billing.invoicing import credit_returned_shipment
from lienmach.billing.queries import (
    JournalLineView,
    account_balance,
    credit_notes_for_order,
    entries_for_order,
    refunds_for_order,
    trial_balance,
)
from lienmach.kernel.clock import SimulatedClock
from lienmach.kernel.money import format_vnd
from lienmach.kernel.runtime import Runtime
from lienmach.orders.placing import place_order
from lienmach.orders.queries import get_order
from lienmach.orders.services import record_payment
from lienmach.shipping.events import ShipmentReturned
from lienmach.shipping.queries import shipments_for_order
from lienmach.shipping.sandbox import CarrierSandbox
from tests.factories import seed_company
from tests.steps import FAILED, courier_reports, pick_and_pack

pytestmark = pytest.mark.scenario


def test_a_paid_prepaid_order_that_fails_delivery_is_refunded_once(
    runtime: Runtime, clock: SimulatedClock, carrier_sandbox: CarrierSandbox, smtp_server
) -> None:  # type: ignore[no-untyped-def]
    carrier_sandbox.clock = clock
    company = seed_company(runtime)
    placed = runtime.run(
        place_order,
        customer_id=company.customers["Minh"],
        lines=[{"product_id": company.products["AO-001"], "quantity": 3}],
        payment_method="prepaid",
        shipping_fee_vnd=30_000,
    )
    runtime.run(
        record_payment,
        order_id=placed.order_id,
        amount_vnd=placed.total_vnd,
        gateway="vnpay",
        gateway_reference="VNP-MINH-1",
    )
    bank_before = runtime.read(account_balance, "112")
    assert bank_before == placed.total_vnd
    pick_and_pack(runtime, placed.order_id)

    courier_reports(runtime, carrier_sandbox, clock, placed.order_id, FAILED)

    order = runtime.read(get_order, placed.order_id)
    assert order.state == "returned"
    [note] = runtime.read(credit_notes_for_order, order.id)
    goods = 3 * 150_000 + 3 * 15_000
    assert (note.cause, note.total_vnd) == ("return", goods)
    [refund] = runtime.read(refunds_for_order, order.id)
    assert (refund.source_type, refund.source_id, refund.amount_vnd) == (
        "credit_note",
        note.id,
        goods,
    )
    [entry] = [e for e in runtime.read(entries_for_order, order.id) if e.kind == "refund"]
    assert entry.lines == [JournalLineView("131", goods, 0), JournalLineView("112", 0, goods)]
    # Nothing owed either way; the bank gave back exactly the refund.
    assert runtime.read(account_balance, "131", order_id=order.id) == 0
    assert runtime.read(account_balance, "112") == bank_before - goods
    assert runtime.read(account_balance, "632") == 0  # cost of goods reversed
    assert runtime.read(trial_balance).balanced
    [mail] = smtp_server.wait_for(lambda m: m["subject"].startswith("Refund of"))
    assert mail["to"] == ["minh@example.vn"] and format_vnd(goods) in mail["subject"]
    assert "delivery failed" in mail["body"]

    # The return is delivered again, and billing is asked again: still one refund.
    [shipment] = runtime.read(shipments_for_order, order.id)
    again = ShipmentReturned(
        shipment_id=shipment.id,
        order_id=order.id,
        parcel_id=shipment.parcel_id,
        warehouse_id=shipment.warehouse_id,
    )
    runtime.run(on_shipment_returned_issue_credit_note, again)
    assert runtime.run(credit_returned_shipment, shipment_id=shipment.id, order_id=order.id) is None
    assert len(runtime.read(refunds_for_order, order.id)) == 1
    assert len(runtime.read(credit_notes_for_order, order.id)) == 1
    assert runtime.read(account_balance, "112") == bank_before - goods
    assert runtime.read(trial_balance).balanced


def test_a_cash_on_delivery_order_that_fails_delivery_refunds_nothing(
    runtime: Runtime, clock: SimulatedClock, carrier_sandbox: CarrierSandbox
) -> None:
    carrier_sandbox.clock = clock
    company = seed_company(runtime)
    placed = runtime.run(
        place_order,
        customer_id=company.customers["Minh"],
        lines=[{"product_id": company.products["AO-001"], "quantity": 1}],
        shipping_fee_vnd=30_000,
    )
    pick_and_pack(runtime, placed.order_id)

    courier_reports(runtime, carrier_sandbox, clock, placed.order_id, FAILED)

    assert runtime.read(get_order, placed.order_id).state == "returned"
    assert len(runtime.read(credit_notes_for_order, placed.order_id)) == 1
    assert runtime.read(refunds_for_order, placed.order_id) == []
    assert runtime.read(account_balance, "112") == 0
    # The delivery charge (30 000 + 8 % VAT) is still owed: the courier did try.
    assert runtime.read(account_balance, "131", order_id=placed.order_id) == 32_400
    assert runtime.read(trial_balance).balanced
