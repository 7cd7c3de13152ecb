"""Fulfilment persistence used by services and handlers (writes and locked reads)."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, select, update

from lienmach.catalog.queries import ProductView
from lienmach.fulfilment.model import OPEN_STATES, TRANSITIONS, PackLine, PickTaskState
from lienmach.fulfilment.tables import pick_task_lines, pick_tasks
from lienmach.inventory.queries import ReservationView
from lienmach.kernel.db import inserted_keys
from lienmach.kernel.errors import ConcurrencyConflict, NotFound
from lienmach.kernel.prepared import Prepared, prepared


@dataclass(frozen=True)
class TaskRow:
    id: str
    order_id: str
    warehouse_id: str
    state: PickTaskState
    version: int


# Built once with bind parameters: building a statement costs more than running it.
_TASK_COLUMNS = (
    pick_tasks.c.id,
    pick_tasks.c.order_id,
    pick_tasks.c.warehouse_id,
    pick_tasks.c.state,
    pick_tasks.c.version,
)
_TASK_QUERY = select(*_TASK_COLUMNS).where(pick_tasks.c.id == bindparam("task_id"))
_LOAD_TASK, _LOAD_TASK_LOCKED = prepared(_TASK_QUERY), prepared(_TASK_QUERY.with_for_update())
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
_LOAD_LINES = prepared(
    select(*_LINE_COLUMNS)
    .where(pick_task_lines.c.pick_task_id == bindparam("task_id"))
    .order_by(*_LINE_ORDER)
)
_LINE_LABELS = tuple(f"line_{column.name}" for column in _LINE_COLUMNS)
_TASK_WITH_LINES_QUERY = (
    select(
        *_TASK_COLUMNS,
        *(column.label(label) for column, label in zip(_LINE_COLUMNS, _LINE_LABELS, strict=True)),
    )
    .select_from(
        pick_tasks.outerjoin(pick_task_lines, pick_task_lines.c.pick_task_id == pick_tasks.c.id)
    )
    .where(pick_tasks.c.id == bindparam("task_id"))
    .order_by(*_LINE_ORDER)
)
# PostgreSQL locks only the task row (the lines are on the nullable side of the join).
_LOAD_TASK_WITH_LINES = prepared(_TASK_WITH_LINES_QUERY)
_LOAD_TASK_WITH_LINES_LOCKED = prepared(_TASK_WITH_LINES_QUERY.with_for_update(of=pick_tasks))
_TASKED = prepared(
    select(pick_task_lines.c.reservation_id).where(
        pick_task_lines.c.reservation_id.in_(bindparam("reservation_ids", expanding=True))
    )
)
_COUNT_SCAN = prepared(
    update(pick_task_lines)
    .where(
        pick_task_lines.c.pick_task_id == bindparam("task_id"),
        pick_task_lines.c.reservation_id == bindparam("b_reservation_id"),
        pick_task_lines.c.scanned_quantity < pick_task_lines.c.quantity,
    )
    .values(scanned_quantity=pick_task_lines.c.scanned_quantity + 1)
)
_OPEN_TASKS_OF_ORDER = prepared(
    select(*_TASK_COLUMNS)
    .where(
        pick_tasks.c.order_id == bindparam("order_id"),
        pick_tasks.c.state.in_([state.value for state in OPEN_STATES]),
    )
    .order_by(pick_tasks.c.id)
)
_INSERT_TASK = prepared(pick_tasks.insert())


def _task(row: Any) -> TaskRow:
    return TaskRow(row.id, row.order_id, row.warehouse_id, PickTaskState(row.state), row.version)


def load_task(connection: Connection, pick_task_id: str, *, lock: bool = False) -> TaskRow:
    """The task's identity and state; NotFound when it does not exist."""
    query = _LOAD_TASK_LOCKED if lock else _LOAD_TASK
    row = query.run(connection, {"task_id": pick_task_id}).first()
    if row is None:
        raise NotFound("pick task", pick_task_id)
    return _task(row)


def load_lines(connection: Connection, pick_task_id: str) -> list[PackLine]:
    rows = _LOAD_LINES.run(connection, {"task_id": pick_task_id})
    return [PackLine(*row) for row in rows]


def load_task_with_lines(
    connection: Connection, pick_task_id: str, *, lock: bool = False
) -> tuple[TaskRow, list[PackLine]]:
    """The task and its lines in one statement; NotFound when there is no task.

    ``lock`` locks the task row (not the lines) until the transaction ends.
    """
    query = _LOAD_TASK_WITH_LINES_LOCKED if lock else _LOAD_TASK_WITH_LINES
    rows = query.run(connection, {"task_id": pick_task_id})
    if not rows:
        raise NotFound("pick task", pick_task_id)
    width = len(_TASK_COLUMNS)
    lines = [PackLine(*row[width:]) for row in rows if row[width] is not None]
    return _task(rows[0]), lines


def reservations_already_tasked(connection: Connection, reservation_ids: Iterable[str]) -> set[str]:
    wanted = sorted(set(reservation_ids))
    if not wanted:
        return set()
    rows = _TASKED.run(connection, {"reservation_ids": wanted})
    return {row.reservation_id for row in rows}


@functools.cache
def _move_statement(names: tuple[str, ...]) -> Prepared:
    """The version-checked state change setting these extra columns (one per set of names)."""
    return prepared(
        update(pick_tasks)
        .where(
            pick_tasks.c.id == bindparam("task_id"),
            pick_tasks.c.version == bindparam("old_version"),
            pick_tasks.c.state == bindparam("old_state"),
        )
        .values(
            state=bindparam("new_state"),
            version=bindparam("new_version"),
            **{name: bindparam(f"v_{name}") for name in names},
        )
    )


def move_task(
    connection: Connection,
    task: TaskRow,
    wanted: PickTaskState,
    **values: Any,
) -> None:
    """Change the task's state only if nobody changed it since it was read."""
    parameters = {f"v_{name}": value for name, value in values.items()}
    parameters.update(
        task_id=task.id,
        old_version=task.version,
        old_state=task.state.value,
        new_state=wanted.value,
        new_version=task.version + 1,
    )
    result = _move_statement(tuple(sorted(values))).run(connection, parameters)
    if result.rowcount != 1:
        raise ConcurrencyConflict(
            f"pick task {task.id} was changed by someone else while it became {wanted.value}; "
            "reload it and try again"
        )


_CONFIRM_PICK = prepared(
    update(pick_tasks)
    .where(
        pick_tasks.c.id == bindparam("task_id"),
        pick_tasks.c.state.in_(
            [state.value for state, next_ in TRANSITIONS.items() if PickTaskState.PICKED in next_]
        ),
    )
    .values(
        state=PickTaskState.PICKED.value,
        version=pick_tasks.c.version + 1,
        picked_at=bindparam("b_picked_at"),
        picked_by=bindparam("b_picked_by"),
    )
    .returning(pick_tasks.c.order_id)
)


def mark_picked(
    connection: Connection, pick_task_id: str, *, picked_at: datetime, picked_by: str
) -> str | None:
    """Move the task to picked if its state allows it, in one statement; returns its order id,
    or None when it does not exist or cannot be picked now (the caller finds out why)."""
    parameters = {"task_id": pick_task_id, "b_picked_at": picked_at, "b_picked_by": picked_by}
    row = _CONFIRM_PICK.run(connection, parameters).first()
    return None if row is None else str(row.order_id)


def count_scan(connection: Connection, pick_task_id: str, reservation_id: str) -> bool:
    """Count one verified unit, unless the line is already complete (atomic, never over)."""
    result = _COUNT_SCAN.run(
        connection, {"task_id": pick_task_id, "b_reservation_id": reservation_id}
    )
    return bool(result.rowcount == 1)


def open_tasks_of_order(connection: Connection, order_id: str) -> list[TaskRow]:
    rows = _OPEN_TASKS_OF_ORDER.run(connection, {"order_id": order_id})
    return [_task(row) for row in rows]


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


def task_row(
    *,
    pick_task_id: str,
    order_id: str,
    warehouse_id: str,
    priority: int,
    promised_at: datetime | None,
    now: datetime,
) -> dict[str, Any]:
    """A newly queued pick task as a row for :func:`insert_tasks`."""
    return {
        "id": pick_task_id,
        "order_id": order_id,
        "warehouse_id": warehouse_id,
        "state": PickTaskState.QUEUED.value,
        "priority": priority,
        "promised_at": promised_at,
        "created_at": now,
        "version": 1,
    }


def insert_tasks(
    connection: Connection, tasks: list[dict[str, Any]], lines: list[dict[str, Any]]
) -> set[str]:
    """Insert the tasks (rows of :func:`task_row`) with those of their lines (rows of
    :func:`line_row` plus ``pick_task_id``) whose reservation no task picks yet, in a few
    statements whatever their number; returns the ids of the tasks that got lines (the others
    are taken out again: nothing was queued for them)."""
    if not tasks:
        return set()
    _INSERT_TASK.run(connection, tasks)
    # The unique reservation_id decides which lines go in, so no lookup is needed first: a
    # reservation tasked before (a redelivery) or meanwhile (a concurrent handler, whose
    # commit PostgreSQL waits for) is left out. Sorted, so concurrent inserts wait for each
    # other's reservations in one order and cannot deadlock.
    ordered = sorted(lines, key=lambda line: str(line["reservation_id"]))
    queued = inserted_keys(connection, pick_task_lines, ordered, key="pick_task_id")
    if empty := sorted(str(task["id"]) for task in tasks if task["id"] not in queued):
        _DELETE_TASKS.run(connection, {"task_ids": empty})
    return queued


_DELETE_TASKS = prepared(
    delete(pick_tasks).where(pick_tasks.c.id.in_(bindparam("task_ids", expanding=True)))
)
