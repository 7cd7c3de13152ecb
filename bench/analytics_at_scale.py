"""Benchmark: every KPI read and the process map at 1,000,000 orders, and the recomputes.

    python bench/analytics_at_scale.py --database sqlite
    python bench/analytics_at_scale.py --database postgresql

Builds the maintained state of 1,000,000 orders over a year (bench/analytics_state.py: real
fold, real contribution, real process-map counts) — per-object facts, day sums, map counts —
then times, over ``--repeat`` reads each, every read the KPI pages and the process map make
(p50 / p95 / max, ms), and the recompute of every KPI's day sums from the per-object facts.
With ``--log-orders N`` it also writes the events of N fresh orders to the log of an empty
database and times the recompute from the log (facts, sums, attributes, process map), which
grows linearly with the orders. The bar: every read p95 < 50 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from analytics_state import DAYS, FIRST_DAY, State, template_journeys
from lienmach.analytics import model, queries
from lienmach.analytics.process_map_projector import add_counts, rebuild
from lienmach.analytics.process_map_queries import process_map
from lienmach.analytics.queries import Window
from lienmach.analytics.recompute import _facts_in_batches
from lienmach.analytics.repository import write_sums
from lienmach.analytics.services import recompute
from lienmach.analytics.tables import object_facts
from lienmach.bootstrap import create_schema
from lienmach.kernel.clock import SystemClock
from lienmach.kernel.db import make_engine
from lienmach.kernel.tables import event_log, event_objects
from lienmach.kernel.uow import UnitOfWork

POSTGRES = os.environ.get(
    "LIENMACH_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
ANALYZED = ("analytics_rollups", "analytics_object_facts")


@contextmanager
def database(kind: str) -> Iterator[sa.Engine]:
    if kind == "sqlite":
        engine = make_engine(f"sqlite:///{os.path.join(tempfile.mkdtemp(), 'scale.db')}")
        try:
            create_schema(engine)
            yield engine
        finally:
            engine.dispose()
        return
    schema = "bench_" + uuid.uuid4().hex[:8]
    admin = sa.create_engine(POSTGRES.replace("postgresql://", "postgresql+psycopg://"))
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    engine = make_engine(POSTGRES, schema=schema)
    try:
        create_schema(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


def insert_all(connection: sa.Connection, table: sa.Table, rows: Iterator[dict[str, Any]]) -> int:
    batch: list[dict[str, Any]] = []
    written = 0
    for row in rows:
        batch.append(row)
        if len(batch) == 10_000:
            connection.execute(table.insert(), batch)
            written, batch = written + len(batch), []
    if batch:
        connection.execute(table.insert(), batch)
    return written + len(batch)


def _unit(connection: sa.Connection) -> UnitOfWork:
    return UnitOfWork(
        None, clock=SystemClock(), subscribers_of=lambda _kind: [], connection=connection
    )


def fill(engine: sa.Engine, state: State) -> float:
    start = time.perf_counter()
    sums = state.day_sums()
    print(f"  day sums computed in {time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    with engine.begin() as connection:
        rows = write_sums(connection, sums)
    took = time.perf_counter() - start
    print(f"  {rows:,} day-sum rows and their wide rows written in {took:.1f} s")
    start = time.perf_counter()
    with engine.begin() as connection:
        objects = insert_all(connection, object_facts, state.fact_rows())
        add_counts(connection, state.map_counts())
    print(f"  {objects:,} objects' facts written in {time.perf_counter() - start:.1f} s")
    with engine.begin() as connection:  # as a deployment's nightly ANALYZE would
        for table in ANALYZED:
            connection.exec_driver_sql(f"ANALYZE {table}")
    return took


def timed(engine: sa.Engine, name: str, repeat: int, read: Callable[..., Any], *args: Any) -> None:
    times = []
    with engine.connect() as connection:
        read(connection, *args)  # a running server's cache is warm
        for _ in range(repeat):
            start = time.perf_counter()
            read(connection, *args)
            times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
    print(f"| {name} | {statistics.median(times):.1f} / {p95:.1f} / {times[-1]:.1f} |")


def reads(engine: sa.Engine, repeat: int) -> None:
    last = FIRST_DAY + timedelta(days=DAYS - 1)
    year, month = Window(FIRST_DAY, last), Window(last - timedelta(days=29), last)
    print("| read | p50 / p95 / max ms |\n|---|---|")
    timed(engine, "five KPIs, whole business, a year", repeat, queries.kpi_values, year)
    timed(engine, "five KPIs, whole business, 30 days", repeat, queries.kpi_values, month)
    for dimension, value in (
        ("channel", "web"),
        ("province", "01"),
        ("region", "south"),
        ("product", "P007"),
        ("warehouse", "W2"),
        ("carrier", "GHN"),
    ):
        name = f"five KPIs, {dimension} {value}"
        timed(engine, f"{name}, a year", repeat, queries.kpi_values, year, dimension, value)
        timed(engine, f"{name}, 30 days", repeat, queries.kpi_values, month, dimension, value)
    for dimension in ("channel", "province", "region", "product", "warehouse", "carrier"):
        name = f"slice table by {dimension}"
        timed(engine, f"{name}, 30 days", repeat, queries.slice_table, month, dimension)
        timed(engine, f"{name}, a year", repeat, queries.slice_table, year, dimension)
    timed(
        engine, "30 days vs the 30 before", repeat, queries.compare_windows, month, month.previous()
    )
    timed(engine, "cycle time per day, 30 days", repeat, queries.kpi_series, "cycle_time", month)
    timed(engine, "process map (edges, variants, rework)", repeat, process_map)
    timed(engine, "process map bottlenecks", repeat, lambda c: process_map(c).bottlenecks())


def from_state(engine: sa.Engine, written_in: float) -> None:
    """The recompute of every KPI's day sums from the per-object facts: reading the facts and
    summing their contributions is timed here; writing the rows it gives costs what writing
    the same rows cost when the state was filled (``written_in``)."""
    start = time.perf_counter()
    sums: Counter[model.SumKey] = Counter()
    objects = 0
    with engine.connect() as connection:
        for rows in _facts_in_batches(connection):
            for row in rows:
                sums.update(model.contribution(dict(row.facts)))
            objects += len(rows)
    took = time.perf_counter() - start
    print(
        f"recompute from per-object facts: {objects:,} objects read and summed into"
        f" {len(sums):,} day sums in {took:.1f} s; + writing them ≈ {written_in:.1f} s"
    )


def log_rows(orders: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    events, objects = [], []
    for journey_events in template_journeys(orders, seed=99):
        for event in journey_events:
            at = datetime.fromtimestamp(event.at, UTC)
            events.append(
                {
                    "id": event.id,
                    "type": event.type,
                    "occurred_at": at,
                    "actor": "bench",
                    "payload": event.payload,
                }
            )
            order = event.payload["order_id"]
            objects.append(
                {"event_id": event.id, "object_type": "order", "object_id": order, "role": "order"}
            )
    return events, objects


def from_log(kind: str, orders: int, target: int) -> None:
    events, objects = log_rows(orders)
    with database(kind) as engine:
        with engine.begin() as connection:
            insert_all(connection, event_log, iter(events))
            insert_all(connection, event_objects, iter(objects))
        start = time.perf_counter()
        with engine.begin() as connection:
            recompute(_unit(connection))
        kpis = time.perf_counter() - start
        start = time.perf_counter()
        with engine.begin() as connection:
            rebuild(connection)
        mapped = time.perf_counter() - start
    scale = target / orders
    print(
        f"recompute from the log, {orders:,} orders ({len(events):,} events): KPIs {kpis:.1f} s,"
        f" process map {mapped:.1f} s; linear to {target:,} orders: {kpis * scale / 60:.0f} min"
        f" + {mapped * scale / 60:.0f} min"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--templates", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--log-orders", type=int, default=0)
    parser.add_argument("--skip-state-recompute", action="store_true")
    arguments = parser.parse_args()
    start = time.perf_counter()
    state = State(arguments.orders, arguments.templates)
    print(
        f"{arguments.database}: {arguments.orders:,} orders, ~{state.events:,} events,"
        f" {arguments.templates:,} journeys folded in {time.perf_counter() - start:.1f} s"
    )
    with database(arguments.database) as engine:
        written = fill(engine, state)
        reads(engine, arguments.repeat)
        if not arguments.skip_state_recompute:
            from_state(engine, written)
    if arguments.log_orders:
        from_log(arguments.database, arguments.log_orders, arguments.orders)


if __name__ == "__main__":
    main()
