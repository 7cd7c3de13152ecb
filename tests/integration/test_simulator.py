"""The simulator on both databases: a few days around 11.11 played against the real services
leave events of every kind in the log (orders, stock-outs and replenishment, wrong scans, carrier
delays and failed deliveries, surveys, complaints reopened and resolved late); the same seed plays
the same business, another seed another one."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from lienmach.bootstrap import build_runtime, create_schema
from lienmach.kernel.clock import SimulatedClock
from lienmach.kernel.tables import event_log
from lienmach.orders.tables import orders
from lienmach.settings import Settings
from lienmach.simulator.calendar import demand_factor, is_tet_holiday, warehouse_hours
from lienmach.simulator.settings import CarrierProfile, Rates, SimulationSettings
from lienmach.simulator.simulation import SimulationReport, simulate
from tests.conftest import POSTGRES_URL, Database

pytestmark = pytest.mark.integration

START = datetime(2026, 11, 8, 17, 0, tzinfo=UTC)  # Monday 9 November, 00:00 in Việt Nam
# Things go wrong often here, so a short run shows every kind of event.
TROUBLED = SimulationSettings(
    days=4,
    orders_per_day=7,
    seed=11,
    start=START,
    customers=30,
    stock_per_product=4,
    reorder_below=2,
    reorder_quantity=6,
    tickets_per_day=2,
    rates=Rates(
        data_entry_error=0.2,
        wrong_scan=0.3,
        cancel=0.1,
        complaint=0.35,
        complaint_when_late=0.6,
        reopen=0.6,
        detractor=0.3,
    ),
    carriers={
        carrier: CarrierProfile((2, 10), (1, 2), 0.4, (1, 2), 0.2)
        for carrier in ("ghn", "ghtk", "vtp")
    },
)
EVERY_KIND = {
    "OrderPlaced",
    "OrderPaid",
    "OrderCancelled",
    "OrderBackordered",
    "StockReceived",
    "ScanRejected",
    "ParcelPacked",
    "ShipmentDelivered",
    "ShipmentFailed",
    "OrderReturned",
    "SurveyAnswered",
    "TicketOpened",
    "TicketResolved",
    "TicketReopened",
}


@pytest.fixture
def fresh_database(database: Database, tmp_path: Path) -> Iterator[Any]:
    """Makes more empty databases of the same kind as ``database``."""
    made: list[tuple[sa.Engine, str | None]] = []
    admin = sa.create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://"))

    def make() -> sa.Engine:
        if database.kind == "sqlite":
            engine = Database(f"sqlite:///{tmp_path / uuid.uuid4().hex}.db", None).engine
            made.append((engine, None))
            return engine
        schema = "t_" + uuid.uuid4().hex[:12]
        with admin.begin() as connection:
            connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
        engine = Database(POSTGRES_URL, schema).engine
        made.append((engine, schema))
        return engine

    yield make
    for engine, schema in made:
        engine.dispose()
        if schema:
            with admin.begin() as connection:
                connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
    admin.dispose()


def _run(
    engine: sa.Engine, settings: Settings, carrier_sandbox: Any, plan: SimulationSettings
) -> tuple[SimulationReport, dict[str, str], set[str]]:
    create_schema(engine)
    # the simulated carriers report every status, so polling them often only repeats it
    quiet = dataclasses.replace(settings, carrier_poll_after_hours=24)
    runtime = build_runtime(quiet, engine=engine, clock=SimulatedClock(START), inline_drain=True)
    report = simulate(runtime, carrier_sandbox, plan, settle_days=10)
    with engine.connect() as connection:
        states = dict(connection.execute(sa.select(orders.c.number, orders.c.state)).all())
        kinds = set(connection.execute(sa.select(event_log.c.type).distinct()).scalars())
    return report, states, kinds


def test_a_short_troubled_run_logs_every_kind_of_event(  # type: ignore[no-untyped-def]
    fresh_database, settings: Settings, carrier_sandbox
) -> None:
    report, states, kinds = _run(fresh_database(), settings, carrier_sandbox, TROUBLED)

    assert kinds >= EVERY_KIND, EVERY_KIND - kinds
    tally = report.tally
    assert tally["orders placed"] == len(states) > 4 * 7  # 11.11 brings three times the orders
    assert tally["data entry errors refused"] > 0  # refused, nothing written: not in the log
    assert tally["wrong scans refused"] > 0
    assert tally["failed deliveries"] > 0 and tally["deliveries delayed"] > 0
    assert tally["replenishments received"] > 0
    assert tally["tickets reopened"] > 0 and tally["tickets resolved late"] > 0
    assert report.nps.detractors > 0 and report.nps.promoters > 0
    # the chain settled: every order ended delivered, returned or cancelled
    assert set(report.order_states) <= {"delivered", "returned", "cancelled"}
    assert report.order_states["delivered"] > report.order_states.get("returned", 0)


def test_same_seed_same_business_other_seed_other_business(  # type: ignore[no-untyped-def]
    fresh_database, settings: Settings, carrier_sandbox
) -> None:
    plan = replace(TROUBLED, days=2)

    first = _run(fresh_database(), settings, carrier_sandbox, plan)
    again = _run(fresh_database(), settings, carrier_sandbox, plan)
    other = _run(fresh_database(), settings, carrier_sandbox, replace(plan, seed=12))

    report, states, kinds = first
    assert (again[0].tally, again[0].order_states, again[1], again[2]) == (
        report.tally,
        report.order_states,
        states,
        kinds,
    )
    assert again[0].nps == report.nps
    assert (other[0].tally, other[1]) != (report.tally, states)


def test_demand_follows_weekdays_sale_days_and_tet() -> None:
    from datetime import date

    monday, saturday = date(2026, 11, 9), date(2026, 11, 14)
    assert demand_factor(saturday) > demand_factor(monday)
    assert demand_factor(date(2026, 11, 11)) > 2.5 * demand_factor(date(2026, 11, 4))
    assert demand_factor(date(2026, 12, 12)) > 2 * demand_factor(date(2026, 12, 5))
    assert demand_factor(date(2027, 1, 25)) > demand_factor(date(2027, 1, 4))  # before Tết
    assert is_tet_holiday(date(2027, 2, 6)) and not warehouse_hours(date(2027, 2, 7))
    assert demand_factor(date(2027, 2, 7)) < 0.5 * demand_factor(date(2027, 1, 4))
    assert len(warehouse_hours(date(2026, 11, 15))) < len(warehouse_hours(monday))  # Sunday
