"""What the analytics keep (day sums, per-object facts, attribute history), as comparable sets:
equal before and after a recompute means the live upkeep and the recompute agree."""

from __future__ import annotations

from sqlalchemy import Connection, select

from lienmach.analytics.rollups import COLUMN_OF, METRICS
from lienmach.analytics.tables import object_attributes, object_facts, rollups
from lienmach.kernel.runtime import Runtime


def day_sums(connection: Connection) -> set[tuple[str, str, str, str, int]]:
    """Every (dimension, value, day, metric, amount) not zero, from the single-day rows."""
    columns = [rollups.c[COLUMN_OF[metric]] for metric in METRICS]
    found = set()
    for row in connection.execute(
        select(rollups.c.dimension, rollups.c.value, rollups.c.start, *columns).where(
            rollups.c.span == 1
        )
    ):
        dimension, value, day, *amounts = row
        found.update(
            (dimension, value, day, metric, int(amount))
            for metric, amount in zip(METRICS, amounts, strict=True)
            if amount
        )
    return found


def derived_state(runtime: Runtime) -> tuple[set[tuple[object, ...]], ...]:
    with runtime.engine.connect() as connection:
        sums: set[tuple[object, ...]] = set(day_sums(connection))
        blocks = {tuple(row) for row in connection.execute(select(rollups)) if any(row[4:])}
        facts = {
            (row.object_type, row.object_id, str(sorted(row.facts.items())))
            for row in connection.execute(select(object_facts))
        }
        attributes = {tuple(row) for row in connection.execute(select(object_attributes))}
    return sums, blocks, facts, attributes
