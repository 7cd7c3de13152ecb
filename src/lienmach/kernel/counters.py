"""Numbering series without gaps or duplicates, safe under concurrency on both databases."""

from __future__ import annotations

import functools

from sqlalchemy import Connection, bindparam

from lienmach.kernel.bulk import dialect_insert
from lienmach.kernel.prepared import Prepared, prepared
from lienmach.kernel.tables import counters


def next_number(connection: Connection, series: str) -> int:
    """The next number of ``series`` (1, 2, 3, ...), taken inside the caller's transaction.

    The row lock held until commit serialises concurrent takers; a rolled-back transaction
    gives its number back, so the series has no gaps.
    """
    return next_numbers(connection, series, 1)[0]


def next_numbers(connection: Connection, series: str, count: int) -> list[int]:
    """The next ``count`` numbers of ``series``, in one statement (see :func:`next_number`)."""
    if count <= 0:
        return []
    bump = _bump(connection.dialect.name)
    last = int(bump.run(connection, {"series": series, "count": count}).scalar_one())
    return list(range(last - count + 1, last + 1))


@functools.cache
def _bump(dialect: str) -> Prepared:
    """One upsert: the first taker creates the series at ``count``, later ones add ``count``
    under the row lock; returns the last number taken."""
    insert = dialect_insert(counters, dialect)
    statement = insert.values(series=bindparam("series"), value=bindparam("count"))
    return prepared(
        statement.on_conflict_do_update(
            index_elements=[counters.c.series],
            set_={"value": counters.c.value + statement.excluded.value},
        ).returning(counters.c.value)
    )
