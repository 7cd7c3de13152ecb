"""Shared fixtures: a fresh database on SQLite and on PostgreSQL, and a runtime over it.

PostgreSQL is not optional: when it cannot be reached the PostgreSQL leg fails, it is never
skipped (set LIENMACH_TEST_POSTGRES_URL to point elsewhere).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from lienmach.bootstrap import build_runtime, create_schema
from lienmach.kernel.clock import SimulatedClock
from lienmach.kernel.db import make_engine
from lienmach.kernel.runtime import Runtime
from lienmach.settings import Settings

pytest_plugins = ["tests.sandboxes.smtp", "tests.sandboxes.sms", "tests.sandboxes.carrier"]

POSTGRES_URL = os.environ.get(
    "LIENMACH_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
START = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)  # a Monday, 08:00 in Ho Chi Minh City


class Database:
    """A fresh, empty Lienmach database: its URL, engine, and how to make more engines."""

    def __init__(self, url: str, schema: str | None) -> None:
        self.url = url
        self.schema = schema
        self.engine = make_engine(url, schema=schema)

    def new_engine(self) -> sa.Engine:
        return make_engine(self.url, schema=self.schema)

    @property
    def kind(self) -> str:
        return "postgresql" if self.schema else "sqlite"


def _postgres_database() -> Iterator[Database]:
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = sa.create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://"))
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    database = Database(POSTGRES_URL, schema)
    try:
        yield database
    finally:
        database.engine.dispose()
        with admin.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A fresh schema on each database in turn."""
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'lienmach.db'}", None)
        yield database
        database.engine.dispose()
    else:
        yield from _postgres_database()


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(START)


@pytest.fixture
def settings(smtp_server, sms_gateway, carrier_sandbox) -> Settings:  # type: ignore[no-untyped-def]
    return Settings(
        database_url="sqlite:///unused.db",
        smtp_host="127.0.0.1",
        smtp_port=smtp_server.port,
        sms_gateway_url=sms_gateway.url,
        carrier_api_url=carrier_sandbox.url,
        carrier_secret=carrier_sandbox.secret,
        public_base_url="http://shop.test",
    )


@pytest.fixture
def runtime(database: Database, clock: SimulatedClock, settings: Settings) -> Runtime:
    """Lienmach over a fresh database, draining inline so each call moves the journey on."""
    create_schema(database.engine)
    return build_runtime(settings, engine=database.engine, clock=clock, inline_drain=True)
