"""Benchmark: what keeping the KPI sums adds to folding an event, per order.

    python bench/analytics_upkeep_cost.py --database sqlite --orders 1000
    python bench/analytics_upkeep_cost.py --database postgresql --orders 1000

Folds the events of synthetic journeys (bench/analytics_journeys.py) one transaction per event,
as upkeep does: lock and load the facts, fold, save, add the change to the sums. Two ways,
alternated order by order on the same database: the facts alone, and the facts plus the sums'
day and block rows (``repository.add_to_sums``). Reports ms per order for each; compare with
the journey's own cost per order (bench/order_journey.py, docs/benchmarks.md). (Until ADR 0017
it compared the day rows alone with the day rows plus the block rows, ADR 0011.)
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import sqlalchemy as sa

from analytics_at_scale import database
from analytics_journeys import LoggedEvent
from analytics_state import template_journeys
from lienmach.analytics import folding, model, repository
from lienmach.analytics.services import _enriched

AddToSums = Callable[[sa.Connection, dict[model.SumKey, int]], None]


def facts_only(connection: sa.Connection, delta: dict[model.SumKey, int]) -> None:
    """Upkeep without the sums."""


def fold_order(engine: sa.Engine, events: list[LoggedEvent], add: AddToSums) -> float:
    start = time.perf_counter()
    for event in events:
        owner = folding.owner_of(event.type, event.payload, event.id)
        if owner is None:
            continue
        with engine.begin() as connection:
            old = repository.load_facts(connection, *owner)
            new = folding.fold(
                old, event.type, _enriched(event.type, event.payload), event.id, event.at
            )
            if new != old:
                repository.save_facts(connection, *owner, new)
                add(connection, model.difference(old, new))
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--orders", type=int, default=1000)
    arguments = parser.parse_args()
    journeys = template_journeys(arguments.orders, seed=5)
    times: dict[str, list[float]] = {"facts only": [], "facts + sums": []}
    with database(arguments.database) as engine:
        for number, events in enumerate(journeys):
            if number % 2:
                times["facts only"].append(fold_order(engine, events, facts_only))
            else:
                times["facts + sums"].append(fold_order(engine, events, repository.add_to_sums))
    events = sum(len(events) for events in journeys) / len(journeys)
    print(f"{arguments.database}: {arguments.orders} orders, {events:.1f} events each")
    for name, found in times.items():
        print(f"  {name}: {statistics.median(found):.1f} ms median per order")


if __name__ == "__main__":
    main()
