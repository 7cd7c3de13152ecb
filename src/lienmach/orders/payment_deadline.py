"""The payment deadline: a prepaid order not paid in time gives its stock back.

Run as a periodic task (registered in bootstrap): :func:`periodic_tasks` finds the orders
whose deadline (``placed_at`` + the deadline setting) passed and cancels each in its own unit
of work through the ordinary cancel path: stock released here, invoice credited (and any
part-payment refunded) by billing's reaction to OrderCancelled. The customer is told by e-mail.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Connection

from lienmach.kernel.clock import as_utc
from lienmach.kernel.runtime import PeriodicTask
from lienmach.kernel.uow import UnitOfWork
from lienmach.notifications.services import send_email
from lienmach.orders import repository
from lienmach.orders.model import payment_overdue
from lienmach.orders.queries import get_order, unpaid_prepaid_orders
from lienmach.orders.services import cancel_order

TASK_NAME = "orders.payment_deadline"
REASON = "Quá hạn thanh toán / Payment deadline passed"


def periodic_tasks(*, deadline: timedelta, every: timedelta) -> list[PeriodicTask]:
    """The sweep that cancels unpaid prepaid orders ``deadline`` after they were placed."""

    def find(connection: Connection, now: datetime, limit: int) -> Sequence[str]:
        return unpaid_prepaid_orders(connection, placed_before=now - deadline, limit=limit)

    def act(uow: UnitOfWork, order_id: str) -> bool:
        return cancel_unpaid_order(uow, order_id=order_id, deadline=deadline)

    return [PeriodicTask(name=TASK_NAME, every=every, find=find, act=act)]


def cancel_unpaid_order(uow: UnitOfWork, *, order_id: str, deadline: timedelta) -> bool:
    """Cancel a prepaid order whose payment deadline has passed and tell the customer.

    Returns False, changing nothing, when the order was paid, packed or closed meanwhile or
    its deadline has not passed yet.
    """
    # Locked first: a payment arriving now waits for this decision instead of racing it.
    repository.lock(uow.connection, order_id)
    order = get_order(uow.connection, order_id)
    if order is None or not payment_overdue(
        payment_method=order.payment_method,
        paid_vnd=order.paid_vnd,
        total_vnd=order.total_vnd,
        state=order.state,
        fulfilment_stage=order.fulfilment_stage,
        placed_at=as_utc(order.placed_at),
        now=uow.now(),
        deadline=deadline,
    ):
        return False
    cancel_order(uow, order_id=order_id, reason=REASON)
    if not order.ship_email:
        return True
    send_email(
        uow,
        key=f"payment-deadline:{order_id}",
        to=order.ship_email,
        template="payment_deadline_cancelled",
        params={
            "order_number": order.number,
            "total": order.total_vnd,
            "due_at": (as_utc(order.placed_at) + deadline).isoformat(),
        },
        order_id=order_id,
        purpose="payment_deadline",
        language=order.language,
    )
    return True
