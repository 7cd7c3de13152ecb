"""A journey batch reads the orders its events name in one statement, and its handlers then
find them there: the same views as reading each order alone, none read twice."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import Engine, event

from lienmach.kernel.runtime import Runtime
from lienmach.orders.events import OrderCancelled, OrderPlaced
from lienmach.orders.queries import get_order, order_in, read_orders_of
from lienmach.simulator.journey import place_random_order
from lienmach.simulator.seed import DemoCompany
from tests.factories import seed_company

pytestmark = pytest.mark.integration


class OrderReads:
    """Counts statements that read the orders table."""

    def __init__(self, engine: Engine) -> None:
        self.count = 0
        self.engine = engine
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *args: object) -> None:
        statement = str(args[2])
        self.count += statement.lstrip().startswith("SELECT") and "FROM orders" in statement

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._seen)


def _placed(order_id: str) -> OrderPlaced:
    return OrderPlaced(
        order_id=order_id,
        customer_id="c",
        channel="web",
        payment_method="cod",
        line_ids=(),
        total_vnd=0,
    )


def test_a_batch_reads_its_orders_once_and_handlers_see_the_same_views(
    runtime: Runtime,
) -> None:
    company = seed_company(runtime)
    demo = DemoCompany(
        products=list(company.products.values()), customers=list(company.customers.values())
    )
    rng = random.Random(3)
    placed = [place_random_order(runtime, demo, rng, pay_rate=0.0) for _ in range(3)]
    # Events of one batch: two name the same order, one an order that does not exist.
    events = [
        _placed(placed[0]),
        _placed(placed[1]),
        OrderCancelled(order_id=placed[1], line_ids=(), reason="test"),
        _placed(placed[2]),
        _placed("no-such-order"),
    ]
    reads = OrderReads(runtime.engine)
    try:
        with runtime.uow("test") as uow:
            read_orders_of(uow, events)
            after_read_ahead = reads.count
            seen = [order_in(uow, order_id) for order_id in placed]
            assert reads.count == after_read_ahead == 1
            for order_id, view in zip(placed, seen, strict=True):
                assert view == get_order(uow.connection, order_id)
                assert view is not None and view.lines
            read_orders_of(uow, events[:2])  # all read already: no statement
            assert reads.count == 1 + len(placed)  # only the comparison reads above
    finally:
        reads.close()
