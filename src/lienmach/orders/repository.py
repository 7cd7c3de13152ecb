"""Loading and saving the order aggregate: its stage, version and each line's unit counters."""

from __future__ import annotations

from dataclasses import dataclass, field
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

    def next_state(self) -> OrderState:
        return derive_state(list(self.lines.values()), fulfilment_stage=self.fulfilment_stage)


def load(connection: Connection, order_id: str) -> OrderAggregate:
    row = connection.execute(
        select(
            orders.c.id,
            orders.c.customer_id,
            orders.c.state,
            orders.c.fulfilment_stage,
            orders.c.payment_method,
            orders.c.paid_vnd,
            orders.c.total_vnd,
            orders.c.version,
        ).where(orders.c.id == order_id)
    ).first()
    if row is None:
        raise NotFound("order", order_id)
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
    line_rows = connection.execute(
        select(
            order_lines.c.id,
            order_lines.c.product_id,
            order_lines.c.quantity,
            *[getattr(order_lines.c, column) for column in _COUNTERS.values()],
        )
        .where(order_lines.c.order_id == order_id)
        .order_by(order_lines.c.position)
    )
    for line in line_rows:
        aggregate.lines[line.id] = LineUnits(
            quantity=line.quantity,
            **{name: getattr(line, column) for name, column in _COUNTERS.items()},
        )
        aggregate.product_of_line[line.id] = line.product_id
    return aggregate


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
    connection.execute(
        update(order_lines)
        .where(order_lines.c.id == bindparam("line_id"))
        .values({column: bindparam(f"new_{name}") for name, column in _COUNTERS.items()}),
        [
            {"line_id": line_id, **{f"new_{name}": getattr(units, name) for name in _COUNTERS}}
            for line_id, units in aggregate.lines.items()
        ],
    )
    aggregate.version += 1
    aggregate.state = new_state
    return new_state
