"""Benchmark: KPI reads over the per-day-per-slice sums of a year of 1,000,000 orders.

    python bench/analytics_reads.py --database sqlite
    python bench/analytics_reads.py --database postgresql

Fills the sums (``analytics_rollups``) as upkeep would leave them after 1,000,000 orders over
365 days (every metric for the whole business and each channel, province, region, product,
warehouse and carrier), then times the reads the KPI pages make. The bar: each read < 50 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
import uuid
from datetime import date, timedelta

import sqlalchemy as sa

from lienmach.analytics import queries
from lienmach.analytics.model import BUCKET_EDGES, ERROR_STAGES, STAGES
from lienmach.analytics.queries import Window
from lienmach.analytics.repository import write_sums
from lienmach.bootstrap import create_schema
from lienmach.kernel.db import make_engine

POSTGRES = os.environ.get(
    "LIENMACH_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
ORDERS, DAYS = 1_000_000, 365
FIRST_DAY = date(2026, 1, 1)
SLICES = (
    [("all", "")]
    + [("channel", c) for c in ("web", "back_office", "api", "marketplace")]
    + [("province", f"{n:02d}") for n in range(1, 35)]
    + [("region", r) for r in ("north", "central", "south")]
    + [("product", f"P{n:03d}") for n in range(200)]
    + [("warehouse", w) for w in ("W1", "W2", "W3")]
    + [("carrier", k) for k in ("GHN", "GHTK", "VTP")]
)
METRICS = (
    ["orders_placed", "delivered", "cycle_s", "orders_final", "picked_orders", "parcels"]
    + ["carrier_fee_vnd", "prepaid_vnd", "cod_vnd", "support_opens", "errors"]
    + ["nps_answers", "nps_promoters", "nps_detractors", "tickets_opened", "tickets_resolved"]
    + ["resolution_s"]
    + [f"errors:{stage}" for stage in ERROR_STAGES]
    + [f"stage_s:{stage}" for stage, _a, _b in STAGES]
    + [f"stage_n:{stage}" for stage, _a, _b in STAGES]
    + [f"cycle_b:{index:02d}" for index in range(8, 16)]
    + [f"resolution_b:{index:02d}" for index in range(2, 10)]
)


def fill(engine: sa.Engine) -> int:
    per_day = ORDERS // DAYS
    rng = random.Random(1)
    written = 0
    sums: dict[tuple[str, str, str, str], int] = {}
    with engine.begin() as connection:
        for offset in range(DAYS):
            day = (FIRST_DAY + timedelta(days=offset)).isoformat()
            rows = [
                {
                    "dimension": dimension,
                    "value": value,
                    "day": day,
                    "metric": metric,
                    "amount": rng.randint(1, per_day),
                }
                for dimension, value in SLICES
                for metric in METRICS
            ]
            sums.update({(r["dimension"], r["value"], day, r["metric"]): r["amount"] for r in rows})
            written += len(rows)
        # The day rows and their wide block rows, as upkeep writes both (ADR 0011).
        write_sums(connection, sums)
    return written


def timed(engine: sa.Engine, name: str, read, *args) -> None:  # type: ignore[no-untyped-def]
    times = []
    with engine.connect() as connection:
        for _ in range(20):
            start = time.perf_counter()
            read(connection, *args)
            times.append((time.perf_counter() - start) * 1000)
    print(f"  {statistics.median(times):8.2f} ms median  {max(times):8.2f} ms max   {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    arguments = parser.parse_args()
    if arguments.database == "sqlite":
        path = os.path.join(tempfile.mkdtemp(), "reads.db")
        engine = make_engine(f"sqlite:///{path}")
    else:
        schema = "bench_" + uuid.uuid4().hex[:8]
        admin = sa.create_engine(POSTGRES.replace("postgresql://", "postgresql+psycopg://"))
        with admin.begin() as connection:
            connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
        engine = make_engine(POSTGRES, schema=schema)
    try:
        create_schema(engine)
        start = time.perf_counter()
        rows = fill(engine)
        print(f"{arguments.database}: {rows:,} day-slice-metric rows for {ORDERS:,} orders")
        print(f"  filled in {time.perf_counter() - start:.1f} s; buckets {len(BUCKET_EDGES)}")
        with engine.begin() as connection:  # as a deployment's nightly ANALYZE would
            connection.exec_driver_sql("ANALYZE analytics_rollups")
        last = FIRST_DAY + timedelta(days=DAYS - 1)
        year, month = Window(FIRST_DAY, last), Window(last - timedelta(days=29), last)
        timed(engine, "five KPIs, whole business, a year", queries.kpi_values, year)
        timed(engine, "five KPIs, one carrier, a year", queries.kpi_values, year, "carrier", "GHN")
        timed(
            engine, "five KPIs, one product, 30 days", queries.kpi_values, month, "product", "P007"
        )
        timed(engine, "cycle time per day, 30 days", queries.kpi_series, "cycle_time", month)
        timed(engine, "slice table by province, 30 days", queries.slice_table, month, "province")
    finally:
        engine.dispose()
        if arguments.database == "postgresql":
            with admin.begin() as connection:
                connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")


if __name__ == "__main__":
    main()
