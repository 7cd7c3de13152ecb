"""Fulfilment read side: the pick queue, a task with its scan progress, parcels, waves."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, func, select

from lienmach.fulfilment.model import OPEN_STATES
from lienmach.fulfilment.tables import parcels, pick_task_lines, pick_tasks, waves
from lienmach.kernel.clock import as_utc


@dataclass(frozen=True)
class PickLineView:
    reservation_id: str
    line_id: str
    product_id: str
    barcode: str
    sku: str
    name: str
    quantity: int
    scanned_quantity: int
    unit_weight_grams: int

    @property
    def remaining(self) -> int:
        return self.quantity - self.scanned_quantity


@dataclass(frozen=True)
class PickTaskView:
    id: str
    order_id: str
    warehouse_id: str
    state: str
    priority: int
    promised_at: datetime | None
    wave_id: str | None
    created_at: datetime
    picked_at: datetime | None
    picked_by: str | None
    packed_at: datetime | None
    units: int
    scanned_units: int
    lines: list[PickLineView]

    @property
    def remaining_units(self) -> int:
        return self.units - self.scanned_units

    @property
    def expected_weight_grams(self) -> int:
        """Weight of the goods alone, to compare with the scale."""
        return sum(line.quantity * line.unit_weight_grams for line in self.lines)


@dataclass(frozen=True)
class ParcelView:
    id: str
    pick_task_id: str
    order_id: str
    warehouse_id: str
    weight_grams: int
    length_cm: int | None
    width_cm: int | None
    height_cm: int | None
    packed_by: str
    packed_at: datetime
    reservation_ids: tuple[str, ...]


@dataclass(frozen=True)
class WaveView:
    id: str
    warehouse_id: str
    created_at: datetime
    task_count: int
    pick_task_ids: list[str]


_TASK_COLUMNS = [
    pick_tasks.c[name]
    for name in (
        "id",
        "order_id",
        "warehouse_id",
        "state",
        "priority",
        "promised_at",
        "wave_id",
        "created_at",
        "picked_at",
        "picked_by",
        "packed_at",
    )
]
_LINE_COLUMNS = [pick_task_lines.c[name] for name in PickLineView.__dataclass_fields__]
OPEN_STATE_VALUES = tuple(state.value for state in OPEN_STATES)
_QUEUE_ORDER = (pick_tasks.c.priority.desc(), pick_tasks.c.created_at, pick_tasks.c.id)


def _moment(value: datetime | None) -> datetime | None:
    return as_utc(value) if value is not None else None


def _views(connection: Connection, rows: Sequence[Row[Any]]) -> list[PickTaskView]:
    ids = [row.id for row in rows]
    lines: dict[str, list[PickLineView]] = {task_id: [] for task_id in ids}
    if ids:
        for line in connection.execute(
            select(pick_task_lines.c.pick_task_id, *_LINE_COLUMNS)
            .where(pick_task_lines.c.pick_task_id.in_(ids))
            .order_by(pick_task_lines.c.sku, pick_task_lines.c.reservation_id)
        ):
            values = dict(line._mapping)
            lines[values.pop("pick_task_id")].append(PickLineView(**values))
    return [
        PickTaskView(
            id=row.id,
            order_id=row.order_id,
            warehouse_id=row.warehouse_id,
            state=row.state,
            priority=row.priority,
            promised_at=_moment(row.promised_at),
            wave_id=row.wave_id,
            created_at=as_utc(row.created_at),
            picked_at=_moment(row.picked_at),
            picked_by=row.picked_by,
            packed_at=_moment(row.packed_at),
            units=sum(line.quantity for line in lines[row.id]),
            scanned_units=sum(line.scanned_quantity for line in lines[row.id]),
            lines=lines[row.id],
        )
        for row in rows
    ]


def pick_queue(
    connection: Connection,
    *,
    warehouse_id: str | None = None,
    limit: int = 50,
    offset: int = 0,
    states: Iterable[str] = OPEN_STATE_VALUES,
) -> list[PickTaskView]:
    """Open tasks (queued, then picked awaiting packing), most urgent first."""
    query = select(*_TASK_COLUMNS).where(pick_tasks.c.state.in_(list(states)))
    if warehouse_id is not None:
        query = query.where(pick_tasks.c.warehouse_id == warehouse_id)
    rows = connection.execute(query.order_by(*_QUEUE_ORDER).limit(limit).offset(offset)).all()
    return _views(connection, rows)


def count_queue(connection: Connection, *, warehouse_id: str | None = None) -> dict[str, int]:
    """Open tasks by state, for the queue's header and paging."""
    query = (
        select(pick_tasks.c.state, func.count())
        .where(pick_tasks.c.state.in_(OPEN_STATE_VALUES))
        .group_by(pick_tasks.c.state)
    )
    if warehouse_id is not None:
        query = query.where(pick_tasks.c.warehouse_id == warehouse_id)
    counts = dict.fromkeys(OPEN_STATE_VALUES, 0)
    counts.update({row[0]: int(row[1]) for row in connection.execute(query)})
    return counts


def get_pick_task(connection: Connection, pick_task_id: str) -> PickTaskView | None:
    """One task with its lines and scan progress."""
    rows = connection.execute(select(*_TASK_COLUMNS).where(pick_tasks.c.id == pick_task_id)).all()
    views = _views(connection, rows)
    return views[0] if views else None


def tasks_for_order(connection: Connection, order_id: str) -> list[PickTaskView]:
    rows = connection.execute(
        select(*_TASK_COLUMNS)
        .where(pick_tasks.c.order_id == order_id)
        .order_by(pick_tasks.c.created_at, pick_tasks.c.id)
    ).all()
    return _views(connection, rows)


def _parcels(connection: Connection, *conditions: Any) -> list[ParcelView]:
    rows = connection.execute(
        select(parcels).where(*conditions).order_by(parcels.c.packed_at, parcels.c.id)
    ).all()
    task_ids = [row.pick_task_id for row in rows]
    reservations: dict[str, list[str]] = {task_id: [] for task_id in task_ids}
    if task_ids:
        for line in connection.execute(
            select(pick_task_lines.c.pick_task_id, pick_task_lines.c.reservation_id)
            .where(pick_task_lines.c.pick_task_id.in_(task_ids))
            .order_by(pick_task_lines.c.reservation_id)
        ):
            reservations[line.pick_task_id].append(line.reservation_id)
    return [
        ParcelView(
            **{**row._mapping, "packed_at": as_utc(row.packed_at)},
            reservation_ids=tuple(reservations[row.pick_task_id]),
        )
        for row in rows
    ]


def parcels_for_order(connection: Connection, order_id: str) -> list[ParcelView]:
    return _parcels(connection, parcels.c.order_id == order_id)


def get_parcel(connection: Connection, parcel_id: str) -> ParcelView | None:
    """A packed parcel: weight, size, and the reservations inside it (shipping books it)."""
    found = _parcels(connection, parcels.c.id == parcel_id)
    return found[0] if found else None


def get_wave(connection: Connection, wave_id: str) -> WaveView | None:
    row = connection.execute(select(waves).where(waves.c.id == wave_id)).first()
    if row is None:
        return None
    task_ids = connection.execute(
        select(pick_tasks.c.id).where(pick_tasks.c.wave_id == wave_id).order_by(*_QUEUE_ORDER)
    ).scalars()
    return WaveView(
        id=row.id,
        warehouse_id=row.warehouse_id,
        created_at=as_utc(row.created_at),
        task_count=row.task_count,
        pick_task_ids=list(task_ids),
    )
