"""Reserving stock for order lines: whole in the best warehouse when one can fill a line, and
never more than is on hand, whatever runs concurrently."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select, update

from lienmach.customers.geography import distance_km
from lienmach.inventory.events import StockReserved
from lienmach.inventory.model import Candidate, ReservationState, rank_warehouses
from lienmach.inventory.queries import ReservationView
from lienmach.inventory.tables import reservations, stock_levels, warehouses
from lienmach.kernel.ids import new_id
from lienmach.kernel.prepared import prepared
from lienmach.kernel.uow import UnitOfWork

_RESERVE_RETRIES = 5


@dataclass(frozen=True)
class WantedLine:
    """Units of one order line still to reserve."""

    line_id: str
    product_id: str
    quantity: int


# Built once: building a statement costs several times more than executing it.
_CANDIDATES = prepared(
    select(
        stock_levels.c.product_id,
        stock_levels.c.warehouse_id,
        warehouses.c.province_code,
        (stock_levels.c.on_hand - stock_levels.c.reserved).label("available"),
    )
    .join(warehouses, warehouses.c.id == stock_levels.c.warehouse_id)
    .where(
        stock_levels.c.product_id.in_(bindparam("products", expanding=True)),
        stock_levels.c.on_hand > stock_levels.c.reserved,
        warehouses.c.active.is_(True),
    )
)
# The guard in the WHERE clause is the whole no-oversell argument: the database applies the
# check and the increment atomically, so concurrent reservations cannot both pass.
_TRY_RESERVE = prepared(
    update(stock_levels)
    .where(
        stock_levels.c.product_id == bindparam("r_product"),
        stock_levels.c.warehouse_id == bindparam("r_warehouse"),
        stock_levels.c.on_hand - stock_levels.c.reserved >= bindparam("r_units"),
    )
    .values(reserved=stock_levels.c.reserved + bindparam("r_units"))
)
_INSERT_RESERVATIONS = prepared(reservations.insert())


def reserve_lines(
    uow: UnitOfWork,
    *,
    order_id: str,
    lines: Sequence[WantedLine],
    destination_province_code: str,
) -> list[ReservationView]:
    """Reserve up to each line's quantity; returns the reservations made, line by line.

    Their sum may be less than asked (the rest is a backorder). Lines are served in the order
    given: pass them in product order, so every transaction locks stock rows in the same order.
    """
    if not lines:
        return []
    # One look at the stock of every product first; a line looks again only if it has to.
    first_look = _candidates(uow, {line.product_id for line in lines})

    def distance_to(province_code: str) -> float:
        return distance_km(province_code, destination_province_code)

    made: list[ReservationView] = []
    served: set[str] = set()
    for line in lines:
        # A second line of the same product looks again: the first one took some.
        looked = None if line.product_id in served else first_look.get(line.product_id, [])
        served.add(line.product_id)
        made.extend(_reserve_line(uow, order_id, line, looked, distance_to))
    if made:
        now = uow.now()
        _INSERT_RESERVATIONS.run(uow.connection, [{**r.__dict__, "created_at": now} for r in made])
    return made


def _reserve_line(
    uow: UnitOfWork,
    order_id: str,
    line: WantedLine,
    looked: list[Candidate] | None,
    distance_to: Callable[[str], float],
) -> list[ReservationView]:
    """``looked``: the product's stock as already read (None: read it here)."""
    made: list[ReservationView] = []
    wanted = line.quantity
    for attempt in range(_RESERVE_RETRIES):
        if attempt or looked is None:
            candidates = _candidates(uow, [line.product_id]).get(line.product_id, [])
        else:
            candidates = looked
        if not candidates:
            break
        for candidate in rank_warehouses(candidates, quantity=wanted, distance_to=distance_to):
            take = min(wanted, candidate.available)
            if take <= 0 or not _try_reserve(uow, line.product_id, candidate.warehouse_id, take):
                continue
            made.append(_reserved(uow, order_id, line, candidate.warehouse_id, take))
            wanted -= take
            if wanted == 0:
                return made
    return made


def _candidates(uow: UnitOfWork, product_ids: Iterable[str]) -> dict[str, list[Candidate]]:
    """Warehouses with free units of each product, by product."""
    found: dict[str, list[Candidate]] = {}
    rows = _CANDIDATES.run(uow.connection, {"products": sorted(product_ids)})
    for product_id, warehouse_id, province_code, available in rows:
        found.setdefault(product_id, []).append(Candidate(warehouse_id, province_code, available))
    return found


def _try_reserve(uow: UnitOfWork, product_id: str, warehouse_id: str, quantity: int) -> bool:
    params: dict[str, Any] = {
        "r_product": product_id,
        "r_warehouse": warehouse_id,
        "r_units": quantity,
    }
    return _TRY_RESERVE.run(uow.connection, params).rowcount == 1


def _reserved(
    uow: UnitOfWork, order_id: str, line: WantedLine, warehouse_id: str, quantity: int
) -> ReservationView:
    """The reservation just taken (written with the others of the call), and its event."""
    reservation = ReservationView(
        id=new_id("R"),
        order_id=order_id,
        line_id=line.line_id,
        product_id=line.product_id,
        warehouse_id=warehouse_id,
        quantity=quantity,
        state=ReservationState.ACTIVE.value,
    )
    uow.publish(
        StockReserved(
            reservation_id=reservation.id,
            order_id=order_id,
            line_id=line.line_id,
            product_id=line.product_id,
            warehouse_id=warehouse_id,
            quantity=quantity,
        )
    )
    return reservation
