"""Subscriptions of fulfilment: reserved or paid orders get pick tasks; cancelled ones lose them."""

from __future__ import annotations

from collections.abc import Sequence

from lienmach.fulfilment import picking
from lienmach.kernel.bus import Handler, handles_batches
from lienmach.kernel.messages import Event
from lienmach.kernel.uow import UnitOfWork
from lienmach.orders.events import OrderCancelled, OrderPaid, OrderReserved


@handles_batches
def on_order_reserved_queue_pick_task(uow: UnitOfWork, events: list[OrderReserved]) -> None:
    """Units were reserved: queue them for picking, one task per order and warehouse.

    A prepaid order that is not paid yet waits for OrderPaid; a cancelled one gets nothing.
    """
    picking.queue_pick_tasks_for(
        uow,
        [picking.PickRequest(event.order_id, tuple(event.reservation_ids)) for event in events],
    )


def on_order_paid_queue_pick_task(uow: UnitOfWork, event: OrderPaid) -> None:
    """A prepaid order was paid: queue every reservation that waited for the money."""
    picking.queue_pick_tasks(uow, order_id=event.order_id)


def on_order_cancelled_cancel_pick_tasks(uow: UnitOfWork, event: OrderCancelled) -> None:
    """The order was cancelled: its queued and picked tasks stop."""
    picking.cancel_pick_tasks(uow, order_id=event.order_id)


SUBSCRIPTIONS: dict[type[Event], Sequence[Handler]] = {
    OrderReserved: [on_order_reserved_queue_pick_task],
    OrderPaid: [on_order_paid_queue_pick_task],
    OrderCancelled: [on_order_cancelled_cancel_pick_tasks],
}
