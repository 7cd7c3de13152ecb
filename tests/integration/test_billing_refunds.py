"""Refunds on both databases: a paid order that is cancelled gets its money back exactly once,
whichever of billing's two reactions (to the payment, to the cancellation) runs first."""

from __future__ import annotations

import pytest

from lienmach.billing.handlers import (
    on_order_cancelled_issue_credit_note,
    on_order_paid_post_payment,
)
from lienmach.billing.queries import account_balance, refunds_for_order, trial_balance
from lienmach.bootstrap import build_runtime
from lienmach.kernel.clock import SimulatedClock
from lienmach.kernel.runtime import Runtime
from lienmach.orders.events import OrderCancelled, OrderPaid
from lienmach.orders.placing import place_order
from lienmach.orders.services import cancel_order, record_payment
from lienmach.settings import Settings
from tests.conftest import Database
from tests.factories import seed_company

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("first", ["payment", "cancellation"])
def test_a_paid_then_cancelled_order_is_refunded_once_in_either_order(
    first: str, runtime: Runtime, database: Database, clock: SimulatedClock, settings: Settings
) -> None:
    # given a prepaid order, paid and then cancelled, whose reactions have not run yet
    company = seed_company(runtime)
    quiet = build_runtime(settings, engine=database.engine, clock=clock, inline_drain=False)
    placed = quiet.run(
        place_order,
        customer_id=company.customers["Lan"],
        lines=[{"product_id": company.products["SACH-003"], "quantity": 2}],
        payment_method="prepaid",
    )
    quiet.run(
        record_payment,
        order_id=placed.order_id,
        amount_vnd=placed.total_vnd,
        gateway="momo",
        gateway_reference="MOMO-9",
    )
    quiet.run(cancel_order, order_id=placed.order_id, reason="Khách đổi ý")
    paid = OrderPaid(
        order_id=placed.order_id,
        amount_vnd=placed.total_vnd,
        gateway="momo",
        gateway_reference="MOMO-9",
    )
    cancelled = OrderCancelled(order_id=placed.order_id, reason="Khách đổi ý", line_ids=())

    # when billing reacts to them in the order ``first`` says, then every delivery runs too
    if first == "payment":
        quiet.run(on_order_paid_post_payment, paid)
        quiet.run(on_order_cancelled_issue_credit_note, cancelled)
    else:
        quiet.run(on_order_cancelled_issue_credit_note, cancelled)
        quiet.run(on_order_paid_post_payment, paid)
    runtime.drain()

    # then the money went back once, and nobody owes anybody
    [refund] = runtime.read(refunds_for_order, placed.order_id)
    assert refund.amount_vnd == placed.total_vnd
    assert refund.source_type == ("credit_note" if first == "payment" else "payment")
    for code in ("131", "112", "511", "3331"):
        assert runtime.read(account_balance, code, order_id=placed.order_id) == 0, code
    assert runtime.read(trial_balance).balanced
