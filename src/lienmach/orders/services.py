"""Orders use cases after placing: payment, fulfilment progress, delivery, return and
cancellation; the write API of the order for everyone above it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lienmach.inventory import services as inventory
from lienmach.inventory.queries import reservations_for_order
from lienmach.kernel.errors import DomainError, InvalidInput
from lienmach.kernel.uow import UnitOfWork
from lienmach.orders import repository
from lienmach.orders.events import (
    LatePaymentReceived,
    OrderCancelled,
    OrderDelivered,
    OrderFulfilmentStarted,
    OrderPaid,
    OrderReturned,
    OrderShipped,
)
from lienmach.orders.model import CANCELLABLE, LineUnits, OrderState


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
    start_fulfilment_many(uow, [(order_id, pick_task_id)])


def start_fulfilment_many(uow: UnitOfWork, tasks: Sequence[tuple[str, str]]) -> None:
    """:func:`start_fulfilment` for many (order id, pick task id), each order written once."""
    aggregates = [
        repository.load(uow, order_id) for order_id in dict.fromkeys(order for order, _ in tasks)
    ]
    for aggregate in aggregates:
        if aggregate.fulfilment_stage != "packed":
            aggregate.fulfilment_stage = "picking"
    repository.save_many(uow, aggregates)
    for order_id, pick_task_id in tasks:
        uow.publish(OrderFulfilmentStarted(order_id=order_id, pick_task_id=pick_task_id))


def record_packed(uow: UnitOfWork, *, order_id: str) -> None:
    """A parcel of the order was closed; from now on it can no longer be cancelled."""
    aggregate = repository.load(uow, order_id)
    aggregate.fulfilment_stage = "packed"
    repository.save(uow, aggregate)


@dataclass(frozen=True)
class Shipment:
    """Units of an order that left with a carrier in one shipment (``quantities`` by line)."""

    order_id: str
    shipment_id: str
    quantities: Mapping[str, int]


def record_shipped(
    uow: UnitOfWork, *, order_id: str, shipment_id: str, quantities: Mapping[str, int]
) -> None:
    """Units of the order left with a carrier (``quantities`` by line id)."""
    record_shipped_many(uow, [Shipment(order_id, shipment_id, quantities)])


def record_shipped_many(uow: UnitOfWork, shipments: Sequence[Shipment]) -> None:
    """:func:`record_shipped` for many shipments, each order written once for all of its.

    Each shipment is one step of its order, taken in the given order and published as it
    would be alone (``complete`` once the order's last units have left).
    """
    aggregates: dict[str, repository.OrderAggregate] = {}
    shipped: list[OrderShipped] = []
    for shipment in shipments:
        aggregate = aggregates.get(shipment.order_id)
        if aggregate is None:
            aggregate = aggregates[shipment.order_id] = repository.load(uow, shipment.order_id)
        _move(aggregate, shipment.quantities, source="reserved", target="shipped")
        aggregate.fulfilment_stage = "picking" if _reserved(aggregate) else "none"
        state = repository.advance(aggregate)
        shipped.append(
            OrderShipped(
                order_id=shipment.order_id,
                shipment_id=shipment.shipment_id,
                complete=state == OrderState.SHIPPED,
            )
        )
    repository.save_many(uow, aggregates.values())
    for event in shipped:
        uow.publish(event)


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
    _move(aggregate, quantities, target=target, source=source)
    return aggregate


def _move(
    aggregate: repository.OrderAggregate,
    quantities: Mapping[str, int],
    *,
    target: str,
    source: str | None = None,
) -> None:
    """Count ``quantities`` (by line) in ``target`` (and out of ``source``)."""
    for line_id, quantity in quantities.items():
        units = _line(aggregate, line_id)
        if source is not None:
            setattr(units, source, getattr(units, source) - quantity)
        setattr(units, target, getattr(units, target) + quantity)
        _check_units(aggregate.id, line_id, units)


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
