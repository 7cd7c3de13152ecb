"""Benchmark: N orders through the whole journey, human steps played in-process.

    python bench/order_journey.py --database sqlite --orders 2000
    python bench/order_journey.py --database postgresql --workers 1 --orders 2000
    python bench/order_journey.py --database postgresql --workers 2 --orders 2000
    python bench/order_journey.py --pgbench

Reports orders/s (placed → every order delivered, returned or cancelled, every job —
booking, e-mail, SMS — done, and every event handled, KPI and process-map upkeep included)
and where the time goes. External I/O is real: carriers over
HTTP (local sandbox), e-mail over SMTP to a separate process, SMS over HTTP. Results are
recorded by hand in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import atexit
import itertools
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import func, select

from lienmach import bootstrap
from lienmach.bootstrap import build_runtime, create_schema
from lienmach.kernel.clock import SystemClock
from lienmach.kernel.db import make_engine
from lienmach.kernel.delivery_rows import pending_work
from lienmach.kernel.gc_tuning import tune_for_long_run
from lienmach.kernel.tables import event_log, event_objects, jobs
from lienmach.notifications.sandbox_sms import SmsSandbox
from lienmach.notifications.sandbox_smtp import SmtpSandboxProcess
from lienmach.orders.model import FINAL
from lienmach.orders.tables import orders
from lienmach.settings import Settings
from lienmach.shipping.sandbox import CarrierSandbox
from lienmach.simulator.journey import place_random_orders
from lienmach.simulator.people import People
from lienmach.simulator.seed import seed_demo_company

POSTGRES = os.environ.get(
    "LIENMACH_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
MILESTONES = [
    "OrderPlaced",
    "InvoiceIssued",
    "PickTaskQueued",
    "ParcelPacked",
    "ShipmentBooked",
    "OrderDelivered",
    "SurveySent",
]


class Phases:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)

    def timed(self, name: str, work, *args, **kwargs):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return work(*args, **kwargs)
        finally:
            self.seconds[name] += time.perf_counter() - started


AUTOMATIC = "automatic steps (handlers + jobs, in-process)"


def unfinished_jobs(engine: sa.Engine) -> int:
    """Jobs (bookings, e-mails, SMS) not yet done: the run ends when there are none left."""
    with engine.connect() as connection:
        return int(
            connection.execute(
                # The states written out: the count then reads the index of unfinished jobs.
                select(func.count()).where(
                    jobs.c.state.in_(
                        [sa.literal_column("'pending'"), sa.literal_column("'running'")]
                    )
                )
            ).scalar_one()
        )


def pending_work_of(engine: sa.Engine, *, projections: bool) -> int:
    """Events not yet handled by every subscriber, the KPI and process-map upkeep included:
    the run ends when there are none left, so upkeep that falls behind is counted."""
    with engine.connect() as connection:
        return pending_work(connection, feed_read=projections)


def final_count(engine: sa.Engine) -> int:
    with engine.connect() as connection:
        return int(
            connection.execute(
                select(func.count()).where(orders.c.state.in_([s.value for s in FINAL]))
            ).scalar_one()
        )


def stage_latencies(engine: sa.Engine) -> dict[str, float]:
    """Median seconds between consecutive milestones of each order, from the event log."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(event_objects.c.object_id, event_log.c.type, func.min(event_log.c.occurred_at))
            .join(event_log, event_log.c.id == event_objects.c.event_id)
            .where(event_objects.c.object_type == "order", event_log.c.type.in_(MILESTONES))
            .group_by(event_objects.c.object_id, event_log.c.type)
        ).all()
    by_order: dict[str, dict[str, object]] = defaultdict(dict)
    for order_id, kind, moment in rows:
        by_order[order_id][kind] = moment
    result = {}
    for before, after in itertools.pairwise(MILESTONES):
        gaps = [
            (times[after] - times[before]).total_seconds()
            for times in by_order.values()
            if before in times and after in times
        ]  # type: ignore[operator]
        if gaps:
            result[f"{before} → {after}"] = statistics.median(gaps)
    return result


# A worker without the projections (KPI upkeep, process map), to measure what they cost.
WORKER_BARE = (
    "import lienmach.bootstrap as b; b.PROJECTION_TABLES = (); from lienmach.cli import app; app()"
)


def run(
    database: str,
    orders_wanted: int,
    workers: int,
    batch: int,
    seed: int,
    *,
    projections: bool = True,
) -> None:
    if not projections:
        bootstrap.PROJECTION_TABLES = ()
    rng = random.Random(seed)
    folder = Path(tempfile.mkdtemp(prefix="lienmach-bench-"))
    # At exit (last, after the mail catcher has stopped): the database and mailbox go too.
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    smtp = SmtpSandboxProcess(folder / "mail.jsonl").start()
    atexit.register(smtp.stop)  # also when the run fails half-way
    sms = SmsSandbox()
    sms.start()
    carriers = CarrierSandbox(secret="bench-secret")
    carriers.start()
    schema = None
    if database == "sqlite":
        url = f"sqlite:///{folder / 'bench.db'}"
        engine = make_engine(url)
    else:
        schema = "bench_" + uuid.uuid4().hex[:8]
        admin = make_engine(POSTGRES)
        with admin.begin() as connection:
            connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
        # At exit, however the run ends (one failing half-way had left its schema behind).
        atexit.register(drop_schema, admin, schema)
        url = f"{POSTGRES}?options=-csearch_path%3D{schema}"
        engine = make_engine(POSTGRES, schema=schema)
    settings = Settings(
        database_url=url,
        smtp_port=smtp.port,
        sms_gateway_url=sms.url,
        carrier_api_url=carriers.url,
        carrier_secret=carriers.secret,
    )
    create_schema(engine)
    runtime = build_runtime(settings, engine=engine, clock=SystemClock(), inline_drain=False)
    company = seed_demo_company(runtime, rng=rng, customers=200, stock_per_product=orders_wanted)
    runtime.drain()
    people = People(runtime, rng=rng, carriers=carriers)
    people.behaviour.wrong_scan_rate = 0.02
    # This process plays the API server's part, and `lienmach serve` tunes its collector so.
    tune_for_long_run()
    phases = Phases()
    processes = []
    environment = dict(
        os.environ,
        LIENMACH_DATABASE_URL=url,
        LIENMACH_SMTP_PORT=str(smtp.port),
        LIENMACH_SMS_GATEWAY_URL=sms.url,
        LIENMACH_CARRIER_API_URL=carriers.url,
        LIENMACH_CARRIER_SECRET=carriers.secret,
    )
    for _ in range(workers):
        processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    *(["-m", "lienmach.cli"] if projections else ["-c", WORKER_BARE]),
                    "worker",
                    "--idle-sleep",
                    "0.02",
                ],
                env=environment,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
    started = time.perf_counter()
    placed = 0
    try:
        deadline = time.monotonic() + 1800
        while (
            placed < orders_wanted
            or final_count(engine) < orders_wanted
            or unfinished_jobs(engine) > 0
            or pending_work_of(engine, projections=projections) > 0
        ):
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"{final_count(engine)} of {orders_wanted} orders final after 30 min"
                )
            # A round's customers order at once, as API requests arriving together do: one
            # group commit (kernel.group_commit), each order in a savepoint of its own.
            arriving = min(batch, orders_wanted - placed)
            if arriving:
                phases.timed(
                    "place orders (checks, prices, reservation)",
                    place_random_orders,
                    runtime,
                    company,
                    rng,
                    arriving,
                    pay_rate=1.0,
                )
                placed += arriving
            # The in-process drains stop when only job I/O is left in flight: meanwhile the
            # people act, and a later drain records the I/O.
            worked = arriving
            if workers == 0:
                worked += phases.timed(AUTOMATIC, runtime.drain, wait_for_io=False)
            worked += phases.timed(
                "pick + pack (scan every unit)", people.pickers_and_packers, limit=batch * 2
            )
            if workers == 0:
                worked += phases.timed(AUTOMATIC, runtime.drain, wait_for_io=False)
            worked += phases.timed("carrier callbacks", people.couriers, limit=batch * 8)
            worked += phases.timed(
                "survey answers + ticket resolution",
                people.customers_answer_surveys,
                limit=batch * 2,
            )
            if workers == 0:
                worked += phases.timed(AUTOMATIC, runtime.drain, wait_for_io=False)
                if not worked:  # only I/O in flight: wait for some of it
                    phases.timed(AUTOMATIC, runtime.job_runner.wait_for_inflight, timeout=0.05)
            elif placed >= orders_wanted:
                time.sleep(0.05)
    finally:
        elapsed = time.perf_counter() - started
        for process in processes:
            process.terminate()
            process.wait()
    shape = "" if projections else ", without projections"
    print(f"\n{database}, {workers} worker process(es), {orders_wanted} orders{shape}")
    print(f"  {orders_wanted / elapsed:8.1f} orders/s   ({elapsed:.1f} s placed → final, all sent)")
    for name, seconds in sorted(phases.seconds.items(), key=lambda item: -item[1]):
        print(f"  {seconds / orders_wanted * 1000:8.2f} ms/order  {name}")
    print("  median time between milestones (event log):")
    for stage, seconds in stage_latencies(engine).items():
        print(f"  {seconds * 1000:8.1f} ms  {stage}")
    print(f"  e-mails caught by the SMTP process: {len(smtp.messages())}, SMS: {len(sms.messages)}")
    engine.dispose()
    carriers.stop()
    sms.stop()
    smtp.stop()


def drop_schema(admin: sa.Engine, schema: str) -> None:
    with admin.begin() as connection:
        connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    admin.dispose()


def pgbench(seconds: int = 15) -> None:
    """pgbench's TPC-B-like load on the same server, for the ratio."""
    database = "lienmach_pgbench"
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-c", f"DROP DATABASE IF EXISTS {database}"],
        check=True,
    )
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-c", f"CREATE DATABASE {database}"],
        check=True,
    )
    subprocess.run(
        ["pgbench", "-h", "127.0.0.1", "-U", "postgres", "-i", "-s", "10", "-q", database],
        check=True,
    )
    for clients in (1, 2):
        subprocess.run(
            [
                "pgbench",
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "-c",
                str(clients),
                "-j",
                str(clients),
                "-T",
                str(seconds),
                database,
            ],
            check=True,
        )
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-c", f"DROP DATABASE {database}"], check=True
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument(
        "--workers", type=int, default=0, help="worker processes (0: drain in-process)"
    )
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--without-projections",
        action="store_true",
        help="no KPI upkeep or process map, to measure what they cost the journey",
    )
    parser.add_argument("--pgbench", action="store_true")
    arguments = parser.parse_args()
    if arguments.pgbench:
        pgbench()
        return
    run(
        arguments.database,
        arguments.orders,
        arguments.workers,
        arguments.batch,
        arguments.seed,
        projections=not arguments.without_projections,
    )


if __name__ == "__main__":
    main()
