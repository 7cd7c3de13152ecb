"""KPI reads from the wide block rows equal the sums of the amounts added over any window,
for one slice and for a whole slice table, after upkeep's deltas (removals included) and
after a recompute, on both databases; a day's series reads each day's own amounts."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from lienmach.analytics import kpis, model, queries, repository
from lienmach.analytics.costs import DEFAULT_RATES
from lienmach.analytics.queries import Window
from lienmach.analytics.rollups import METRICS
from lienmach.analytics.tables import rollups
from lienmach.bootstrap import create_schema
from lienmach.kernel.db import read_connection
from tests.conftest import Database

pytestmark = pytest.mark.integration
FIRST = date(2026, 8, 1)
PRODUCTS = ("P1", "P2", "P3", "P4")


def _random_deltas(rng: random.Random) -> list[dict[model.SumKey, int]]:
    deltas = []
    for _ in range(60):
        delta: dict[model.SumKey, int] = {}
        for _ in range(rng.randrange(1, 12)):
            day = (FIRST + timedelta(days=rng.randrange(150))).isoformat()
            slice_ = rng.choice([("all", ""), *(("product", p) for p in PRODUCTS)])
            delta[(*slice_, day, rng.choice(METRICS))] = rng.randrange(-3, 9) or 1
        deltas.append(delta)
    return deltas


def _day_sums(
    added: Counter[model.SumKey], window: Window, dimension: str
) -> dict[str, dict[str, int]]:
    """The oracle: what was added, summed per value over the window's days."""
    per_value: dict[str, Counter[str]] = {}
    since, until = window.since.isoformat(), window.until.isoformat()
    for (slice_dimension, value, day, metric), amount in added.items():
        if slice_dimension == dimension and since <= day <= until:
            per_value.setdefault(value, Counter())[metric] += amount
    found = {value: {m: n for m, n in c.items() if n} for value, c in per_value.items()}
    return {value: amounts for value, amounts in found.items() if amounts}


def _windows(rng: random.Random) -> list[Window]:
    found = [Window(FIRST, FIRST + timedelta(days=160)), Window(FIRST, FIRST - timedelta(1))]
    for _ in range(40):
        since = FIRST + timedelta(days=rng.randrange(-5, 150))
        found.append(Window(since, since + timedelta(days=rng.choice((0, 6, 29, 89, 120)))))
    return found


def _check_reads(database: Database, added: Counter[model.SumKey], windows: list[Window]) -> None:
    with read_connection(database.engine) as connection:
        for window in windows:
            expected = _day_sums(added, window, "product")
            assert queries.sums(connection, window) == _day_sums(added, window, "all").get("", {})
            for product in PRODUCTS:
                assert queries.sums(connection, window, "product", product) == expected.get(
                    product, {}
                )
            table = queries.slice_table(connection, window, "product")
            assert table == [
                (value, kpis.all_kpis(expected[value], DEFAULT_RATES)) for value in sorted(expected)
            ]
            # A day's series: each day's own amounts (the single-day rows).
            series = queries.kpi_series(connection, "cost_per_order", window, "product", "P2")
            assert [value for _, value, _ in series] == [
                kpis.all_kpis(
                    _day_sums(added, Window(day, day), "product").get("P2", {}), DEFAULT_RATES
                )["cost_per_order"]
                for day, _, _ in series
            ]


def _rollup_rows(database: Database) -> set[tuple[object, ...]]:
    with read_connection(database.engine) as connection:
        return {tuple(row) for row in connection.execute(select(rollups)) if any(row[4:])}


def test_block_reads_equal_day_sums_after_upkeep_and_after_a_recompute(database: Database):
    create_schema(database.engine)
    rng = random.Random(17)
    added: Counter[model.SumKey] = Counter()
    for delta in _random_deltas(rng):
        with database.engine.begin() as connection:
            repository.add_to_sums(connection, delta)
        added.update(delta)
    windows = _windows(rng)
    _check_reads(database, added, windows)
    upkept = _rollup_rows(database)
    assert upkept  # the reads above were not all empty
    assert _day_sums(added, windows[0], "product")  # nor the expectations

    with database.engine.begin() as connection:
        repository.forget_sums(connection)
        repository.write_sums(connection, added)

    assert _rollup_rows(database) == upkept
    _check_reads(database, added, windows)
