"""Fulfilment persistence used by services and handlers (writes and locked reads)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from lienmach.catalog.queries import ProductView
from lienmach.fulfilment.model import OPEN_STATES, PackLine, PickTaskState
from lienmach.fulfilment.tables import pick_task_lines, pick_tasks
from lienmach.inventory.queries import ReservationView
from lienmach.kernel.errors import ConcurrencyConflict, NotFound


@dataclass(frozen=True)
class TaskRow:
    id: str
    order_id: str
    warehouse_id: str
    state: PickTaskState
    version: int


def load_task(connection: Connection, pick_task_id: str, *, lock: bool = False) -> TaskRow:
    """The task's identity and state; NotFound when it does not exist."""
    query = select(
        pick_tasks.c.id,
        pick_tasks.c.order_id,
        pick_tasks.c.warehouse_id,
        pick_tasks.c.state,
        pick_tasks.c.version,
    ).where(pick_tasks.c.id == pick_task_id)
    if lock:
        query = query.with_for_update()
    row = connection.execute(query).first()
    if row is None:
        raise NotFound("pick task", pick_task_id)
    return TaskRow(row.id, row.order_id, row.warehouse_id, PickTaskState(row.state), row.version)


_LINE_COLUMNS = (
    pick_task_lines.c.reservation_id,
    pick_task_lines.c.product_id,
    pick_task_lines.c.barcode,
    pick_task_lines.c.sku,
    pick_task_lines.c.name,
    pick_task_lines.c.quantity,
    pick_task_lines.c.scanned_quantity,
)
_LINE_ORDER = (pick_task_lines.c.sku, pick_task_lines.c.reservation_id)


def load_lines(connection: Connection, pick_task_id: str) -> list[PackLine]:
    rows = connection.execute(
        select(*_LINE_COLUMNS)
        .where(pick_task_lines.c.pick_task_id == pick_task_id)
        .order_by(*_LINE_ORDER)
    )
    return [PackLine(**row._mapping) for row in rows]


def load_task_with_lines(
    connection: Connection, pick_task_id: str
) -> tuple[TaskRow, list[PackLine]]:
    """The task and its lines in one statement (unlocked); NotFound when there is no task."""
    line_labels = [column.label(f"line_{column.name}") for column in _LINE_COLUMNS]
    rows = connection.execute(
        select(
            pick_tasks.c.id,
            pick_tasks.c.order_id,
            pick_tasks.c.warehouse_id,
            pick_tasks.c.state,
            pick_tasks.c.version,
            *line_labels,
        )
        .select_from(
            pick_tasks.outerjoin(pick_task_lines, pick_task_lines.c.pick_task_id == pick_tasks.c.id)
        )
        .where(pick_tasks.c.id == pick_task_id)
        .order_by(*_LINE_ORDER)
    ).all()
    if not rows:
        raise NotFound("pick task", pick_task_id)
    first = rows[0]
    task = TaskRow(
        first.id, first.order_id, first.warehouse_id, PickTaskState(first.state), first.version
    )
    lines = [
        PackLine(
            **{
                column.name: row._mapping[label.name]
                for column, label in zip(_LINE_COLUMNS, line_labels, strict=True)
            }
        )
        for row in rows
        if row._mapping[line_labels[0].name] is not None
    ]
    return task, lines


def reservations_already_tasked(connection: Connection, reservation_ids: Iterable[str]) -> set[str]:
    wanted = sorted(set(reservation_ids))
    if not wanted:
        return set()
    rows = connection.execute(
        select(pick_task_lines.c.reservation_id).where(pick_task_lines.c.reservation_id.in_(wanted))
    )
    return {row.reservation_id for row in rows}


def move_task(
    connection: Connection,
    task: TaskRow,
    wanted: PickTaskState,
    **values: Any,
) -> None:
    """Change the task's state only if nobody changed it since it was read."""
    result = connection.execute(
        update(pick_tasks)
        .where(
            pick_tasks.c.id == task.id,
            pick_tasks.c.version == task.version,
            pick_tasks.c.state == task.state.value,
        )
        .values(state=wanted.value, version=task.version + 1, **values)
    )
    if result.rowcount != 1:
        raise ConcurrencyConflict(
            f"pick task {task.id} was changed by someone else while it became {wanted.value}; "
            "reload it and try again"
        )


def count_scan(connection: Connection, pick_task_id: str, reservation_id: str) -> bool:
    """Count one verified unit, unless the line is already complete (atomic, never over)."""
    result = connection.execute(
        update(pick_task_lines)
        .where(
            pick_task_lines.c.pick_task_id == pick_task_id,
            pick_task_lines.c.reservation_id == reservation_id,
            pick_task_lines.c.scanned_quantity < pick_task_lines.c.quantity,
        )
        .values(scanned_quantity=pick_task_lines.c.scanned_quantity + 1)
    )
    return bool(result.rowcount == 1)


def open_tasks_of_order(connection: Connection, order_id: str) -> list[TaskRow]:
    rows = connection.execute(
        select(
            pick_tasks.c.id,
            pick_tasks.c.order_id,
            pick_tasks.c.warehouse_id,
            pick_tasks.c.state,
            pick_tasks.c.version,
        )
        .where(
            pick_tasks.c.order_id == order_id,
            pick_tasks.c.state.in_([state.value for state in OPEN_STATES]),
        )
        .order_by(pick_tasks.c.id)
    )
    return [
        TaskRow(row.id, row.order_id, row.warehouse_id, PickTaskState(row.state), row.version)
        for row in rows
    ]


def line_row(reservation: ReservationView, product: ProductView, name: str) -> dict[str, Any]:
    """A pick task line for one reservation; barcode and SKU are copied for the scanner."""
    return {
        "reservation_id": reservation.id,
        "line_id": reservation.line_id,
        "product_id": reservation.product_id,
        "barcode": product.barcode,
        "sku": product.sku,
        "name": name,
        "quantity": reservation.quantity,
        "scanned_quantity": 0,
        "unit_weight_grams": product.weight_grams,
    }


def insert_task(
    connection: Connection,
    *,
    pick_task_id: str,
    order_id: str,
    warehouse_id: str,
    priority: int,
    promised_at: datetime | None,
    now: datetime,
    lines: list[dict[str, Any]],
) -> None:
    connection.execute(
        pick_tasks.insert().values(
            id=pick_task_id,
            order_id=order_id,
            warehouse_id=warehouse_id,
            state=PickTaskState.QUEUED.value,
            priority=priority,
            promised_at=promised_at,
            created_at=now,
            version=1,
        )
    )
    # A plain insert on purpose: if a concurrent handler tasked one of these reservations
    # first, the unique reservation_id fails this delivery, and its retry finds them tasked.
    connection.execute(
        pick_task_lines.insert(), [{**line, "pick_task_id": pick_task_id} for line in lines]
    )
