"""Inventory use cases. Every change of a stock counter is one atomic conditional UPDATE."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import bindparam, select, tuple_, update

from lienmach.inventory.events import (
    ReservationReleased,
    StockIssued,
    StockReceived,
    StockReturned,
)
from lienmach.inventory.model import ReservationState
from lienmach.inventory.queries import RESERVATION_COLUMNS, ReservationView
from lienmach.inventory.reserving import WantedLine, reserve_lines
from lienmach.inventory.tables import reservations, stock_levels, warehouses
from lienmach.kernel.db import insert_ignoring_duplicates
from lienmach.kernel.errors import DomainError, InvalidInput, NotFound
from lienmach.kernel.ids import new_id
from lienmach.kernel.prepared import prepared
from lienmach.kernel.uow import UnitOfWork

__all__ = [
    "WantedLine",
    "create_warehouse",
    "issue_reserved_stock",
    "lock_stock_of",
    "lock_stock_reserved_for",
    "receive_stock",
    "release_reservations",
    "reserve_lines",
    "return_stock",
]

# Built once: reservations are finished and stock lowered for every shipped or cancelled order.
_FINISH = prepared(
    update(reservations)
    .where(
        reservations.c.id.in_(bindparam("ids", expanding=True)),
        reservations.c.state == ReservationState.ACTIVE.value,
    )
    .values(state=bindparam("f_state"), finished_at=bindparam("f_now"))
    .returning(*RESERVATION_COLUMNS)
)
# Every writer takes stock rows in (product, warehouse) order.
_LOCK_STOCK = prepared(
    select(stock_levels.c.product_id)
    .where(stock_levels.c.product_id.in_(bindparam("products", expanding=True)))
    .order_by(stock_levels.c.product_id, stock_levels.c.warehouse_id)
    .with_for_update()
)
_LOCK_STOCK_RESERVED = prepared(
    select(stock_levels.c.product_id)
    .where(
        tuple_(stock_levels.c.product_id, stock_levels.c.warehouse_id).in_(
            select(reservations.c.product_id, reservations.c.warehouse_id).where(
                reservations.c.order_id.in_(bindparam("orders", expanding=True))
            )
        )
    )
    .order_by(stock_levels.c.product_id, stock_levels.c.warehouse_id)
    .with_for_update(of=stock_levels)
)
_LOWER_RESERVED = {"reserved": stock_levels.c.reserved - bindparam("units")}
_LOWER_STOCK = {
    on_hand: update(stock_levels)
    .where(
        stock_levels.c.product_id == bindparam("product"),
        stock_levels.c.warehouse_id == bindparam("warehouse"),
    )
    .values(
        {**_LOWER_RESERVED, "on_hand": stock_levels.c.on_hand - bindparam("units")}
        if on_hand
        else _LOWER_RESERVED
    )
    for on_hand in (False, True)
}


def lock_stock_of(uow: UnitOfWork, *, product_ids: Sequence[str]) -> None:
    """Take the stock rows of these products now, in the order every writer takes them.

    For the first unit of a group commit whose units reserve these products one after the
    other, each in its own order: holding all the rows from the start, the group waits for
    no worker mid-way, so it cannot deadlock with one issuing stock in (product, warehouse)
    order. Nothing to do on SQLite, where one writer at a time holds the whole database.
    """
    if uow.connection.dialect.name == "postgresql" and product_ids:
        _LOCK_STOCK.run(uow.connection, {"products": sorted(set(product_ids))})


def lock_stock_reserved_for(uow: UnitOfWork, *, order_ids: Sequence[str]) -> None:
    """Take, in (product, warehouse) order, the stock rows these orders have reserved from.

    For a transaction that will change several orders' stock one after the other (a worker's
    batch issuing some parcels' stock and taking back failed ones): holding every row from
    the start, it never holds a later row while waiting for an earlier one, so it cannot
    deadlock with another writer taking rows in that order. Nothing to do on SQLite.
    """
    if uow.connection.dialect.name == "postgresql" and order_ids:
        _LOCK_STOCK_RESERVED.run(uow.connection, {"orders": sorted(set(order_ids))})


def create_warehouse(
    uow: UnitOfWork, *, code: str, name: str, province_code: str, ward: str, street: str
) -> str:
    """Open a warehouse in a province."""
    if not code.strip():
        raise InvalidInput({"code": "give the warehouse a short code"})
    warehouse_id = new_id("W")
    uow.connection.execute(
        warehouses.insert().values(
            id=warehouse_id,
            code=code,
            name=name,
            province_code=province_code,
            ward=ward,
            street=street,
            active=True,
        )
    )
    return warehouse_id


def receive_stock(
    uow: UnitOfWork, *, warehouse_id: str, product_id: str, quantity: int, unit_cost_vnd: int = 0
) -> None:
    """Put received units on hand; backordered lines will be served by the orders context."""
    if quantity <= 0:
        raise InvalidInput({"quantity": "receive at least one unit"})
    _add_on_hand(uow, warehouse_id=warehouse_id, product_id=product_id, quantity=quantity)
    uow.publish(
        StockReceived(
            receipt_id=new_id("GR"),
            product_id=product_id,
            warehouse_id=warehouse_id,
            quantity=quantity,
            unit_cost_vnd=unit_cost_vnd,
        )
    )


def release_reservations(
    uow: UnitOfWork,
    *,
    reservation_ids: Sequence[str],
    reservations: Sequence[ReservationView] | None = None,
) -> int:
    """Give back the units of active reservations; returns how many units were released.

    ``reservations``: these reservations as the caller already read them in this unit of
    work, to spare reading them again (None: read here).
    """
    return _close(uow, reservation_ids, reservations, ReservationState.RELEASED)


def issue_reserved_stock(
    uow: UnitOfWork,
    *,
    reservation_ids: Sequence[str],
    reservations: Sequence[ReservationView] | None = None,
) -> int:
    """Reserved units leave the warehouse: on hand and reserved both go down.

    Takes the reservations of any number of parcels at once, in a fixed number of statements
    (one for the reservations, one for the stock rows they lower), so a batch of shipments
    issues its stock together. ``reservations``: these reservations as the caller already
    read them in this unit of work, to spare reading them again (None: read here).
    """
    return _close(uow, reservation_ids, reservations, ReservationState.ISSUED)


def _close(
    uow: UnitOfWork,
    reservation_ids: Sequence[str],
    known: Sequence[ReservationView] | None,
    state: ReservationState,
) -> int:
    """Released units go back to free stock; issued units leave on hand too."""
    issued = state == ReservationState.ISSUED
    if known is None:
        # Read and finished in one statement: whichever of them are still active.
        active = _finish(uow, reservation_ids, state)
    else:
        wanted = set(reservation_ids)
        active = sorted(
            (r for r in known if r.id in wanted and r.state == ReservationState.ACTIVE.value),
            key=lambda r: r.id,
        )
        finished = {r.id for r in _finish(uow, [r.id for r in active], state)}
        for reservation in active:
            if reservation.id not in finished:
                raise DomainError(f"reservation {reservation.id} is no longer active")
    _lower_stock(uow, active, on_hand=issued)
    for reservation in active:
        uow.publish(_moved(StockIssued if issued else ReservationReleased, reservation))
    return sum(reservation.quantity for reservation in active)


def return_stock(
    uow: UnitOfWork,
    *,
    order_id: str,
    warehouse_id: str,
    product_id: str,
    quantity: int,
    reason: str,
) -> None:
    """Units came back to a warehouse (failed delivery or return) and can be sold again."""
    if quantity <= 0:
        raise InvalidInput({"quantity": "return at least one unit"})
    _add_on_hand(uow, warehouse_id=warehouse_id, product_id=product_id, quantity=quantity)
    uow.publish(
        StockReturned(
            product_id=product_id,
            warehouse_id=warehouse_id,
            quantity=quantity,
            order_id=order_id,
            reason=reason,
        )
    )


def _add_on_hand(uow: UnitOfWork, *, warehouse_id: str, product_id: str, quantity: int) -> None:
    exists = uow.connection.execute(
        select(warehouses.c.id).where(warehouses.c.id == warehouse_id)
    ).first()
    if exists is None:
        raise NotFound("warehouse", warehouse_id)
    insert_ignoring_duplicates(
        uow.connection,
        stock_levels,
        {"product_id": product_id, "warehouse_id": warehouse_id, "on_hand": 0, "reserved": 0},
    )
    uow.connection.execute(
        update(stock_levels)
        .where(stock_levels.c.product_id == product_id, stock_levels.c.warehouse_id == warehouse_id)
        .values(on_hand=stock_levels.c.on_hand + quantity)
    )


def _finish(
    uow: UnitOfWork, reservation_ids: Sequence[str], state: ReservationState
) -> list[ReservationView]:
    """Finish those of the reservations still active; returns them, by id."""
    ids = sorted(set(reservation_ids))
    if not ids:
        return []
    rows = _FINISH.run(uow.connection, {"ids": ids, "f_state": state.value, "f_now": uow.now()})
    return sorted((ReservationView(*row) for row in rows), key=lambda r: r.id)


def _lower_stock(uow: UnitOfWork, active: Sequence[ReservationView], *, on_hand: bool) -> None:
    """Take the reservations' units off ``reserved`` (and off ``on_hand`` when they left)."""
    if not active:
        return
    # One change per stock row, however many reservations (of one parcel or of a batch of
    # them) it is lowered by: each row is updated once.
    units: dict[tuple[str, str], int] = defaultdict(int)
    for reservation in active:
        units[(reservation.product_id, reservation.warehouse_id)] += reservation.quantity
    uow.connection.execute(
        _LOWER_STOCK[on_hand],
        # Stock rows in (product, warehouse) order, the order every reservation takes them in:
        # two transactions never wait on each other's rows crosswise (no deadlock).
        [
            {"product": product_id, "warehouse": warehouse_id, "units": count}
            for (product_id, warehouse_id), count in sorted(units.items())
        ],
    )


def _moved(
    kind: type[ReservationReleased] | type[StockIssued], reservation: ReservationView
) -> ReservationReleased | StockIssued:
    return kind(
        reservation_id=reservation.id,
        order_id=reservation.order_id,
        line_id=reservation.line_id,
        product_id=reservation.product_id,
        warehouse_id=reservation.warehouse_id,
        quantity=reservation.quantity,
    )
