"""A rebuild from the log while upkeep is behind: the rebuild takes the log up to where the
projections' feed can read and moves the feed there, so upkeep goes on after it (not over the
same events again), and the KPIs and the map end as a fresh recompute gives them."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from lienmach.analytics.process_map_queries import process_map, recompute_process_map
from lienmach.analytics.recompute import run_recompute
from lienmach.analytics.services import recompute
from lienmach.kernel import feed
from lienmach.kernel.runtime import Runtime
from lienmach.kernel.tables import event_deliveries
from tests.analytics_state import derived_state
from tests.factories import order_of, seed_company
from tests.steps import pick_and_pack

pytestmark = pytest.mark.integration


def _rebuild_from_log(runtime: Runtime) -> dict[str, int]:
    return run_recompute(
        runtime.engine, from_log=True, start=lambda _name, _total: None, advance=_ignore
    )


def _ignore(_task: Any, _done: int) -> None:
    return None


def test_a_rebuild_while_upkeep_lags_moves_the_feed_and_upkeep_goes_on_after_it(
    runtime: Runtime,
) -> None:
    company = seed_company(runtime)
    shirt = company.products["AO-001"]
    pick_and_pack(runtime, order_of(runtime, company.customers["Lan"], {shirt: 1}))

    # Upkeep falls behind: orders move on while no one runs the projections.
    runtime.inline_drain = False
    second = order_of(runtime, company.customers["Minh"], {shirt: 2})
    runtime.bus.process_batch(runtime.engine, runtime.clock)  # the journey only
    with runtime.engine.connect() as connection:
        behind = feed.lag(connection)
    assert behind > 0

    _rebuild_from_log(runtime)
    with runtime.engine.connect() as connection:
        assert feed.lag(connection) == 0  # the rebuild took in what the feed had not read

    runtime.inline_drain = True
    pick_and_pack(runtime, second)
    runtime.drain()

    rebuilt_then_upkept = derived_state(runtime), runtime.read(process_map)
    assert rebuilt_then_upkept[1] == runtime.read(recompute_process_map)
    runtime.run(recompute)
    assert derived_state(runtime) == rebuilt_then_upkept[0]
    with runtime.engine.connect() as connection:
        states = set(connection.execute(select(event_deliveries.c.state)).scalars())
    assert states == {"done"}
