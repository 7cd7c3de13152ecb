"""Helpers for the reliability tests: `lienmach worker` processes and how much work is left."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from dataclasses import dataclass
from typing import IO

from sqlalchemy import func, select

from lienmach.bootstrap import build_runtime, create_schema
from lienmach.kernel.clock import SystemClock
from lienmach.kernel.delivery_rows import pending_work
from lienmach.kernel.runtime import Runtime
from lienmach.kernel.tables import jobs
from lienmach.orders.model import FINAL
from lienmach.orders.tables import orders
from lienmach.settings import Settings
from lienmach.shipping.sandbox import CarrierSandbox
from lienmach.simulator.people import People
from lienmach.simulator.seed import DemoCompany
from tests.conftest import POSTGRES_URL, Database
from tests.factories import seed_company


def start_worker(database: Database, settings: Settings, log: IO[bytes]) -> subprocess.Popen[bytes]:
    """A real `lienmach worker` process on the test's PostgreSQL schema and sandboxes."""
    environment = dict(os.environ)
    environment.update(
        LIENMACH_DATABASE_URL=f"{POSTGRES_URL}?options=-csearch_path%3D{database.schema}",
        LIENMACH_SMTP_PORT=str(settings.smtp_port),
        LIENMACH_SMS_GATEWAY_URL=settings.sms_gateway_url,
        LIENMACH_CARRIER_API_URL=settings.carrier_api_url,
        LIENMACH_CARRIER_SECRET=settings.carrier_secret,
    )
    return subprocess.Popen(
        [sys.executable, "-m", "lienmach.cli", "worker", "--batch", "100", "--idle-sleep", "0.05"],
        env=environment,
        stdout=log,
        stderr=log,
    )


def final_orders(runtime: Runtime) -> int:
    with runtime.engine.connect() as connection:
        return int(
            connection.execute(
                select(func.count()).where(orders.c.state.in_([state.value for state in FINAL]))
            ).scalar_one()
        )


def work_left(runtime: Runtime) -> int:
    """Deliveries, events the projections have not read, and jobs still waiting to be done."""
    with runtime.engine.connect() as connection:
        deliveries = pending_work(connection)
        running = connection.execute(
            select(func.count()).where(jobs.c.state.in_(["pending", "running"]))
        ).scalar_one()
    return int(deliveries) + int(running)


@dataclass
class Shop:
    """A shop on PostgreSQL whose automatic steps only `lienmach worker` processes run."""

    runtime: Runtime
    company: DemoCompany
    rng: random.Random
    people: People


def shop_for_workers(
    database: Database, settings: Settings, carriers: CarrierSandbox, *, units: int, seed: int
) -> Shop:
    create_schema(database.engine)
    runtime = build_runtime(
        settings, engine=database.engine, clock=SystemClock(), inline_drain=False
    )
    company = seed_company(
        runtime, stock={sku: (units, units) for sku in ("AO-001", "NOI-002", "SACH-003")}
    )
    runtime.drain()  # the seeding's own events
    demo = DemoCompany(
        products=list(company.products.values()), customers=list(company.customers.values())
    )
    rng = random.Random(seed)
    return Shop(runtime, demo, rng, People(runtime, rng=rng, carriers=carriers))
