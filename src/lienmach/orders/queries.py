"""Orders read side: one order with its lines, lists, the order's event timeline, and the
counts the back office's dashboard shows."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, bindparam, func, select

from lienmach.kernel.messages import Event
from lienmach.kernel.prepared import prepared
from lienmach.kernel.tables import event_log, event_objects
from lienmach.kernel.uow import UnitOfWork
from lienmach.orders.model import CANCELLABLE, FINAL, OrderState, PaymentMethod
from lienmach.orders.tables import order_lines, orders


@dataclass(frozen=True)
class OrderLineView:
    id: str
    product_id: str
    sku: str
    name: str
    quantity: int
    unit_price_vnd: int
    vat_rate_percent: int
    net_vnd: int
    vat_vnd: int
    reserved_quantity: int
    backordered_quantity: int
    shipped_quantity: int
    delivered_quantity: int
    returned_quantity: int
    cancelled_quantity: int


@dataclass(frozen=True)
class OrderView:
    id: str
    number: str
    tracking_token: str
    customer_id: str
    channel: str
    state: str
    fulfilment_stage: str
    payment_method: str
    paid_vnd: int
    service_level: str
    customer_tier: str
    language: str
    ship_name: str
    ship_phone: str
    ship_email: str
    ship_province_code: str
    ship_ward: str
    ship_street: str
    subtotal_vnd: int
    vat_vnd: int
    shipping_fee_vnd: int
    shipping_vat_vnd: int
    total_vnd: int
    weight_grams: int
    note: str
    placed_at: datetime
    promised_at: datetime | None
    closed_at: datetime | None
    cancel_reason: str | None
    version: int
    lines: list[OrderLineView] = field(default_factory=list)

    @property
    def paid(self) -> bool:
        return self.paid_vnd >= self.total_vnd

    @property
    def backordered_quantity(self) -> int:
        return sum(line.backordered_quantity for line in self.lines)


@dataclass(frozen=True)
class TimelineEntry:
    event_id: str
    type: str
    occurred_at: datetime
    actor: str
    payload: dict[str, Any]


_ORDER_COLUMNS = [
    getattr(orders.c, name) for name in OrderView.__dataclass_fields__ if name != "lines"
]
_LINE_COLUMNS = [getattr(order_lines.c, name) for name in OrderLineView.__dataclass_fields__]


_LINE_LABELS = [column.label(f"line_{column.name}") for column in _LINE_COLUMNS]
_ORDER_NAMES = [column.name for column in _ORDER_COLUMNS]
_FIRST_LINE_COLUMN = len(_ORDER_COLUMNS)
# Built once: the journey reads each order several times. One statement: the order's columns
# repeat on each of its lines (outer join: no lines → one row whose line columns are NULL).
_ORDER_WITH_LINES = prepared(
    select(*_ORDER_COLUMNS, *_LINE_LABELS)
    .select_from(orders.outerjoin(order_lines, order_lines.c.order_id == orders.c.id))
    .where(orders.c.id == bindparam("order_id"))
    .order_by(order_lines.c.position)
)
_ORDERS_WITH_LINES = prepared(
    select(*_ORDER_COLUMNS, *_LINE_LABELS)
    .select_from(orders.outerjoin(order_lines, order_lines.c.order_id == orders.c.id))
    .where(orders.c.id.in_(bindparam("order_ids", expanding=True)))
    .order_by(orders.c.id, order_lines.c.position)
)
_BACKORDERED_LINES = prepared(
    select(order_lines.c.order_id, order_lines.c.id, order_lines.c.backordered_quantity)
    .join(orders, orders.c.id == order_lines.c.order_id)
    .where(
        order_lines.c.product_id == bindparam("product_id"),
        order_lines.c.backordered_quantity > 0,
    )
    .order_by(orders.c.placed_at, orders.c.id)
)
#: uow.scratch key: the orders read in this unit of work, by id (see :func:`order_in`).
SEEN_ORDERS = "orders.views"


def order_id_for_tracking_token(connection: Connection, token: str) -> str | None:
    """The order whose public tracking link carries ``token``, if any."""
    return connection.execute(
        select(orders.c.id).where(orders.c.tracking_token == token)
    ).scalar_one_or_none()


def order_id_for_number(connection: Connection, number: str) -> str | None:
    """The order numbered ``number`` (DH0000001), if any."""
    return connection.execute(
        select(orders.c.id).where(orders.c.number == number)
    ).scalar_one_or_none()


def get_order(connection: Connection, order_id: str) -> OrderView | None:
    rows = _ORDER_WITH_LINES.run(connection, {"order_id": order_id})
    return _order_view(rows) if rows else None


def get_orders(connection: Connection, order_ids: Sequence[str]) -> dict[str, OrderView]:
    """The orders found among ``order_ids``, with their lines, in one statement."""
    rows = _ORDERS_WITH_LINES.run(connection, {"order_ids": list(order_ids)}).all()
    return {
        order_id: _order_view(list(order_rows))
        for order_id, order_rows in itertools.groupby(rows, key=lambda row: row[0])
    }


def _order_view(rows: Sequence[Row[Any]]) -> OrderView:
    """An order from its rows joined with its lines (one row, line columns NULL, if none)."""
    lines = [
        OrderLineView(*row[_FIRST_LINE_COLUMN:])
        for row in rows
        if row[_FIRST_LINE_COLUMN] is not None
    ]
    return OrderView(**dict(zip(_ORDER_NAMES, rows[0], strict=False)), lines=lines)


def read_orders_of(uow: UnitOfWork, events: Sequence[Event]) -> None:
    """Read, in one statement, the orders the ``events`` name that this unit of work has not
    read yet, for :func:`order_in`: a delivery batch's handlers then read none one by one."""
    named = [
        order_id
        for event in events
        if isinstance(order_id := getattr(event, "order_id", None), str)
    ]
    uow.remembered_many(SEEN_ORDERS, named, lambda missing: get_orders(uow.connection, missing))


def order_in(uow: UnitOfWork, order_id: str) -> OrderView | None:
    """:func:`get_order`, read once per unit of work: the handlers of one delivery batch and
    the orders' own use cases share it, and saving an order keeps it current.

    Another transaction may change the order meanwhile: act on what it shows under a lock or
    a version check (the orders' use cases do), as with any read.
    """
    return uow.remembered(SEEN_ORDERS, order_id, lambda: get_order(uow.connection, order_id))


def list_orders(
    connection: Connection,
    *,
    state: str | None = None,
    customer_id: str | None = None,
    channel: str | None = None,
    province_code: str | None = None,
    placed_from: datetime | None = None,
    placed_until: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[OrderView]:
    """Newest first, without lines (fetch one order for its lines); placed in [from, until)."""
    query = select(*_ORDER_COLUMNS).order_by(orders.c.placed_at.desc(), orders.c.id.desc())
    if state:
        query = query.where(orders.c.state == state)
    if customer_id:
        query = query.where(orders.c.customer_id == customer_id)
    if channel:
        query = query.where(orders.c.channel == channel)
    if province_code:
        query = query.where(orders.c.ship_province_code == province_code)
    if placed_from is not None:
        query = query.where(orders.c.placed_at >= placed_from)
    if placed_until is not None:
        query = query.where(orders.c.placed_at < placed_until)
    rows = connection.execute(query.limit(limit).offset(offset))
    return [OrderView(**row._mapping) for row in rows]


def count_by_state(connection: Connection) -> dict[str, int]:
    rows = connection.execute(select(orders.c.state, func.count()).group_by(orders.c.state))
    return {state: int(count) for state, count in rows}


def order_timeline(connection: Connection, order_id: str) -> list[TimelineEntry]:
    """Every logged event that touched the order, oldest first."""
    rows = connection.execute(
        select(
            event_log.c.id,
            event_log.c.type,
            event_log.c.occurred_at,
            event_log.c.actor,
            event_log.c.payload,
        )
        .join(event_objects, event_objects.c.event_id == event_log.c.id)
        .where(event_objects.c.object_type == "order", event_objects.c.object_id == order_id)
        .order_by(event_log.c.occurred_at, event_log.c.id)
    )
    return [
        TimelineEntry(row.id, row.type, row.occurred_at, row.actor, dict(row.payload))
        for row in rows
    ]


def backordered_lines(connection: Connection, product_id: str) -> list[tuple[str, str, int]]:
    """(order id, line id, units waiting) for a product, oldest order first."""
    rows = _BACKORDERED_LINES.run(connection, {"product_id": product_id})
    return [(row.order_id, row.id, int(row.backordered_quantity)) for row in rows]


def unpaid_prepaid_orders(
    connection: Connection, *, placed_before: datetime, limit: int = 100
) -> list[str]:
    """Ids of prepaid orders placed by ``placed_before``, not fully paid and still
    cancellable, oldest first (the payment deadline sweep)."""
    rows = connection.execute(
        select(orders.c.id)
        .where(
            orders.c.state.in_([state.value for state in CANCELLABLE]),
            orders.c.placed_at <= placed_before,
            orders.c.payment_method == PaymentMethod.PREPAID.value,
            orders.c.paid_vnd < orders.c.total_vnd,
            orders.c.fulfilment_stage != "packed",
        )
        .order_by(orders.c.placed_at, orders.c.id)
        .limit(limit)
    )
    return list(rows.scalars())


def placed_totals(connection: Connection, *, since: datetime, until: datetime) -> tuple[int, int]:
    """(orders, their total in đồng) placed in [since, until), cancelled ones left out."""
    row = connection.execute(
        select(func.count(), func.coalesce(func.sum(orders.c.total_vnd), 0)).where(
            orders.c.placed_at >= since,
            orders.c.placed_at < until,
            orders.c.state != OrderState.CANCELLED.value,
        )
    ).one()
    return int(row[0]), int(row[1])


def count_placed_between(connection: Connection, *, since: datetime, until: datetime) -> int:
    """Orders placed in [since, until), whatever became of them (an index-only count)."""
    return int(
        connection.execute(
            select(func.count()).where(orders.c.placed_at >= since, orders.c.placed_at < until)
        ).scalar_one()
    )


_NOT_FINAL = [state.value for state in OrderState if state not in FINAL]


def late_orders(connection: Connection, *, now: datetime, limit: int = 20) -> list[OrderView]:
    """Orders still on their way whose promised date has passed, the longest overdue first."""
    rows = connection.execute(
        select(*_ORDER_COLUMNS)
        .where(orders.c.state.in_(_NOT_FINAL), orders.c.promised_at < now)
        .order_by(orders.c.promised_at, orders.c.id)
        .limit(limit)
    )
    return [OrderView(**row._mapping) for row in rows]


def count_late_orders(connection: Connection, *, now: datetime) -> int:
    return int(
        connection.execute(
            select(func.count()).where(orders.c.state.in_(_NOT_FINAL), orders.c.promised_at < now)
        ).scalar_one()
    )
