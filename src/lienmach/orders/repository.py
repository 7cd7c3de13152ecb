"""Loading and saving the order aggregate: its stage, version and each line's unit counters.

An order is read at most once per unit of work: loading goes through ``queries.order_in``,
and saving keeps that copy as written (optimistic concurrency still guards every save).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from lienmach.kernel import bulk
from lienmach.kernel.errors import ConcurrencyConflict, NotFound
from lienmach.kernel.prepared import Prepared, prepared
from lienmach.kernel.states import check_transition
from lienmach.kernel.uow import UnitOfWork
from lienmach.orders.model import TRANSITIONS, LineUnits, OrderState, derive_state
from lienmach.orders.queries import SEEN_ORDERS, OrderView, order_in
from lienmach.orders.tables import order_lines, orders

_COUNTERS = {
    "reserved": "reserved_quantity",
    "backordered": "backordered_quantity",
    "shipped": "shipped_quantity",
    "delivered": "delivered_quantity",
    "returned": "returned_quantity",
    "cancelled": "cancelled_quantity",
}
# Built once: every step of the journey saves the order.
_SAVE_ORDER = (
    update(orders)
    .where(orders.c.id == bindparam("o_id"), orders.c.version == bindparam("o_version"))
    .values(
        state=bindparam("o_state"),
        fulfilment_stage=bindparam("o_stage"),
        paid_vnd=bindparam("o_paid"),
        version=bindparam("o_new_version"),
    )
)
#: The changed lines' counters, in one statement however many (kernel.bulk).
_SAVE_LINES = bulk.updating(order_lines, ["id"], list(_COUNTERS.values()))


@functools.cache
def _save_order_setting(names: tuple[str, ...]) -> Prepared:
    """The order's save, also setting these columns (built once per set of names)."""
    return prepared(_SAVE_ORDER.values(**{name: bindparam(f"x_{name}") for name in names}))


_SAVE_ORDER_ONLY = _save_order_setting(())


@dataclass
class OrderAggregate:
    id: str
    customer_id: str
    state: OrderState
    fulfilment_stage: str
    payment_method: str
    paid_vnd: int
    total_vnd: int
    version: int
    lines: dict[str, LineUnits] = field(default_factory=dict)
    product_of_line: dict[str, str] = field(default_factory=dict)

    # The lines as they are in the database, so that saving writes only the lines that moved.
    saved: dict[str, LineUnits] = field(default_factory=dict)

    def next_state(self) -> OrderState:
        return derive_state(list(self.lines.values()), fulfilment_stage=self.fulfilment_stage)

    def mark_saved(self) -> None:
        self.saved = {line_id: replace(units) for line_id, units in self.lines.items()}

    def changed_lines(self) -> dict[str, LineUnits]:
        return {
            line_id: units
            for line_id, units in self.lines.items()
            if self.saved.get(line_id) != units
        }


def counter_columns(units: LineUnits) -> dict[str, int]:
    """The line's unit counters as its columns."""
    return {column: getattr(units, name) for name, column in _COUNTERS.items()}


def load(uow: UnitOfWork, order_id: str) -> OrderAggregate:
    """The order with its lines' unit counters, read once per unit of work (see ``order_in``).

    A copy read earlier in the unit of work may be stale if another transaction changed the
    order since; :func:`save` then fails its version check, as for any concurrent change.
    """
    view = order_in(uow, order_id)
    if view is None:
        raise NotFound("order", order_id)
    aggregate = OrderAggregate(
        id=view.id,
        customer_id=view.customer_id,
        state=OrderState(view.state),
        fulfilment_stage=view.fulfilment_stage,
        payment_method=view.payment_method,
        paid_vnd=view.paid_vnd,
        total_vnd=view.total_vnd,
        version=view.version,
    )
    for line in view.lines:
        aggregate.lines[line.id] = LineUnits(
            quantity=line.quantity,
            **{name: getattr(line, column) for name, column in _COUNTERS.items()},
        )
        aggregate.product_of_line[line.id] = line.product_id
    aggregate.mark_saved()
    return aggregate


def lock(connection: Connection, order_id: str) -> None:
    """Hold the order's row until commit, so a check made now still holds when acting on it."""
    found = connection.execute(
        select(orders.c.id).where(orders.c.id == order_id).with_for_update()
    ).first()
    if found is None:
        raise NotFound("order", order_id)


def save(uow: UnitOfWork, aggregate: OrderAggregate, **order_changes: Any) -> OrderState:
    """Write the lines and the derived stage; fails if anyone changed the order meanwhile.

    ``order_changes``: other columns of the order to set (closing it, say why it was cancelled).
    """
    new_state = aggregate.next_state()
    if new_state != aggregate.state:
        check_transition("order", aggregate.id, TRANSITIONS, aggregate.state, new_state)
    seen: dict[str, OrderView] = uow.scratch.setdefault(SEEN_ORDERS, {})
    view = seen.pop(aggregate.id, None)
    statement = _save_order_setting(tuple(sorted(order_changes)))
    parameters = {
        "o_id": aggregate.id,
        "o_version": aggregate.version,
        "o_state": new_state.value,
        "o_stage": aggregate.fulfilment_stage,
        "o_paid": aggregate.paid_vnd,
        "o_new_version": aggregate.version + 1,
        **{f"x_{name}": value for name, value in order_changes.items()},
    }
    changed = statement.run(uow.connection, parameters).rowcount
    if changed != 1:
        raise ConcurrencyConflict(f"order {aggregate.id} was changed by someone else; retry")
    changed_lines = aggregate.changed_lines()
    if changed_lines:
        _SAVE_LINES.run(
            uow.connection,
            [_line_row(line_id, units) for line_id, units in sorted(changed_lines.items())],
        )
    aggregate.version += 1
    aggregate.state = new_state
    aggregate.mark_saved()
    if view is not None and not order_changes:
        # Kept as written, so the rest of the unit of work need not read it again. (Other
        # changes, such as a closing time, are read back as the database gives them.)
        seen[aggregate.id] = _as_saved(view, aggregate)
    return new_state


def advance(aggregate: OrderAggregate) -> OrderState:
    """Move the aggregate to the state its lines and stage now give, if that move is allowed
    (in memory: :func:`save_many` writes it). Returns the state."""
    new_state = aggregate.next_state()
    if new_state != aggregate.state:
        check_transition("order", aggregate.id, TRANSITIONS, aggregate.state, new_state)
        aggregate.state = new_state
    return new_state


def save_many(uow: UnitOfWork, aggregates: Iterable[OrderAggregate]) -> None:
    """:func:`save` for many orders (no other columns) in two statements; fails if anyone
    changed one of them meanwhile. Each aggregate once: steps taken in memory (see
    :func:`advance`) are written together."""
    # By id: two transactions saving overlapping orders lock them in one order (no deadlock).
    ordered = sorted(aggregates, key=lambda aggregate: aggregate.id)
    if not ordered:
        return
    for aggregate in ordered:
        advance(aggregate)
    changed = _SAVE_ORDER_ONLY.run(
        uow.connection,
        [
            {
                "o_id": aggregate.id,
                "o_version": aggregate.version,
                "o_state": aggregate.state.value,
                "o_stage": aggregate.fulfilment_stage,
                "o_paid": aggregate.paid_vnd,
                "o_new_version": aggregate.version + 1,
            }
            for aggregate in ordered
        ],
    ).rowcount
    if changed != len(ordered):
        names = ", ".join(aggregate.id for aggregate in ordered)
        raise ConcurrencyConflict(f"one of the orders {names} was changed by someone else; retry")
    lines = [
        _line_row(line_id, units)
        for aggregate in ordered
        for line_id, units in sorted(aggregate.changed_lines().items())
    ]
    if lines:
        _SAVE_LINES.run(uow.connection, lines)
    seen: dict[str, OrderView] = uow.scratch.setdefault(SEEN_ORDERS, {})
    for aggregate in ordered:
        aggregate.version += 1
        aggregate.mark_saved()
        if (view := seen.get(aggregate.id)) is not None:
            seen[aggregate.id] = _as_saved(view, aggregate)


def _line_row(line_id: str, units: LineUnits) -> dict[str, Any]:
    return {"id": line_id, **{column: getattr(units, name) for name, column in _COUNTERS.items()}}


def _as_saved(view: OrderView, aggregate: OrderAggregate) -> OrderView:
    return replace(
        view,
        state=aggregate.state.value,
        fulfilment_stage=aggregate.fulfilment_stage,
        paid_vnd=aggregate.paid_vnd,
        version=aggregate.version,
        lines=[
            replace(
                line,
                **{
                    column: getattr(aggregate.lines[line.id], name)
                    for name, column in _COUNTERS.items()
                },
            )
            for line in view.lines
        ],
    )
