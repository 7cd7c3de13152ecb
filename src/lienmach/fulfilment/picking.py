"""Picking: queueing pick tasks for an order's reserved units, cancelling them, confirming a
pick, and grouping queued tasks into waves."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select, update

from lienmach.catalog import queries as catalog_queries
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
from lienmach.kernel.clock import as_utc
from lienmach.kernel.errors import ConcurrencyConflict, DomainError, InvalidInput, NotFound
from lienmach.kernel.ids import new_id
from lienmach.kernel.states import check_transition
from lienmach.kernel.uow import UnitOfWork
from lienmach.orders import queries as order_queries
from lienmach.orders import services as order_services


def queue_pick_tasks(
    uow: UnitOfWork, *, order_id: str, reservation_ids: Iterable[str] | None = None
) -> list[str]:
    """Queue one pick task per warehouse for the order's active, not yet tasked reservations.

    ``reservation_ids`` limits it to those reservations (None: every reservation of the order).
    Does nothing while a prepaid order is unpaid, or once the order has moved past picking
    (cancelled, delivered, returned). Returns the ids of the tasks queued.
    """
    connection = uow.connection
    order = order_queries.order_in(uow, order_id)
    if order is None:
        raise NotFound("order", order_id)
    if order.state in ORDER_STATES_CLOSED_TO_PICKING:
        return []
    if order.payment_method == "prepaid" and not order.paid:
        return []
    reservations = inventory_queries.reservations_for_order(connection, order_id)
    if reservation_ids is not None:
        wanted = set(reservation_ids)
        reservations = [item for item in reservations if item.id in wanted]
    to_pick = [item for item in reservations if item.state == "active"]
    if reservation_ids is None:
        # Every reservation of the order: most are usually tasked already, so look first.
        tasked = repository.reservations_already_tasked(connection, [r.id for r in to_pick])
        to_pick = [item for item in to_pick if item.id not in tasked]
    if not to_pick:
        return []
    products = catalog_queries.products_in(uow, [item.product_id for item in to_pick])
    names = {line.id: line.name for line in order.lines}
    now = uow.now()
    score = priority(
        order.service_level,
        as_utc(order.promised_at) if order.promised_at else None,
        order.customer_tier,
        as_utc(order.placed_at),
        now,
    )
    by_warehouse: dict[str, list[dict[str, Any]]] = {}
    for item in to_pick:
        product = products.get(item.product_id)
        if product is None:
            raise NotFound("product", item.product_id)
        row = repository.line_row(item, product, names.get(item.line_id) or product.name_vi)
        by_warehouse.setdefault(item.warehouse_id, []).append(row)
    queued: list[str] = []
    for warehouse_id in sorted(by_warehouse):
        pick_task_id = new_id("PT")
        # Reservations tasked already (a redelivery) are left out by the insert itself.
        queued_now = repository.insert_task(
            connection,
            pick_task_id=pick_task_id,
            order_id=order_id,
            warehouse_id=warehouse_id,
            priority=score,
            promised_at=order.promised_at,
            now=now,
            lines=by_warehouse[warehouse_id],
        )
        if not queued_now:
            continue
        order_services.start_fulfilment(uow, order_id=order_id, pick_task_id=pick_task_id)
        uow.publish(
            PickTaskQueued(
                pick_task_id=pick_task_id,
                order_id=order_id,
                warehouse_id=warehouse_id,
                priority=score,
            )
        )
        queued.append(pick_task_id)
    return queued


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
