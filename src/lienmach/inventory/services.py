"""Inventory use cases. Every change of a stock counter is one atomic conditional UPDATE."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, select, update

from lienmach.customers.geography import distance_km
from lienmach.inventory.events import (
    ReservationReleased,
    StockIssued,
    StockReceived,
    StockReserved,
    StockReturned,
)
from lienmach.inventory.model import Candidate, ReservationState, rank_warehouses
from lienmach.inventory.queries import ReservationView, get_reservations
from lienmach.inventory.tables import reservations, stock_levels, warehouses
from lienmach.kernel.db import insert_ignoring_duplicates
from lienmach.kernel.errors import DomainError, InvalidInput, NotFound
from lienmach.kernel.ids import new_id
from lienmach.kernel.uow import UnitOfWork

_RESERVE_RETRIES = 5


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


def reserve_line(
    uow: UnitOfWork,
    *,
    order_id: str,
    line_id: str,
    product_id: str,
    quantity: int,
    destination_province_code: str,
) -> list[ReservationView]:
    """Reserve up to ``quantity`` units, whole in the best warehouse when one can fill it.

    Returns the reservations made; their sum may be less than asked (the rest is a backorder).
    Never reserves more than is on hand, whatever runs concurrently.
    """
    made: list[ReservationView] = []
    wanted = quantity
    for _ in range(_RESERVE_RETRIES):
        candidates = _candidates(uow, product_id)
        if not candidates:
            break
        ranked = rank_warehouses(
            candidates,
            quantity=wanted,
            distance_to=lambda code: distance_km(code, destination_province_code),
        )
        for candidate in ranked:
            take = min(wanted, candidate.available)
            if take <= 0 or not _try_reserve(uow, product_id, candidate.warehouse_id, take):
                continue
            made.append(_record_reservation(uow, order_id, line_id, product_id, candidate, take))
            wanted -= take
            if wanted == 0:
                return made
    return made


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

    ``reservations``: these reservations as the caller already read them in this unit of
    work, to spare reading them again (None: read here).
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
    active = _active(uow, reservation_ids, known)
    _finish(uow, active, state)
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


def _candidates(uow: UnitOfWork, product_id: str) -> list[Candidate]:
    rows = uow.connection.execute(
        select(
            stock_levels.c.warehouse_id,
            warehouses.c.province_code,
            (stock_levels.c.on_hand - stock_levels.c.reserved).label("available"),
        )
        .join(warehouses, warehouses.c.id == stock_levels.c.warehouse_id)
        .where(
            stock_levels.c.product_id == product_id,
            stock_levels.c.on_hand > stock_levels.c.reserved,
            warehouses.c.active.is_(True),
        )
    )
    return [Candidate(row.warehouse_id, row.province_code, row.available) for row in rows]


def _try_reserve(uow: UnitOfWork, product_id: str, warehouse_id: str, quantity: int) -> bool:
    # The guard in the WHERE clause is the whole no-oversell argument: the database applies
    # the check and the increment atomically, so concurrent reservations cannot both pass.
    result = uow.connection.execute(
        update(stock_levels)
        .where(
            stock_levels.c.product_id == product_id,
            stock_levels.c.warehouse_id == warehouse_id,
            stock_levels.c.on_hand - stock_levels.c.reserved >= quantity,
        )
        .values(reserved=stock_levels.c.reserved + quantity)
    )
    return result.rowcount == 1


def _record_reservation(
    uow: UnitOfWork,
    order_id: str,
    line_id: str,
    product_id: str,
    candidate: Candidate,
    quantity: int,
) -> ReservationView:
    reservation = ReservationView(
        id=new_id("R"),
        order_id=order_id,
        line_id=line_id,
        product_id=product_id,
        warehouse_id=candidate.warehouse_id,
        quantity=quantity,
        state=ReservationState.ACTIVE.value,
    )
    uow.connection.execute(
        reservations.insert().values(**reservation.__dict__, created_at=uow.now())
    )
    uow.publish(
        StockReserved(
            reservation_id=reservation.id,
            order_id=order_id,
            line_id=line_id,
            product_id=product_id,
            warehouse_id=candidate.warehouse_id,
            quantity=quantity,
        )
    )
    return reservation


def _active(
    uow: UnitOfWork,
    reservation_ids: Sequence[str],
    known: Sequence[ReservationView] | None = None,
) -> list[ReservationView]:
    """The active ones among ``reservation_ids``, by id; read unless the caller ``known`` them."""
    if known is None:
        found = get_reservations(uow.connection, reservation_ids)
    else:
        wanted = set(reservation_ids)
        found = sorted((r for r in known if r.id in wanted), key=lambda r: r.id)
    return [r for r in found if r.state == ReservationState.ACTIVE.value]


def _finish(uow: UnitOfWork, active: Sequence[ReservationView], state: ReservationState) -> None:
    if not active:
        return
    ids = [reservation.id for reservation in active]
    finished = set(
        uow.connection.execute(
            update(reservations)
            .where(reservations.c.id.in_(ids), reservations.c.state == ReservationState.ACTIVE)
            .values(state=state.value, finished_at=uow.now())
            .returning(reservations.c.id)
        ).scalars()
    )
    for reservation_id in ids:
        if reservation_id not in finished:
            raise DomainError(f"reservation {reservation_id} is no longer active")


def _lower_stock(uow: UnitOfWork, active: Sequence[ReservationView], *, on_hand: bool) -> None:
    """Take the reservations' units off ``reserved`` (and off ``on_hand`` when they left)."""
    if not active:
        return
    values = {"reserved": stock_levels.c.reserved - bindparam("units")}
    if on_hand:
        values["on_hand"] = stock_levels.c.on_hand - bindparam("units")
    uow.connection.execute(
        update(stock_levels)
        .where(
            stock_levels.c.product_id == bindparam("product"),
            stock_levels.c.warehouse_id == bindparam("warehouse"),
        )
        .values(values),
        # Stock rows in (product, warehouse) order, the order every reservation takes them in:
        # two transactions never wait on each other's rows crosswise (no deadlock).
        [
            {"product": r.product_id, "warehouse": r.warehouse_id, "units": r.quantity}
            for r in sorted(active, key=lambda r: (r.product_id, r.warehouse_id, r.id))
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
