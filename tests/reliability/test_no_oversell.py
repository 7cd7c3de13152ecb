"""No oversell under concurrency: 16 workers race for the last 10 units, 200 times.

The real checkout must give exactly 10 customers a unit. A deliberately naive reserve (read the
free stock, then write the new count: check-then-act) is kept here to prove the test can fail.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select, update

from lienmach.bootstrap import build_runtime, create_schema
from lienmach.inventory.tables import reservations, stock_levels
from lienmach.kernel.runtime import Runtime
from lienmach.orders.placing import place_order
from lienmach.orders.queries import get_order
from tests.factories import seed_company

pytestmark = pytest.mark.reliability

WORKERS = 16
ATTEMPTS = 200
LAST_UNITS = 10


def _race(attempt: Callable[[int], bool]) -> int:
    start = threading.Barrier(WORKERS)

    def worker(first: int) -> int:
        start.wait()
        return sum(attempt(index) for index in range(first, ATTEMPTS, WORKERS))

    with ThreadPoolExecutor(WORKERS) as pool:
        return sum(pool.map(worker, range(WORKERS)))


@pytest.fixture
def last_units(database, settings, clock):  # type: ignore[no-untyped-def]
    """A shop with exactly 10 units of one product left, in one warehouse; workers that only
    place orders (no inline draining), each thread on its own connection."""
    create_schema(database.engine)
    seeding = build_runtime(settings, engine=database.engine, clock=clock, inline_drain=True)
    company = seed_company(runtime=seeding, stock={"SACH-003": (LAST_UNITS, 0)})
    racing = build_runtime(settings, engine=database.new_engine(), clock=clock, inline_drain=False)
    yield racing, company, company.products["SACH-003"]
    racing.engine.dispose()


def test_exactly_ten_of_two_hundred_concurrent_checkouts_get_the_last_ten_units(last_units) -> None:
    runtime, company, book = last_units

    def checkout(index: int) -> bool:
        placed = runtime.run(
            place_order,
            customer_id=company.customers["Lan" if index % 2 else "Minh"],
            lines=[{"product_id": book, "quantity": 1}],
        )
        order = runtime.read(get_order, placed.order_id)
        return order.lines[0].reserved_quantity == 1

    succeeded = _race(checkout)

    assert succeeded == LAST_UNITS
    reserved_units, oversold = _stock_outcome(runtime, book)
    assert reserved_units == LAST_UNITS
    assert oversold == 0


def test_a_naive_check_then_act_reserve_fails_the_same_check(last_units) -> None:
    runtime, _company, book = last_units

    def naive_reserve(_index: int) -> bool:
        with runtime.engine.connect() as connection:
            with connection.begin():
                row = connection.execute(
                    select(
                        stock_levels.c.warehouse_id, stock_levels.c.on_hand, stock_levels.c.reserved
                    ).where(stock_levels.c.product_id == book, stock_levels.c.on_hand > 0)
                ).one()
            if row.on_hand - row.reserved < 1:
                return False
            time.sleep(0.002)  # the work a checkout does between its check and its act
            with connection.begin():
                connection.execute(
                    update(stock_levels)
                    .where(
                        stock_levels.c.product_id == book,
                        stock_levels.c.warehouse_id == row.warehouse_id,
                    )
                    .values(reserved=row.reserved + 1)
                )
        return True

    succeeded = _race(naive_reserve)

    assert succeeded > LAST_UNITS, "the naive reserve should oversell; if not, the race is not real"


def _stock_outcome(runtime: Runtime, product_id: str) -> tuple[int, int]:
    with runtime.engine.connect() as connection:
        reserved_units = connection.execute(
            select(func.coalesce(func.sum(reservations.c.quantity), 0)).where(
                reservations.c.product_id == product_id, reservations.c.state == "active"
            )
        ).scalar_one()
        on_hand = connection.execute(
            select(func.sum(stock_levels.c.on_hand)).where(stock_levels.c.product_id == product_id)
        ).scalar_one()
    return int(reserved_units), max(0, int(reserved_units) - int(on_hand))
