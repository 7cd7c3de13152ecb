"""Drill-down: the orders behind a KPI slice — orders placed in a window that belong to one
value of one dimension, the same membership the KPI sums use (model.slices): an order counts
in every product it contains, every warehouse it was reserved or picked in, every carrier that
carried part of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, select, union

from lienmach.customers.geography import PROVINCES
from lienmach.fulfilment.tables import pick_tasks
from lienmach.inventory.tables import reservations
from lienmach.kernel.clock import as_utc
from lienmach.orders.tables import order_lines, orders
from lienmach.shipping.tables import shipments

DRILL_LIMIT = 200


@dataclass(frozen=True)
class SliceOrder:
    id: str
    number: str
    state: str
    channel: str
    province_code: str
    ship_name: str
    total_vnd: int
    placed_at: datetime


def _membership(dimension: str, value: str) -> ColumnElement[bool]:
    """The condition on ``orders`` for belonging to the slice."""
    if dimension == "all":
        return orders.c.id.is_not(None)
    if dimension == "channel":
        return orders.c.channel == value
    if dimension == "province":
        return orders.c.ship_province_code == value
    if dimension == "region":
        codes = sorted(item.code for item in PROVINCES if item.region == value)
        return orders.c.ship_province_code.in_(codes)
    if dimension == "product":
        lines = select(order_lines.c.order_id).where(order_lines.c.product_id == value)
        return orders.c.id.in_(lines)
    if dimension == "warehouse":
        reserved = select(reservations.c.order_id).where(reservations.c.warehouse_id == value)
        picked = select(pick_tasks.c.order_id).where(pick_tasks.c.warehouse_id == value)
        return orders.c.id.in_(union(reserved, picked).subquery().select())
    if dimension == "carrier":
        carried = select(shipments.c.order_id).where(shipments.c.carrier_id == value)
        return orders.c.id.in_(carried)
    raise ValueError(f"unknown dimension {dimension!r}")


def orders_in_slice(
    connection: Connection,
    *,
    dimension: str,
    value: str,
    since: datetime,
    until: datetime,
    limit: int = DRILL_LIMIT,
) -> list[SliceOrder]:
    """Orders placed in [since, until) in the slice, newest first (at most ``limit``)."""
    rows = connection.execute(
        select(
            orders.c.id,
            orders.c.number,
            orders.c.state,
            orders.c.channel,
            orders.c.ship_province_code,
            orders.c.ship_name,
            orders.c.total_vnd,
            orders.c.placed_at,
        )
        .where(
            orders.c.placed_at >= since,
            orders.c.placed_at < until,
            _membership(dimension, value),
        )
        .order_by(orders.c.placed_at.desc(), orders.c.id.desc())
        .limit(limit)
    )
    return [
        SliceOrder(
            id=row.id,
            number=row.number,
            state=row.state,
            channel=row.channel,
            province_code=row.ship_province_code,
            ship_name=row.ship_name,
            total_vnd=int(row.total_vnd),
            placed_at=as_utc(row.placed_at),
        )
        for row in rows
    ]
