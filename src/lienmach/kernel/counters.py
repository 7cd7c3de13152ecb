"""Numbering series without gaps or duplicates, safe under concurrency on both databases."""

from __future__ import annotations

from sqlalchemy import Connection, update

from lienmach.kernel.db import insert_ignoring_duplicates
from lienmach.kernel.tables import counters


def next_number(connection: Connection, series: str) -> int:
    """The next number of ``series`` (1, 2, 3, ...), taken inside the caller's transaction.

    The row lock held until commit serialises concurrent takers; a rolled-back transaction
    gives its number back, so the series has no gaps.
    """
    insert_ignoring_duplicates(connection, counters, {"series": series, "value": 0})
    value = connection.execute(
        update(counters)
        .where(counters.c.series == series)
        .values(value=counters.c.value + 1)
        .returning(counters.c.value)
    ).scalar_one()
    return int(value)
