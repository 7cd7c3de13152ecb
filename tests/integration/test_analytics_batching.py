"""The analytics projections gather a whole batch of deliveries and write it at once: the
statements a batch runs do not grow with the orders it touches, a failed delivery in a batch
leaves the others' work in place (the careful path), and the result always equals a recompute
from the log, on both databases."""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event

from lienmach.analytics import folding, handlers, process_map_handlers
from lienmach.analytics.process_map_queries import process_map, recompute_process_map
from lienmach.analytics.services import recompute
from lienmach.bootstrap import create_schema
from lienmach.kernel.bus import Bus, DeliveryOutcome
from lienmach.kernel.clock import SimulatedClock
from lienmach.kernel.delivery_rows import PROJECTIONS
from lienmach.kernel.jobs import JobRunner
from lienmach.kernel.messages import Event
from lienmach.kernel.runtime import Runtime
from lienmach.kernel.uow import UnitOfWork
from lienmach.orders.events import (
    OrderCancelled,
    OrderDelivered,
    OrderPaid,
    OrderPlaced,
    OrderReserved,
    OrderShipped,
)
from tests.analytics_state import derived_state
from tests.conftest import Database

pytestmark = pytest.mark.integration

_TABLES = (
    "analytics_object_attributes",
    "analytics_object_facts",
    "process_map_traces",
    "process_map_edges",
    "event_objects",
)


def _projections_runtime(database: Database, clock: SimulatedClock) -> Runtime:
    """Only the analytics projections listen, and nothing is drained until the test says so."""
    create_schema(database.engine)
    return Runtime(
        engine=database.engine,
        clock=clock,
        bus=Bus([], {}, projections=[handlers.SUBSCRIPTIONS, process_map_handlers.SUBSCRIPTIONS]),
        job_runner=JobRunner({}),
        inline_drain=False,
    )


def _publish(uow: UnitOfWork, events: list[Event]) -> None:
    for one in events:
        uow.publish(one)


def _journeys(runtime: Runtime, clock: SimulatedClock, order_ids: list[str]) -> None:
    """Each order placed, paid and reserved; every other one shipped and delivered, the rest
    cancelled; events of different orders interleaved, some in one unit of work."""
    for order_id in order_ids:
        runtime.run(
            _publish,
            [
                OrderPlaced(
                    order_id=order_id,
                    customer_id=f"c-{order_id}",
                    channel="web",
                    payment_method="prepaid",
                    line_ids=(f"{order_id}-l1",),
                    total_vnd=250_000,
                    province_code="79",
                ),
                OrderPaid(
                    order_id=order_id, amount_vnd=250_000, gateway="g", gateway_reference=order_id
                ),
            ],
        )
    clock.advance(timedelta(hours=2))
    for index, order_id in enumerate(order_ids):
        runtime.run(
            _publish,
            [OrderReserved(order_id=order_id, reservation_ids=("r",), warehouse_ids=("w",))],
        )
        clock.advance(timedelta(minutes=7))
        if index % 2:
            runtime.run(_publish, [OrderCancelled(order_id=order_id, reason="x", line_ids=())])
            continue
        runtime.run(
            _publish,
            [
                OrderShipped(order_id=order_id, shipment_id=f"s-{order_id}", complete=True),
                OrderDelivered(order_id=order_id, customer_id=f"c-{order_id}"),
            ],
        )


@contextmanager
def _statements(database: Database) -> Iterator[Counter[str]]:
    """How many statements touch each of the analytics tables."""
    counts: Counter[str] = Counter()

    def count(*args: Any) -> None:
        statement = args[2]
        for table in _TABLES:
            if re.search(rf"\b{table}\b", statement):
                counts[table] += 1
                if statement.lstrip().upper().startswith("SELECT"):
                    counts[f"read {table}"] += 1

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        yield counts
    finally:
        event.remove(database.engine, "before_cursor_execute", count)


def _process(runtime: Runtime) -> DeliveryOutcome:
    """One batch of the projections lane; on PostgreSQL another test run sharing the database
    may hold the projections lock for a moment, so an empty outcome is tried again."""
    for _attempt in range(100):
        outcome: DeliveryOutcome = runtime.bus.process_batch(
            runtime.engine, runtime.clock, limit=1000, lane=PROJECTIONS
        )
        if outcome.done or outcome.failed or outcome.dead:
            return outcome
        time.sleep(0.05)
    return outcome


def _drain(runtime: Runtime) -> int:
    return _process(runtime).done


def _agrees_with_recompute(runtime: Runtime) -> None:
    upkept, upkept_map = derived_state(runtime), runtime.read(process_map)
    assert upkept_map == runtime.read(recompute_process_map)
    runtime.run(recompute)
    assert derived_state(runtime) == upkept


def test_a_batch_runs_as_many_statements_for_many_orders_as_for_few(
    database: Database, clock: SimulatedClock
) -> None:
    # Given the journeys of two orders, projected in one batch
    runtime = _projections_runtime(database, clock)
    _journeys(runtime, clock, ["A1", "A2"])
    with _statements(database) as few:
        assert _drain(runtime) > 0
    # When the journeys of twelve more orders are projected in one batch
    _journeys(runtime, clock, [f"B{n:02}" for n in range(12)])
    with _statements(database) as many:
        assert _drain(runtime) > 0
    # Then each table is read and written as often as for two orders
    assert many == few
    assert few["analytics_object_attributes"] == 1
    # And the result is what a recompute from the log gives
    _agrees_with_recompute(runtime)


def test_a_failing_delivery_leaves_the_rest_of_its_batch_projected(
    database: Database, clock: SimulatedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a batch in which folding order BAD's events fails
    runtime = _projections_runtime(database, clock)
    _journeys(runtime, clock, ["GOOD1", "BAD", "GOOD2"])
    fold_into = folding.fold_into

    def failing_fold(facts: Any, kind: str, payload: dict[str, Any], *rest: Any) -> Any:
        if payload.get("order_id") == "BAD":
            raise RuntimeError("cannot fold")
        return fold_into(facts, kind, payload, *rest)

    monkeypatch.setattr(folding, "fold_into", failing_fold)
    # When it is processed: the batch fails, then each delivery runs on its own
    outcome = _process(runtime)
    # Then only BAD's measured events failed, and the good orders are fully projected
    assert outcome.failed == 4
    assert outcome.done > 0
    _sums, _blocks, facts, attributes = derived_state(runtime)
    assert {object_id for _type, object_id, _facts in facts} == {"GOOD1", "GOOD2"}
    assert {row[2] for row in attributes} == {"GOOD1", "GOOD2"}
    assert runtime.read(process_map) == runtime.read(recompute_process_map)
    # When the fault is gone and the failed deliveries are retried
    monkeypatch.setattr(folding, "fold_into", fold_into)
    clock.advance(timedelta(minutes=10))
    assert _drain(runtime) == 4
    # Then nothing was counted twice or lost: upkeep equals a recompute
    _agrees_with_recompute(runtime)


def _more_of(runtime: Runtime, order_ids: list[str]) -> None:
    for order_id in order_ids:
        runtime.run(
            _publish,
            [OrderShipped(order_id=order_id, shipment_id=f"s2-{order_id}", complete=False)],
        )


def test_a_worker_does_not_read_again_the_facts_and_traces_it_wrote_last(
    database: Database, clock: SimulatedClock
) -> None:
    # Given orders projected by a worker
    runtime = _projections_runtime(database, clock)
    _journeys(runtime, clock, ["K1", "K2", "K3"])
    assert _drain(runtime) > 0
    # When more of the same orders' events come, for the same worker
    clock.advance(timedelta(minutes=5))
    _more_of(runtime, ["K1", "K2"])
    with _statements(database) as kept:
        assert _drain(runtime) > 0
    # Then their facts and traces are not read again (ADR 0020)
    assert kept["read analytics_object_facts"] == kept["read process_map_traces"] == 0
    assert kept["process_map_traces"] == 1  # written
    # But after another worker's batch, the first reads them again
    other = _projections_runtime(database, clock)
    _more_of(runtime, ["K3"])
    assert _drain(other) > 0
    _more_of(runtime, ["K1"])
    with _statements(database) as read_again:
        assert _drain(runtime) > 0
    assert read_again["read analytics_object_facts"] == 1
    assert read_again["read process_map_traces"] == 1
    _agrees_with_recompute(runtime)
