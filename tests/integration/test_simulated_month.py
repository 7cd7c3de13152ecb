"""A simulated month on both databases: the KPIs and the process map kept up to date as events
arrived are exactly what a recompute from the event log gives."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from lienmach.analytics import queries
from lienmach.analytics.process_map_projector import rebuild_process_map
from lienmach.analytics.process_map_queries import process_map, recompute_process_map
from lienmach.analytics.queries import Window
from lienmach.analytics.services import recompute
from lienmach.bootstrap import build_runtime, create_schema
from lienmach.kernel.clock import SimulatedClock
from lienmach.settings import Settings
from lienmach.simulator.settings import Rates, SimulationSettings
from lienmach.simulator.simulation import simulate
from tests.analytics_state import derived_state
from tests.conftest import Database

pytestmark = pytest.mark.integration

START = datetime(2026, 9, 30, 17, 0, tzinfo=UTC)  # 1 October, 00:00 in Việt Nam
MONTH = SimulationSettings(
    days=30,
    orders_per_day=3,
    seed=5,
    start=START,
    customers=25,
    stock_per_product=6,
    reorder_below=2,
    reorder_quantity=8,
    tickets_per_day=1,
    rates=Rates(wrong_scan=0.2, cancel=0.08, complaint=0.3, reopen=0.4, detractor=0.25),
)
WHOLE_MONTH = Window(START.date(), (START + timedelta(days=40)).date())


def test_a_simulated_month_keeps_kpis_and_map_equal_to_a_recompute(
    database: Database, settings: Settings, carrier_sandbox
) -> None:  # type: ignore[no-untyped-def]
    create_schema(database.engine)
    quiet = dataclasses.replace(settings, carrier_poll_after_hours=24)
    runtime = build_runtime(
        quiet, engine=database.engine, clock=SimulatedClock(START), inline_drain=True
    )
    report = simulate(runtime, carrier_sandbox, MONTH, settle_days=10)
    assert report.tally["orders placed"] > 60

    kept = derived_state(runtime)
    values = {
        slice_: runtime.read(queries.kpi_values, WHOLE_MONTH, *slice_)
        for slice_ in (("all", ""), ("channel", "web"), ("carrier", "ghn"))
    }
    kept_map = runtime.read(process_map)
    assert kept[0] and kept[1] and kept_map.edges

    assert runtime.read(recompute_process_map) == kept_map
    runtime.run(recompute)
    runtime.run(rebuild_process_map)

    assert derived_state(runtime) == kept
    for slice_, before in values.items():
        assert runtime.read(queries.kpi_values, WHOLE_MONTH, *slice_) == before
    assert runtime.read(process_map) == kept_map
