"""Orders subscriptions: stock arriving serves backorders; a placed order is confirmed."""

from __future__ import annotations

from collections.abc import Sequence

from lienmach.inventory.events import StockReceived, StockReturned
from lienmach.kernel.bus import Handler
from lienmach.kernel.messages import Event
from lienmach.kernel.uow import UnitOfWork
from lienmach.notifications.services import send_email
from lienmach.orders.events import OrderPlaced
from lienmach.orders.placing import serve_backorders
from lienmach.orders.queries import backordered_lines, order_in


def on_stock_arrived_serve_backorders(
    uow: UnitOfWork, event: StockReceived | StockReturned
) -> None:
    """Oldest orders first, until the arrived units are gone."""
    seen: set[str] = set()
    for order_id, _line_id, _waiting in backordered_lines(uow.connection, event.product_id):
        if order_id in seen:
            continue
        seen.add(order_id)
        order = order_in(uow, order_id)
        if order is None:
            continue
        if (
            serve_backorders(
                uow, order_id=order_id, destination_province_code=order.ship_province_code
            )
            == 0
        ):
            break


def on_order_placed_send_confirmation(uow: UnitOfWork, event: OrderPlaced) -> None:
    order = order_in(uow, event.order_id)
    if order is None:
        return
    send_email(
        uow,
        key=f"order-confirmation:{order.id}",
        to=order.ship_email,
        template="order_confirmation",
        params={
            "order_number": order.number,
            "total": order.total_vnd,
            "tracking_url": f"/track/{order.tracking_token}",
        },
        order_id=order.id,
        purpose="order_confirmation",
        language=order.language,
    )


SUBSCRIPTIONS: dict[type[Event], Sequence[Handler]] = {
    OrderPlaced: [on_order_placed_send_confirmation],
    StockReceived: [on_stock_arrived_serve_backorders],
    StockReturned: [on_stock_arrived_serve_backorders],
}
