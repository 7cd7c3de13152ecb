"""A prepaid order that is never paid gives its stock back after the payment deadline (24 h).

Lan orders two rice cookers to pay online and never pays; Minh orders a T-shirt and pays at
once. A day later Lan's order is cancelled by itself: the cookers are back on sale, the
invoice is credited, and she is told by e-mail. When her money arrives after all, the order
stays cancelled and the money goes straight back.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lienmach.billing.queries import (
    account_balance,
    credit_notes_for_order,
    refunds_for_order,
    trial_balance,
)
from lienmach.bootstrap import build_runtime
from lienmach.inventory.queries import reservations_for_order, stock_levels_for
from lienmach.kernel.clock import SimulatedClock
from lienmach.kernel.money import format_vnd
from lienmach.kernel.runtime import Runtime
from lienmach.kernel.tables import event_log, event_objects
from lienmach.notifications.tables import outbound_messages
from lienmach.orders.payment_deadline import REASON
from lienmach.orders.placing import place_order
from lienmach.orders.queries import get_order, order_timeline
from lienmach.orders.services import record_payment
from lienmach.settings import Settings
from tests.conftest import Database
from tests.factories import seed_company

pytestmark = pytest.mark.scenario


def _available(runtime: Runtime, product_id: str, warehouse_id: str) -> int:
    return next(
        level.available
        for level in runtime.read(stock_levels_for, product_ids=[product_id])
        if level.warehouse_id == warehouse_id
    )


def _count(runtime: Runtime, event_type: str, order_id: str) -> int:
    return int(
        runtime.read(
            lambda connection: connection.execute(
                select(func.count())
                .select_from(
                    event_log.join(event_objects, event_objects.c.event_id == event_log.c.id)
                )
                .where(
                    event_log.c.type == event_type,
                    event_objects.c.object_type == "order",
                    event_objects.c.object_id == order_id,
                )
            ).scalar_one()
        )
    )


def _messages(runtime: Runtime, purpose: str, order_id: str) -> int:
    return int(
        runtime.read(
            lambda connection: connection.execute(
                select(func.count()).where(
                    outbound_messages.c.purpose == purpose, outbound_messages.c.order_id == order_id
                )
            ).scalar_one()
        )
    )


def test_an_unpaid_prepaid_order_is_cancelled_at_its_deadline_and_a_late_payment_is_refunded(
    runtime: Runtime, clock: SimulatedClock, smtp_server
) -> None:  # type: ignore[no-untyped-def]
    company = seed_company(runtime)
    cooker, shirt = company.products["NOI-002"], company.products["AO-001"]
    unpaid = runtime.run(
        place_order,
        customer_id=company.customers["Lan"],
        lines=[{"product_id": cooker, "quantity": 2}],
        payment_method="prepaid",
        shipping_fee_vnd=30_000,
    )
    paid = runtime.run(
        place_order,
        customer_id=company.customers["Minh"],
        lines=[{"product_id": shirt, "quantity": 1}],
        payment_method="prepaid",
    )
    runtime.run(
        record_payment,
        order_id=paid.order_id,
        amount_vnd=paid.total_vnd,
        gateway="vnpay",
        gateway_reference="VNP-MINH",
    )
    assert _available(runtime, cooker, company.hanoi_warehouse) == 8

    # 23 hours on, Lan still has an hour to pay: nothing happens.
    clock.advance(timedelta(hours=23))
    runtime.drain()
    assert runtime.read(get_order, unpaid.order_id).state == "reserved"
    assert _available(runtime, cooker, company.hanoi_warehouse) == 8

    # 25 hours after placing, the sweep cancels it through the ordinary cancel path.
    clock.advance(timedelta(hours=2))
    runtime.drain()
    order = runtime.read(get_order, unpaid.order_id)
    assert order.state == "cancelled" and order.cancel_reason == REASON
    assert order.lines[0].cancelled_quantity == 2
    assert _available(runtime, cooker, company.hanoi_warehouse) == 10
    assert [r.state for r in runtime.read(reservations_for_order, order.id)] == ["released"]
    [note] = runtime.read(credit_notes_for_order, order.id)
    assert note.total_vnd == order.total_vnd and note.cause == "cancellation"
    for code in ("131", "511", "3331", "112"):
        assert runtime.read(account_balance, code, order_id=order.id) == 0, code
    cancelled = [e for e in runtime.read(order_timeline, order.id) if e.type == "OrderCancelled"]
    assert [e.actor for e in cancelled] == ["periodic:orders.payment_deadline"]
    [mail] = smtp_server.wait_for(lambda m: order.number in m["subject"] and "hủy" in m["subject"])
    assert mail["to"] == ["lan@example.vn"]
    assert "quá hạn thanh toán" in mail["subject"]
    assert format_vnd(order.total_vnd) in mail["body"] and "hoàn lại" in mail["body"]

    # Minh paid in time: his order is untouched and waits for the picker.
    minh = runtime.read(get_order, paid.order_id)
    assert minh.state == "fulfilling" and minh.paid
    assert runtime.read(credit_notes_for_order, minh.id) == []
    assert runtime.read(account_balance, "112", order_id=minh.id) == minh.total_vnd

    # Lan's money arrives after all; the gateway sends its callback twice (a retry).
    for _ in range(2):
        runtime.run(
            record_payment,
            order_id=order.id,
            amount_vnd=order.total_vnd,
            gateway="vnpay",
            gateway_reference="VNP-LAN",
        )
    order = runtime.read(get_order, order.id)
    assert order.state == "cancelled" and order.paid_vnd == 0
    [refund] = runtime.read(refunds_for_order, order.id)
    assert (refund.source_type, refund.amount_vnd) == ("payment", order.total_vnd)
    for code in ("131", "112"):
        assert runtime.read(account_balance, code, order_id=order.id) == 0, code
    assert _count(runtime, "LatePaymentReceived", order.id) == 2
    assert _count(runtime, "RefundIssued", order.id) == 1
    refund_mails = smtp_server.wait_for(lambda m: m["subject"].startswith("Hoàn tiền"))
    assert [m["to"] for m in refund_mails] == [["lan@example.vn"]]
    assert "sau khi đơn hàng đã bị hủy" in refund_mails[0]["body"]

    # Later sweeps find nothing more to do.
    clock.advance(timedelta(days=1))
    runtime.drain()
    assert len(runtime.read(credit_notes_for_order, order.id)) == 1
    assert _count(runtime, "OrderCancelled", order.id) == 1
    assert _messages(runtime, "payment_deadline", order.id) == 1
    assert runtime.read(get_order, paid.order_id).state == "fulfilling"
    assert runtime.read(trial_balance).balanced


def test_two_workers_sweeping_at_once_cancel_each_overdue_order_once(
    runtime: Runtime, database: Database, clock: SimulatedClock, settings: Settings
) -> None:
    company = seed_company(runtime)
    order_ids = [
        runtime.run(
            place_order,
            customer_id=company.customers[name],
            lines=[{"product_id": company.products["SACH-003"], "quantity": 1}],
            payment_method="prepaid",
        ).order_id
        for name in ("Lan", "Minh", "Lan", "Minh")
    ]
    clock.advance(timedelta(hours=25))
    workers = [
        build_runtime(settings, engine=database.new_engine(), clock=clock, inline_drain=False)
        for _ in range(2)
    ]
    barrier = threading.Barrier(len(workers))
    changed: list[int] = []
    errors: list[BaseException] = []

    def sweep(worker: Runtime) -> None:
        try:
            barrier.wait()
            changed.append(worker.run_periodic())
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=sweep, args=(worker,)) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for worker in workers:
        worker.engine.dispose()
    runtime.drain()

    assert errors == []
    assert sum(changed) == len(order_ids)  # each order was cancelled by exactly one worker
    for order_id in order_ids:
        assert runtime.read(get_order, order_id).state == "cancelled"
        assert _count(runtime, "OrderCancelled", order_id) == 1
        assert len(runtime.read(credit_notes_for_order, order_id)) == 1
        assert _messages(runtime, "payment_deadline", order_id) == 1
    assert _available(runtime, company.products["SACH-003"], company.hanoi_warehouse) == 10
    assert _available(runtime, company.products["SACH-003"], company.hcmc_warehouse) == 10
    assert runtime.read(trial_balance).balanced
