"""Placing an order: check and price it, reserve its stock and record it, and reserve its
backordered units later as stock arrives."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from lienmach.inventory import services as inventory
from lienmach.kernel.counters import next_number
from lienmach.kernel.ids import new_id
from lienmach.kernel.prepared import prepared
from lienmach.kernel.states import check_transition
from lienmach.kernel.uow import UnitOfWork
from lienmach.orders import repository
from lienmach.orders.checks import check_order
from lienmach.orders.events import OrderBackordered, OrderPlaced, OrderReserved
from lienmach.orders.model import TRANSITIONS, LineUnits, OrderState, totals
from lienmach.orders.tables import order_lines, orders

PROMISE_DAYS = {"standard": 3, "express": 1}
# Built once: every order placed writes itself and its lines.
_INSERT_ORDER = prepared(orders.insert())
_INSERT_LINES = prepared(order_lines.insert())


@dataclass(frozen=True)
class PlacedOrder:
    order_id: str
    number: str
    state: str
    total_vnd: int


def place_order(
    uow: UnitOfWork,
    *,
    customer_id: str,
    lines: Sequence[Mapping[str, Any]],
    channel: str = "web",
    payment_method: str = "cod",
    service_level: str = "standard",
    shipping_address: Mapping[str, Any] | None = None,
    shipping_fee_vnd: int = 0,
    promised_at: datetime | None = None,
    note: str = "",
) -> PlacedOrder:
    """Check and price an order, reserve its stock line by line, then record it.

    Lines are ``{"product_id", "quantity"}``; units that cannot be reserved are backordered.
    """
    checked = check_order(
        uow.connection,
        customer_id=customer_id,
        lines=lines,
        channel=channel,
        payment_method=payment_method,
        service_level=service_level,
        shipping_address=shipping_address,
        shipping_fee_vnd=shipping_fee_vnd,
    )
    now = uow.now()
    order_id = new_id("O")
    line_ids = [new_id("L") for _ in checked.lines]
    money = totals(checked.lines, shipping_fee_vnd=checked.shipping_fee_vnd)
    uow.publish(
        OrderPlaced(
            order_id=order_id,
            customer_id=customer_id,
            channel=checked.channel,
            payment_method=checked.payment_method,
            line_ids=tuple(line_ids),
            total_vnd=money.total_vnd,
            province_code=checked.ship_province_code,
            product_ids=tuple(dict.fromkeys(line.product_id for line in checked.lines)),
        )
    )
    # Stock is reserved before the order is written, so the order and its lines are written
    # once, as they end up: every unit starts backordered and moves to reserved if it can.
    aggregate = repository.OrderAggregate(
        id=order_id,
        customer_id=customer_id,
        state=OrderState.PLACED,
        fulfilment_stage="none",
        payment_method=checked.payment_method,
        paid_vnd=0,
        total_vnd=money.total_vnd,
        version=1,
        lines={
            line_id: LineUnits(quantity=line.quantity, backordered=line.quantity)
            for line_id, line in zip(line_ids, checked.lines, strict=True)
        },
        product_of_line={
            line_id: line.product_id for line_id, line in zip(line_ids, checked.lines, strict=True)
        },
    )
    _reserve_backorders(uow, aggregate, destination=checked.ship_province_code)
    state = aggregate.next_state()
    if state != OrderState.PLACED:
        check_transition("order", order_id, TRANSITIONS, OrderState.PLACED, state)
    # Numbered last: the series' row stays locked until commit, so take it as late as possible.
    number = f"DH{next_number(uow.connection, 'order'):07d}"
    _INSERT_ORDER.run(
        uow.connection,
        {
            "id": order_id,
            "number": number,
            "tracking_token": secrets.token_urlsafe(16),
            "customer_id": customer_id,
            "channel": checked.channel,
            "state": state.value,
            "fulfilment_stage": "none",
            "payment_method": checked.payment_method,
            "paid_vnd": 0,
            "service_level": checked.service_level,
            "customer_tier": checked.customer.tier,
            "language": checked.customer.language,
            "ship_name": checked.ship_name,
            "ship_phone": checked.ship_phone,
            "ship_email": checked.customer.email,
            "ship_province_code": checked.ship_province_code,
            "ship_ward": checked.ship_ward,
            "ship_street": checked.ship_street,
            "ship_legacy_address": checked.ship_legacy_address,
            "subtotal_vnd": money.subtotal_vnd,
            "vat_vnd": money.vat_vnd,
            "shipping_fee_vnd": money.shipping_fee_vnd,
            "shipping_vat_vnd": money.shipping_vat_vnd,
            "total_vnd": money.total_vnd,
            "weight_grams": money.weight_grams,
            "note": note,
            "placed_at": now,
            "promised_at": promised_at or now + timedelta(days=PROMISE_DAYS[checked.service_level]),
            "version": 1,
        },
    )
    _INSERT_LINES.run(
        uow.connection,
        [
            {
                "id": line_id,
                "order_id": order_id,
                "position": position,
                "product_id": line.product_id,
                "sku": line.sku,
                "name": line.name,
                "quantity": line.quantity,
                "unit_price_vnd": line.unit_price_vnd,
                "vat_rate_percent": line.vat_rate_percent,
                "net_vnd": line.net_vnd,
                "vat_vnd": line.vat_vnd,
                **repository.counter_columns(aggregate.lines[line_id]),
            }
            for position, (line_id, line) in enumerate(zip(line_ids, checked.lines, strict=True))
        ],
    )
    return PlacedOrder(order_id, number, state.value, money.total_vnd)


def serve_backorders(uow: UnitOfWork, *, order_id: str, destination_province_code: str) -> int:
    """Try again to reserve the order's backordered units; returns units newly reserved."""
    aggregate = repository.load(uow, order_id)
    if aggregate.state in (OrderState.CANCELLED, OrderState.DELIVERED, OrderState.RETURNED):
        return 0
    reserved = _reserve_backorders(uow, aggregate, destination=destination_province_code)
    if reserved:
        repository.save(uow, aggregate)
    return reserved


def _reserve_backorders(
    uow: UnitOfWork, aggregate: repository.OrderAggregate, *, destination: str
) -> int:
    # Lines in product order: every transaction locks stock rows in the same order (no deadlock).
    waiting = sorted(
        (line_id for line_id, units in aggregate.lines.items() if units.backordered),
        key=lambda line_id: (aggregate.product_of_line[line_id], line_id),
    )
    made = inventory.reserve_lines(
        uow,
        order_id=aggregate.id,
        lines=[
            inventory.WantedLine(
                line_id, aggregate.product_of_line[line_id], aggregate.lines[line_id].backordered
            )
            for line_id in waiting
        ],
        destination_province_code=destination,
    )
    for reservation in made:
        units = aggregate.lines[reservation.line_id]
        units.reserved += reservation.quantity
        units.backordered -= reservation.quantity
    short_lines = [line_id for line_id in waiting if aggregate.lines[line_id].backordered]
    short_units = [aggregate.lines[line_id].backordered for line_id in short_lines]
    if made:
        uow.publish(
            OrderReserved(
                order_id=aggregate.id,
                reservation_ids=tuple(reservation.id for reservation in made),
                warehouse_ids=tuple(sorted({reservation.warehouse_id for reservation in made})),
            )
        )
    if short_lines and aggregate.state == OrderState.PLACED:
        uow.publish(
            OrderBackordered(
                order_id=aggregate.id, line_ids=tuple(short_lines), quantities=tuple(short_units)
            )
        )
    return sum(reservation.quantity for reservation in made)
