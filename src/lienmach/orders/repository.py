"""Loading and saving the order aggregate: its stage, version and each line's unit counters."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from lienmach.kernel.errors import ConcurrencyConflict, NotFound
from lienmach.kernel.states import check_transition
from lienmach.orders.model import TRANSITIONS, LineUnits, OrderState, derive_state
from lienmach.orders.tables import order_lines, orders

_COUNTERS = {
    "reserved": "reserved_quantity",
    "backordered": "backordered_quantity",
    "shipped": "shipped_quantity",
    "delivered": "delivered_quantity",
    "returned": "returned_quantity",
    "cancelled": "cancelled_quantity",
}


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


def load(connection: Connection, order_id: str) -> OrderAggregate:
    """The order with its lines' unit counters, in one statement."""
    rows = connection.execute(
        select(
            orders.c.id,
            orders.c.customer_id,
            orders.c.state,
            orders.c.fulfilment_stage,
            orders.c.payment_method,
            orders.c.paid_vnd,
            orders.c.total_vnd,
            orders.c.version,
            order_lines.c.id.label("line_id"),
            order_lines.c.product_id.label("line_product_id"),
            order_lines.c.quantity.label("line_quantity"),
            *[getattr(order_lines.c, column) for column in _COUNTERS.values()],
        )
        .select_from(orders.outerjoin(order_lines, order_lines.c.order_id == orders.c.id))
        .where(orders.c.id == order_id)
        .order_by(order_lines.c.position)
    ).all()
    if not rows:
        raise NotFound("order", order_id)
    row = rows[0]
    aggregate = OrderAggregate(
        id=row.id,
        customer_id=row.customer_id,
        state=OrderState(row.state),
        fulfilment_stage=row.fulfilment_stage,
        payment_method=row.payment_method,
        paid_vnd=row.paid_vnd,
        total_vnd=row.total_vnd,
        version=row.version,
    )
    for line in rows:
        if line.line_id is None:
            continue
        aggregate.lines[line.line_id] = LineUnits(
            quantity=line.line_quantity,
            **{name: getattr(line, column) for name, column in _COUNTERS.items()},
        )
        aggregate.product_of_line[line.line_id] = line.line_product_id
    aggregate.mark_saved()
    return aggregate


def lock(connection: Connection, order_id: str) -> None:
    """Hold the order's row until commit, so a check made now still holds when acting on it."""
    found = connection.execute(
        select(orders.c.id).where(orders.c.id == order_id).with_for_update()
    ).first()
    if found is None:
        raise NotFound("order", order_id)


def save(connection: Connection, aggregate: OrderAggregate, **order_changes: Any) -> OrderState:
    """Write the lines and the derived stage; fails if anyone changed the order meanwhile."""
    new_state = aggregate.next_state()
    if new_state != aggregate.state:
        check_transition("order", aggregate.id, TRANSITIONS, aggregate.state, new_state)
    changed = connection.execute(
        update(orders)
        .where(orders.c.id == aggregate.id, orders.c.version == aggregate.version)
        .values(
            state=new_state.value,
            fulfilment_stage=aggregate.fulfilment_stage,
            paid_vnd=aggregate.paid_vnd,
            version=aggregate.version + 1,
            **order_changes,
        )
    ).rowcount
    if changed != 1:
        raise ConcurrencyConflict(f"order {aggregate.id} was changed by someone else; retry")
    changed_lines = aggregate.changed_lines()
    if changed_lines:
        connection.execute(
            update(order_lines)
            .where(order_lines.c.id == bindparam("line_id"))
            .values({column: bindparam(f"new_{name}") for name, column in _COUNTERS.items()}),
            [
                {"line_id": line_id, **{f"new_{name}": getattr(units, name) for name in _COUNTERS}}
                for line_id, units in changed_lines.items()
            ],
        )
    aggregate.version += 1
    aggregate.state = new_state
    aggregate.mark_saved()
    return new_state
