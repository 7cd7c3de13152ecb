"""Probe: could DuckDB recompute every KPI day sum of 1,000,000 orders in under a second?

    python bench/analytics_duckdb_probe.py --orders 1000000

Gives DuckDB (in memory, both cores) the per-object state in the best shape it could have:
per order, its metric amounts per day as real columns (the order's contribution before it is
spread over its slices) and its slices, built from the same folded journeys as
bench/analytics_state.py. Times the one GROUP BY that is the recompute (every slice, day and
metric). Loading the state into DuckDB is not timed: here the stores are SQLite and
PostgreSQL, and this DuckDB build cannot read them without extensions it would download.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from datetime import date

import duckdb

from analytics_state import FIRST_DAY, State
from lienmach.analytics import model
from lienmach.analytics.rollups import COLUMN_OF, METRICS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--templates", type=int, default=20_000)
    arguments = parser.parse_args()
    state = State(arguments.orders, arguments.templates)
    columns = list(COLUMN_OF.values())
    metric_rows, slice_rows, copy_rows = [], [], []
    for number, facts in enumerate(state.facts):
        per_day: dict[int, dict[str, int]] = defaultdict(dict)
        for at, metric, amount in model._metrics(facts):
            day = (date.fromisoformat(model.day_of(int(at))) - FIRST_DAY).days
            per_day[day][metric] = per_day[day].get(metric, 0) + amount
        for day, amounts in per_day.items():
            metric_rows.append((number, day, *(amounts.get(m, 0) for m in METRICS)))
        slice_rows += [(number, dimension, value) for dimension, value in model.slices(facts)]
        copy_rows += [
            (number, shift, count)
            for shift, count in zip(state.days[number], state.copies[number], strict=True)
        ]
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE tmetrics (template INT, day INT, "
        + ", ".join(f"{c} BIGINT" for c in columns)
        + ")"
    )
    con.executemany(
        f"INSERT INTO tmetrics VALUES ({', '.join('?' * (len(columns) + 2))})", metric_rows
    )
    con.execute("CREATE TABLE tslices (template INT, dimension VARCHAR, value VARCHAR)")
    con.executemany("INSERT INTO tslices VALUES (?, ?, ?)", slice_rows)
    con.execute("CREATE TABLE copies (template INT, shift INT, n INT)")
    con.executemany("INSERT INTO copies VALUES (?, ?, ?)", copy_rows)
    con.execute(
        "CREATE TABLE objects AS SELECT row_number() OVER () AS object, template, shift"
        " FROM copies, range(n)"
    )
    con.execute(
        "CREATE TABLE metrics AS SELECT o.object, m.day + o.shift AS day, "
        + ", ".join(f"m.{c}" for c in columns)
        + " FROM objects o JOIN tmetrics m USING (template)"
    )
    con.execute(
        "CREATE TABLE slices AS SELECT o.object, s.dimension, s.value"
        " FROM objects o JOIN tslices s USING (template)"
    )
    sizes = [con.execute(f"SELECT count(*) FROM {t}").fetchone() for t in ("metrics", "slices")]
    print(f"{arguments.orders:,} orders: {sizes[0]} order-day rows, {sizes[1]} order slices")
    query = (
        "CREATE OR REPLACE TABLE sums AS SELECT s.dimension, s.value, m.day, "
        + ", ".join(f"sum(m.{c}) AS {c}" for c in columns)
        + " FROM metrics m JOIN slices s USING (object) GROUP BY ALL"
    )
    for _ in range(3):
        start = time.perf_counter()
        con.execute(query)
        took = time.perf_counter() - start
        groups = con.execute("SELECT count(*) FROM sums").fetchone()
        print(f"  GROUP BY into {groups} slice-day rows: {took:.2f} s")


if __name__ == "__main__":
    main()
