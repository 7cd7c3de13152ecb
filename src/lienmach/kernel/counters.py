"""Numbering series without gaps or duplicates, safe under concurrency on both databases."""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite

from lienmach.kernel.tables import counters


def next_number(connection: Connection, series: str) -> int:
    """The next number of ``series`` (1, 2, 3, ...), taken inside the caller's transaction.

    The row lock held until commit serialises concurrent takers; a rolled-back transaction
    gives its number back, so the series has no gaps.
    """
    bump = _bump(connection.dialect.name)
    return int(connection.execute(bump, {"series": series, "value": 1}).scalar_one())


@functools.cache
def _bump(dialect: str) -> Any:
    """One upsert: the first taker creates the series at 1, later ones add 1 under the row lock."""
    insert = postgresql.insert(counters) if dialect == "postgresql" else sqlite.insert(counters)
    return insert.on_conflict_do_update(
        index_elements=[counters.c.series], set_={"value": counters.c.value + 1}
    ).returning(counters.c.value)
