"""Helpers for the reliability tests: `lienmach worker` processes and how much work is left."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import IO

from sqlalchemy import func, select

from lienmach.kernel.runtime import Runtime
from lienmach.kernel.tables import event_deliveries, jobs
from lienmach.orders.model import FINAL
from lienmach.orders.tables import orders
from lienmach.settings import Settings
from tests.conftest import POSTGRES_URL, Database


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
    """Deliveries and jobs still waiting to be done."""
    with runtime.engine.connect() as connection:
        deliveries = connection.execute(
            select(func.count()).where(event_deliveries.c.state == "pending")
        ).scalar_one()
        running = connection.execute(
            select(func.count()).where(jobs.c.state.in_(["pending", "running"]))
        ).scalar_one()
    return int(deliveries) + int(running)
