"""Inventory read side."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, func, select

from lienmach.inventory.tables import reservations, stock_levels, warehouses
from lienmach.kernel.prepared import prepared


@dataclass(frozen=True)
class ReservationView:
    id: str
    order_id: str
    line_id: str
    product_id: str
    warehouse_id: str
    quantity: int
    state: str


@dataclass(frozen=True)
class WarehouseView:
    id: str
    code: str
    name: str
    province_code: str


@dataclass(frozen=True)
class StockLevelView:
    product_id: str
    warehouse_id: str
    on_hand: int
    reserved: int

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


RESERVATION_COLUMNS = [
    getattr(reservations.c, name) for name in ReservationView.__dataclass_fields__
]
_WAREHOUSE_COLUMNS = [getattr(warehouses.c, name) for name in WarehouseView.__dataclass_fields__]
# Built once: building a statement costs several times more than executing it.
_RESERVATIONS_BY_ID = prepared(
    select(*RESERVATION_COLUMNS)
    .where(reservations.c.id.in_(bindparam("ids", expanding=True)))
    .order_by(reservations.c.id)
)
_RESERVATIONS_OF_ORDER = prepared(
    select(*RESERVATION_COLUMNS)
    .where(reservations.c.order_id == bindparam("order_id"))
    .order_by(reservations.c.id)
)
_WAREHOUSE = prepared(
    select(*_WAREHOUSE_COLUMNS).where(warehouses.c.id == bindparam("warehouse_id"))
)
_WAREHOUSES = prepared(select(*_WAREHOUSE_COLUMNS).order_by(warehouses.c.code))
# uow.scratch key: the warehouses read in this unit of work, by id.


def get_reservations(
    connection: Connection, reservation_ids: Iterable[str]
) -> list[ReservationView]:
    wanted = sorted(set(reservation_ids))
    if not wanted:
        return []
    rows = _RESERVATIONS_BY_ID.run(connection, {"ids": wanted})
    return [ReservationView(*row) for row in rows]


def reservations_for_order(connection: Connection, order_id: str) -> list[ReservationView]:
    rows = _RESERVATIONS_OF_ORDER.run(connection, {"order_id": order_id})
    return [ReservationView(*row) for row in rows]


def get_warehouse(connection: Connection, warehouse_id: str) -> WarehouseView | None:
    row = _WAREHOUSE.run(connection, {"warehouse_id": warehouse_id}).first()
    return WarehouseView(*row) if row else None


def list_warehouses(connection: Connection) -> list[WarehouseView]:
    return [WarehouseView(*row) for row in _WAREHOUSES.run(connection)]


def stock_levels_for(
    connection: Connection, *, product_ids: Iterable[str] | None = None
) -> list[StockLevelView]:
    query = select(
        stock_levels.c.product_id,
        stock_levels.c.warehouse_id,
        stock_levels.c.on_hand,
        stock_levels.c.reserved,
    ).order_by(stock_levels.c.product_id, stock_levels.c.warehouse_id)
    if product_ids is not None:
        query = query.where(stock_levels.c.product_id.in_(sorted(set(product_ids))))
    return [StockLevelView(**row._mapping) for row in connection.execute(query)]


def stock_totals(connection: Connection) -> tuple[int, int]:
    """Units on hand and units reserved across every warehouse."""
    row = connection.execute(
        select(
            func.coalesce(func.sum(stock_levels.c.on_hand), 0),
            func.coalesce(func.sum(stock_levels.c.reserved), 0),
        )
    ).one()
    return int(row[0]), int(row[1])
