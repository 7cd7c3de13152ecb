"""Picking: queueing pick tasks for an order's reserved units, cancelling them, confirming a
pick, and grouping queued tasks into waves."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from lienmach.catalog import queries as catalog_queries
from lienmach.catalog.queries import ProductView
from lienmach.fulfilment import repository
from lienmach.fulfilment.events import (
    PickTaskCancelled,
    PickTaskPicked,
    PickTaskQueued,
    WaveCreated,
)
from lienmach.fulfilment.model import (
    ORDER_STATES_CLOSED_TO_PICKING,
    TRANSITIONS,
    PickTaskState,
    priority,
)
from lienmach.fulfilment.tables import pick_tasks, waves
from lienmach.inventory import queries as inventory_queries
from lienmach.inventory.queries import ReservationView
from lienmach.kernel.clock import as_utc
from lienmach.kernel.errors import ConcurrencyConflict, DomainError, InvalidInput, NotFound
from lienmach.kernel.ids import new_id
from lienmach.kernel.states import check_transition
from lienmach.kernel.uow import UnitOfWork
from lienmach.orders import queries as order_queries
from lienmach.orders import services as order_services
from lienmach.orders.queries import OrderView


@dataclass(frozen=True)
class PickRequest:
    """Reservations of one order to queue for picking: those named (from an OrderReserved), or
    with ``reservation_ids`` None every one of the order that no task picks yet."""

    order_id: str
    reservation_ids: tuple[str, ...] | None = None


@dataclass(frozen=True)
class _PlannedTask:
    order_id: str
    pick_task_id: str
    warehouse_id: str
    priority: int
    row: dict[str, Any]
    lines: list[dict[str, Any]]


def queue_pick_tasks(
    uow: UnitOfWork, *, order_id: str, reservation_ids: Iterable[str] | None = None
) -> list[str]:
    """Queue one pick task per warehouse for the order's active, not yet tasked reservations.

    ``reservation_ids`` limits it to those reservations (None: every reservation of the order).
    Does nothing while a prepaid order is unpaid, or once the order has moved past picking
    (cancelled, delivered, returned). Returns the ids of the tasks queued.
    """
    wanted = None if reservation_ids is None else tuple(reservation_ids)
    return queue_pick_tasks_for(uow, [PickRequest(order_id, wanted)])


def queue_pick_tasks_for(uow: UnitOfWork, requests: Sequence[PickRequest]) -> list[str]:
    """:func:`queue_pick_tasks` for many requests at once, in a few statements for all of them
    (named reservations are read in one statement, the tasks and their lines written in one
    each). Each request is treated as it would be alone, in the order given: a reservation
    named twice is queued by the first request only. Returns the ids of the tasks queued.
    """
    connection = uow.connection
    now = uow.now()
    orders = [(request, _order_open_to_picking(uow, request.order_id)) for request in requests]
    open_requests = [(request, order) for request, order in orders if order is not None]
    to_pick = _reservations_to_pick(connection, [request for request, _ in open_requests])
    products = catalog_queries.products_in(
        uow, [item.product_id for items in to_pick for item in items]
    )
    planned = [
        task
        for (_, order), items in zip(open_requests, to_pick, strict=True)
        for task in _plan_tasks(order, items, products, now)
    ]
    # Reservations tasked already (a redelivery) are left out by the insert itself.
    inserted = repository.insert_tasks(
        connection,
        [task.row for task in planned],
        [line for task in planned for line in task.lines],
    )
    started = [task for task in planned if task.pick_task_id in inserted]
    # Orders are saved in id order (save_many), so concurrent workers lock them in one order.
    order_services.start_fulfilment_many(
        uow, [(task.order_id, task.pick_task_id) for task in started]
    )
    queued: list[str] = []
    for task in started:
        uow.publish(
            PickTaskQueued(
                pick_task_id=task.pick_task_id,
                order_id=task.order_id,
                warehouse_id=task.warehouse_id,
                priority=task.priority,
            )
        )
        queued.append(task.pick_task_id)
    return queued


def _plan_tasks(
    order: OrderView,
    items: list[ReservationView],
    products: Mapping[str, ProductView],
    now: datetime,
) -> list[_PlannedTask]:
    """One task per warehouse for these reservations of the order, by warehouse id."""
    if not items:
        return []
    score = _priority(order, now)
    names = {line.id: line.name for line in order.lines}
    by_warehouse: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        product = products.get(item.product_id)
        if product is None:
            raise NotFound("product", item.product_id)
        row = repository.line_row(item, product, names.get(item.line_id) or product.name_vi)
        by_warehouse.setdefault(item.warehouse_id, []).append(row)
    planned: list[_PlannedTask] = []
    for warehouse_id in sorted(by_warehouse):
        pick_task_id = new_id("PT")
        task = repository.task_row(
            pick_task_id=pick_task_id,
            order_id=order.id,
            warehouse_id=warehouse_id,
            priority=score,
            promised_at=order.promised_at,
            now=now,
        )
        lines = [{**line, "pick_task_id": pick_task_id} for line in by_warehouse[warehouse_id]]
        planned.append(_PlannedTask(order.id, pick_task_id, warehouse_id, score, task, lines))
    return planned


def _order_open_to_picking(uow: UnitOfWork, order_id: str) -> OrderView | None:
    """The order if its units may be queued now; None while a prepaid order is unpaid or once
    it has moved past picking. NotFound when there is no such order."""
    order = order_queries.order_in(uow, order_id)
    if order is None:
        raise NotFound("order", order_id)
    if order.state in ORDER_STATES_CLOSED_TO_PICKING:
        return None
    if order.payment_method == "prepaid" and not order.paid:
        return None
    return order


def _reservations_to_pick(
    connection: Connection, requests: Sequence[PickRequest]
) -> list[list[ReservationView]]:
    """The active reservations each request may queue, the named ones read in one statement."""
    named = inventory_queries.get_reservations(
        connection, [rid for request in requests for rid in request.reservation_ids or ()]
    )
    taken: set[str] = set()
    found: list[list[ReservationView]] = []
    for request in requests:
        if request.reservation_ids is None:
            items = _untasked_reservations_of(connection, request.order_id)
        else:
            wanted = set(request.reservation_ids)
            items = [
                item for item in named if item.id in wanted and item.order_id == request.order_id
            ]
        items = [item for item in items if item.state == "active" and item.id not in taken]
        taken.update(item.id for item in items)
        found.append(items)
    return found


def _untasked_reservations_of(connection: Connection, order_id: str) -> list[ReservationView]:
    reservations = inventory_queries.reservations_for_order(connection, order_id)
    active = [item for item in reservations if item.state == "active"]
    # Every reservation of the order: most are usually tasked already, so look first.
    tasked = repository.reservations_already_tasked(connection, [item.id for item in active])
    return [item for item in active if item.id not in tasked]


def _priority(order: OrderView, now: datetime) -> int:
    return priority(
        order.service_level,
        as_utc(order.promised_at) if order.promised_at else None,
        order.customer_tier,
        as_utc(order.placed_at),
        now,
    )


def cancel_pick_tasks(uow: UnitOfWork, *, order_id: str) -> list[str]:
    """Cancel the order's queued and picked tasks (packed ones are shipping's to stop)."""
    cancelled: list[str] = []
    for task in repository.open_tasks_of_order(uow.connection, order_id):
        repository.move_task(uow.connection, task, PickTaskState.CANCELLED)
        uow.publish(PickTaskCancelled(pick_task_id=task.id, order_id=order_id))
        cancelled.append(task.id)
    return cancelled


def confirm_pick(uow: UnitOfWork, *, pick_task_id: str, picker: str) -> None:
    """The picker has taken every unit of the task off the shelves: queued → picked."""
    picker = picker.strip()
    if not picker:
        raise InvalidInput({"picker": "say who picked the task"})
    order_id = repository.mark_picked(
        uow.connection, pick_task_id, picked_at=uow.now(), picked_by=picker
    )
    if order_id is None:  # not there, or not pickable: say which
        task = repository.load_task(uow.connection, pick_task_id)
        check_transition("pick task", task.id, TRANSITIONS, task.state, PickTaskState.PICKED)
        raise ConcurrencyConflict(f"pick task {task.id} changed meanwhile; try again")
    uow.publish(PickTaskPicked(pick_task_id=pick_task_id, order_id=order_id, picker=picker))


def _nothing_to_wave(warehouse_id: str) -> DomainError:
    return DomainError(
        f"No queued pick tasks without a wave in warehouse {warehouse_id} "
        f"(Không có phiếu lấy hàng nào đang chờ trong kho {warehouse_id})"
    )


def create_wave(uow: UnitOfWork, *, warehouse_id: str, max_tasks: int = 20) -> str:
    """Group the warehouse's highest-priority queued tasks that have no wave yet.

    Returns the wave id; refuses when there is nothing to group.
    """
    if max_tasks < 1:
        raise InvalidInput({"max_tasks": "a wave holds at least 1 task"})
    connection = uow.connection
    candidates = connection.execute(
        select(pick_tasks.c.id)
        .where(
            pick_tasks.c.warehouse_id == warehouse_id,
            pick_tasks.c.state == PickTaskState.QUEUED.value,
            pick_tasks.c.wave_id.is_(None),
        )
        .order_by(pick_tasks.c.priority.desc(), pick_tasks.c.created_at, pick_tasks.c.id)
        .limit(max_tasks)
        .with_for_update(skip_locked=True)
    ).all()
    task_ids = [row.id for row in candidates]
    if not task_ids:
        raise _nothing_to_wave(warehouse_id)
    wave_id = new_id("WV")
    connection.execute(
        waves.insert().values(
            id=wave_id, warehouse_id=warehouse_id, created_at=uow.now(), task_count=0
        )
    )
    # Re-checked in the UPDATE: a task picked meanwhile no longer joins the wave.
    connection.execute(
        update(pick_tasks)
        .where(
            pick_tasks.c.id.in_(task_ids),
            pick_tasks.c.wave_id.is_(None),
            pick_tasks.c.state == PickTaskState.QUEUED.value,
        )
        .values(wave_id=wave_id)
    )
    joined = [
        row.id
        for row in connection.execute(
            select(pick_tasks.c.id)
            .where(pick_tasks.c.wave_id == wave_id)
            .order_by(pick_tasks.c.priority.desc(), pick_tasks.c.created_at, pick_tasks.c.id)
        )
    ]
    if not joined:
        raise _nothing_to_wave(warehouse_id)
    connection.execute(update(waves).where(waves.c.id == wave_id).values(task_count=len(joined)))
    uow.publish(
        WaveCreated(wave_id=wave_id, warehouse_id=warehouse_id, pick_task_ids=tuple(joined))
    )
    return wave_id
