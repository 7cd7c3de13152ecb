"""What the analytics keep (day sums, per-object facts, attribute history), as comparable sets:
equal before and after a recompute means the live upkeep and the recompute agree."""

from __future__ import annotations

from sqlalchemy import select

from lienmach.analytics.tables import daily, object_attributes, object_facts
from lienmach.kernel.runtime import Runtime


def derived_state(runtime: Runtime) -> tuple[set[tuple[object, ...]], ...]:
    with runtime.engine.connect() as connection:
        sums = {tuple(row) for row in connection.execute(select(daily)) if row.amount != 0}
        facts = {
            (row.object_type, row.object_id, str(sorted(row.facts.items())))
            for row in connection.execute(select(object_facts))
        }
        attributes = {tuple(row) for row in connection.execute(select(object_attributes))}
    return sums, facts, attributes
