"""Orders use cases: the write API of the order for everyone above it."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from lienmach.inventory import services as inventory
from lienmach.inventory.queries import reservations_for_order
from lienmach.kernel.counters import next_number
from lienmach.kernel.errors import DomainError, InvalidInput
from lienmach.kernel.ids import new_id
from lienmach.kernel.states import check_transition
from lienmach.kernel.uow import UnitOfWork
from lienmach.orders import repository
from lienmach.orders.checks import check_order
from lienmach.orders.events import (
    LatePaymentReceived,
    OrderBackordered,
    OrderCancelled,
    OrderDelivered,
    OrderFulfilmentStarted,
    OrderPaid,
    OrderPlaced,
    OrderReserved,
    OrderReturned,
    OrderShipped,
)
from lienmach.orders.model import CANCELLABLE, TRANSITIONS, LineUnits, OrderState, totals
from lienmach.orders.tables import order_lines, orders

PROMISE_DAYS = {"standard": 3, "express": 1}
# Built once: every order placed writes itself and its lines.
_INSERT_ORDER = orders.insert()
_INSERT_LINES = order_lines.insert()


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
    uow.connection.execute(
        _INSERT_ORDER,
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
    uow.connection.execute(
        _INSERT_LINES,
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


def record_payment(
    uow: UnitOfWork, *, order_id: str, amount_vnd: int, gateway: str, gateway_reference: str
) -> None:
    """A payment gateway confirmed a prepayment.

    Money for an order already cancelled (e.g. its payment deadline passed) does not revive
    it: the payment is recorded as LatePaymentReceived and billing gives it back.
    """
    if amount_vnd <= 0:
        raise InvalidInput({"amount_vnd": "a payment must be more than 0 đồng"})
    aggregate = repository.load(uow, order_id)
    if aggregate.state == OrderState.CANCELLED:
        # The gateway has taken the money either way; refusing would only make it retry.
        uow.publish(
            LatePaymentReceived(
                order_id=order_id,
                amount_vnd=amount_vnd,
                gateway=gateway,
                gateway_reference=gateway_reference,
            )
        )
        return
    aggregate.paid_vnd += amount_vnd
    repository.save(uow, aggregate)
    uow.publish(
        OrderPaid(
            order_id=order_id,
            amount_vnd=amount_vnd,
            gateway=gateway,
            gateway_reference=gateway_reference,
        )
    )


def start_fulfilment(uow: UnitOfWork, *, order_id: str, pick_task_id: str) -> None:
    """A pick task was queued for some of the order's units."""
    aggregate = repository.load(uow, order_id)
    if aggregate.fulfilment_stage != "packed":
        aggregate.fulfilment_stage = "picking"
    repository.save(uow, aggregate)
    uow.publish(OrderFulfilmentStarted(order_id=order_id, pick_task_id=pick_task_id))


def record_packed(uow: UnitOfWork, *, order_id: str) -> None:
    """A parcel of the order was closed; from now on it can no longer be cancelled."""
    aggregate = repository.load(uow, order_id)
    aggregate.fulfilment_stage = "packed"
    repository.save(uow, aggregate)


def record_shipped(
    uow: UnitOfWork, *, order_id: str, shipment_id: str, quantities: Mapping[str, int]
) -> None:
    """Units of the order left with a carrier (``quantities`` by line id)."""
    aggregate = _moved(uow, order_id, quantities, source="reserved", target="shipped")
    aggregate.fulfilment_stage = "picking" if _reserved(aggregate) else "none"
    state = repository.save(uow, aggregate)
    uow.publish(
        OrderShipped(
            order_id=order_id, shipment_id=shipment_id, complete=state == OrderState.SHIPPED
        )
    )


def record_delivered(
    uow: UnitOfWork,
    *,
    order_id: str,
    shipment_id: str,
    quantities: Mapping[str, int],
    cod_collected_vnd: int = 0,
) -> None:
    """The customer received these units (and paid the courier ``cod_collected_vnd`` in cash);
    the order closes when every unit has arrived."""
    aggregate = _moved(uow, order_id, quantities, target="delivered")
    aggregate.paid_vnd += cod_collected_vnd
    state = repository.save(uow, aggregate, **_closed_if_final(uow, aggregate))
    if state == OrderState.DELIVERED:
        uow.publish(OrderDelivered(order_id=order_id, customer_id=aggregate.customer_id))


def record_returned(
    uow: UnitOfWork, *, order_id: str, shipment_id: str, quantities: Mapping[str, int]
) -> None:
    """Shipped units came back undelivered."""
    aggregate = _moved(uow, order_id, quantities, target="returned")
    state = repository.save(uow, aggregate, **_closed_if_final(uow, aggregate))
    uow.publish(
        OrderReturned(
            order_id=order_id, shipment_id=shipment_id, complete=state == OrderState.RETURNED
        )
    )


def _moved(
    uow: UnitOfWork,
    order_id: str,
    quantities: Mapping[str, int],
    *,
    target: str,
    source: str | None = None,
) -> repository.OrderAggregate:
    """The order with ``quantities`` (by line) counted in ``target`` (and out of ``source``)."""
    aggregate = repository.load(uow, order_id)
    for line_id, quantity in quantities.items():
        units = _line(aggregate, line_id)
        if source is not None:
            setattr(units, source, getattr(units, source) - quantity)
        setattr(units, target, getattr(units, target) + quantity)
        _check_units(order_id, line_id, units)
    return aggregate


def cancel_order(uow: UnitOfWork, *, order_id: str, reason: str) -> None:
    """Cancel an order that has not been packed: its stock is released at once."""
    if not reason.strip():
        raise InvalidInput({"reason": "say why the order is cancelled"})
    aggregate = repository.load(uow, order_id)
    if aggregate.state not in CANCELLABLE or aggregate.fulfilment_stage == "packed":
        raise DomainError(
            f"order {order_id} is {aggregate.state.value}; once packed it can no longer be"
            " cancelled: refuse the delivery or take a return instead"
        )
    found = reservations_for_order(uow.connection, order_id)
    active = [r.id for r in found if r.state == "active"]
    inventory.release_reservations(uow, reservation_ids=active, reservations=found)
    for units in aggregate.lines.values():
        units.cancelled += units.reserved + units.backordered
        units.reserved = units.backordered = 0
    aggregate.fulfilment_stage = "none"
    repository.save(uow, aggregate, cancel_reason=reason, closed_at=uow.now())
    uow.publish(OrderCancelled(order_id=order_id, reason=reason, line_ids=tuple(aggregate.lines)))


def _line(aggregate: repository.OrderAggregate, line_id: str) -> LineUnits:
    if line_id not in aggregate.lines:
        raise InvalidInput({"line_id": f"line {line_id} is not part of order {aggregate.id}"})
    return aggregate.lines[line_id]


def _check_units(order_id: str, line_id: str, units: LineUnits) -> None:
    if min(units.reserved, units.shipped, units.delivered, units.returned) < 0 or (
        units.delivered + units.returned > units.shipped
    ):
        raise DomainError(f"order {order_id} line {line_id}: those units are not where you say")


def _reserved(aggregate: repository.OrderAggregate) -> int:
    return sum(units.reserved for units in aggregate.lines.values())


def _closed_if_final(uow: UnitOfWork, aggregate: repository.OrderAggregate) -> dict[str, Any]:
    final = aggregate.next_state() in (OrderState.DELIVERED, OrderState.RETURNED)
    return {"closed_at": uow.now()} if final else {}
