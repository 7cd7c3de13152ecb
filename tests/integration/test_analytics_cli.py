"""``lienmach analytics recompute``: after a real journey, KPI day sums that were lost are
rebuilt from the per-object facts, and with ``--from-log`` everything analytics derives (facts,
sums, attributes, process map) is rebuilt from the event log, equal to what upkeep kept, as
``lienmach migrate`` does for a database from before the KPIs; a database that cannot be read
is refused, naming the field, and nothing is created."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import delete, inspect, select
from typer.testing import CliRunner

from lienmach.analytics import queries
from lienmach.analytics.process_map_queries import process_map
from lienmach.analytics.process_map_tables import (
    process_map_activities,
    process_map_edges,
    process_map_traces,
    process_map_variants,
    process_map_waits,
)
from lienmach.analytics.tables import object_attributes, object_facts, rollups
from lienmach.cli import app
from lienmach.kernel.clock import SimulatedClock
from lienmach.kernel.runtime import Runtime
from lienmach.migrate import alembic_config
from tests.conftest import Database
from tests.integration.test_analytics_upkeep import WEEK, _journey

pytestmark = pytest.mark.integration
DERIVED = (rollups, object_facts, object_attributes)
MAP = (
    process_map_traces,
    process_map_edges,
    process_map_waits,
    process_map_activities,
    process_map_variants,
)


def _url(database: Database) -> str:
    if database.schema is None:
        return database.url
    return f"{database.url}?options=-csearch_path%3D{database.schema}"


def _kept(runtime: Runtime) -> dict[str, Any]:
    with runtime.engine.connect() as connection:
        # Upkeep leaves rows whose amounts went back to zero; a recompute writes none.
        rows = {
            table.name: sorted(
                tuple(str(value) for value in row)
                for row in connection.execute(select(table))
                if table is not rollups or any(row[4:])
            )
            for table in DERIVED
        }
    rows["kpis"] = runtime.read(queries.kpi_values, WEEK)
    rows["by_province"] = runtime.read(queries.slice_table, WEEK, "province")
    rows["map"] = runtime.read(process_map)
    return rows


def _forget(runtime: Runtime, *tables: Any) -> None:
    with runtime.engine.begin() as connection:
        for table in tables:
            connection.execute(delete(table))


def _recompute(database: Database, *extra: str) -> Any:
    return CliRunner().invoke(app, ["analytics", "recompute", "--database", _url(database), *extra])


def test_lost_sums_come_back_from_the_facts(  # type: ignore[no-untyped-def]
    runtime: Runtime, database: Database, clock: SimulatedClock, carrier_sandbox
) -> None:
    _journey(runtime, clock, carrier_sandbox)
    kept = _kept(runtime)
    assert kept["kpis"]["cost_per_order"].count == 3
    _forget(runtime, rollups)
    assert runtime.read(queries.kpi_values, WEEK)["cost_per_order"].count == 0

    done = _recompute(database)

    assert done.exit_code == 0, done.output
    assert "3/3" in done.output and "objects 3" in done.output  # the bar and the three orders
    assert _kept(runtime) == kept


def test_from_the_log_everything_comes_back(  # type: ignore[no-untyped-def]
    runtime: Runtime, database: Database, clock: SimulatedClock, carrier_sandbox
) -> None:
    _journey(runtime, clock, carrier_sandbox)
    kept = _kept(runtime)
    assert kept["map"].orders == 3 and kept[object_attributes.name]
    _forget(runtime, *DERIVED, *MAP)
    assert runtime.read(process_map).orders == 0

    done = _recompute(database, "--from-log")

    assert done.exit_code == 0, done.output
    assert "orders_on_map 3" in done.output
    assert _kept(runtime) == kept


def test_upgrading_a_database_from_before_analytics_rebuilds_its_kpis(  # type: ignore[no-untyped-def]
    runtime: Runtime, database: Database, clock: SimulatedClock, carrier_sandbox
) -> None:
    _journey(runtime, clock, carrier_sandbox)
    kept = _kept(runtime)
    config = alembic_config(_url(database))
    command.stamp(config, "head")
    command.downgrade(config, "0006")  # as a database of a release before the KPIs was
    with runtime.engine.connect() as connection:
        assert "analytics_object_facts" not in inspect(connection).get_table_names()

    upgraded = CliRunner().invoke(app, ["migrate", "--database-url", _url(database)])

    assert upgraded.exit_code == 0, upgraded.output
    assert "Rebuilding the KPIs" in upgraded.output
    assert _kept(runtime) == kept
    again = CliRunner().invoke(app, ["migrate", "--database-url", _url(database)])
    assert again.exit_code == 0 and "Rebuilding" not in again.output  # nothing left to do


def test_a_database_that_cannot_be_read_is_refused(database: Database, tmp_path: Path) -> None:
    missing = tmp_path / "missing.db"
    refused = CliRunner().invoke(
        app, ["analytics", "recompute", "--database", f"sqlite:///{missing}"]
    )
    assert refused.exit_code == 2
    assert "database" in refused.output and "missing.db" in refused.output
    assert not missing.exists()
    refused = CliRunner().invoke(app, ["analytics", "recompute", "--database", "nonsense"])
    assert refused.exit_code == 2 and "database" in refused.output
    # A database without Lienmach's tables (this fixture's is still empty): nothing made.
    refused = _recompute(database, "--from-log")
    assert refused.exit_code == 2 and "database" in refused.output
