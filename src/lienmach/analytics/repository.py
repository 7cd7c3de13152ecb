"""Storage of analytics: object facts, per-day-per-slice sums, attribute rows."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, delete, select

from lienmach.analytics.model import Facts, SumKey
from lienmach.analytics.rollups import COLUMN_OF, rolled_up
from lienmach.analytics.tables import object_attributes, object_facts, rollups
from lienmach.kernel import bulk, feed
from lienmach.kernel.prepared import prepared

_LOAD_FACTS = prepared(
    select(object_facts.c.facts).where(
        and_(
            object_facts.c.object_type == bindparam("object_type"),
            object_facts.c.object_id == bindparam("object_id"),
        )
    )
)
# The rows of several objects, locked: an IN list per column (SQLite scans the table for a
# row-value IN), so it may find pairs nobody asked for, which the caller drops.
_LOCK_MANY_FACTS = prepared(
    select(object_facts.c.object_type, object_facts.c.object_id, object_facts.c.facts)
    .where(
        object_facts.c.object_type.in_(bindparam("object_types", expanding=True)),
        object_facts.c.object_id.in_(bindparam("object_ids", expanding=True)),
    )
    .order_by(object_facts.c.object_type, object_facts.c.object_id)
    .with_for_update()
)


# The sums and attribute rows of a batch go in one statement each; on PostgreSQL as one array
# per column (kernel.bulk), which it runs once instead of once per row.
_ROLLUP_COLUMNS = ("dimension", "value", "span", "start", *COLUMN_OF.values())
_FACT_COLUMNS = ("object_type", "object_id", "facts")
_ATTRIBUTE_COLUMNS = ("event_id", "object_type", "object_id", "name", "value", "valid_from")


_ADD_TO_ROLLUPS = bulk.inserting(
    rollups,
    _ROLLUP_COLUMNS,
    lambda insert: insert.on_conflict_do_update(
        index_elements=["dimension", "span", "start", "value"],
        set_={name: rollups.c[name] + insert.excluded[name] for name in COLUMN_OF.values()},
    ),
)


_ZEROS = dict.fromkeys(COLUMN_OF.values(), 0)


def _rollup_rows(sums: Mapping[SumKey, int]) -> list[dict[str, Any]]:
    # Each row starts as a copy of the zeros and takes the few amounts it has: cheaper than
    # looking up all 75 columns in each row's amounts.
    rows = []
    for (dimension, value, span, start), amounts in sorted(rolled_up(sums).items()):
        row = {"dimension": dimension, "value": value, "span": span, "start": start, **_ZEROS}
        row.update(amounts)
        rows.append(row)
    return rows


_SAVE_FACTS = bulk.inserting(
    object_facts,
    _FACT_COLUMNS,
    lambda insert: insert.on_conflict_do_update(
        index_elements=["object_type", "object_id"], set_={"facts": insert.excluded.facts}
    ),
)


# Created and locked in one statement; a row another worker created meanwhile is returned
# as it is.
_CREATE_AND_LOCK_FACTS = bulk.inserting(
    object_facts,
    _FACT_COLUMNS,
    lambda insert: insert.on_conflict_do_update(
        index_elements=["object_type", "object_id"], set_={"facts": object_facts.c.facts}
    ).returning(object_facts.c.object_type, object_facts.c.object_id, object_facts.c.facts),
)


def load_facts(connection: Connection, object_type: str, object_id: str) -> Facts:
    """The object's facts, its row locked until commit (two workers never fold one object at
    once: the second waits and folds into the first one's result)."""
    parameters = {"object_type": object_type, "object_id": object_id, "facts": {}}
    found = _CREATE_AND_LOCK_FACTS.run(connection, [parameters]).one().facts
    return dict(found) if found else {}


def load_many_facts(
    connection: Connection,
    owners: Collection[tuple[str, str]],
    kept: dict[Any, Any] | None = None,
) -> dict[tuple[str, str], Facts]:
    """The facts of several objects, their rows locked until commit as :func:`load_facts`
    does; an object without a row is given an empty one. Facts in ``kept`` (rows this
    process wrote, still current: ``UnitOfWork.kept``) are taken from there, unread."""
    return feed.kept_or_read(
        kept, _FACTS, sorted(set(owners)), lambda missing: _lock_many_facts(connection, missing)
    )


def _lock_many_facts(
    connection: Connection, wanted: list[tuple[str, str]]
) -> dict[tuple[str, str], Facts]:
    rows = _LOCK_MANY_FACTS.run(
        connection,
        {
            "object_types": sorted({object_type for object_type, _ in wanted}),
            "object_ids": sorted({object_id for _, object_id in wanted}),
        },
    )
    found = {(row.object_type, row.object_id): dict(row.facts or {}) for row in rows}
    missing = [owner for owner in wanted if owner not in found]
    if missing and connection.dialect.name == "sqlite":
        # One writer at a time: a missing row is no one's yet, and saving it inserts it. (The
        # read may be outside the write lock, where it must not write: kernel.bus.)
        found.update((owner, {}) for owner in missing)
    elif missing:
        empty = [
            {"object_type": object_type, "object_id": object_id, "facts": {}}
            for object_type, object_id in missing
        ]
        created = _CREATE_AND_LOCK_FACTS.run(connection, empty)
        found.update({(row.object_type, row.object_id): dict(row.facts or {}) for row in created})
    return {owner: found[owner] for owner in wanted}


def read_facts(connection: Connection, object_type: str, object_id: str) -> Facts:
    found = _LOAD_FACTS.run(
        connection, {"object_type": object_type, "object_id": object_id}
    ).scalar_one_or_none()
    return dict(found) if found else {}


def save_facts(connection: Connection, object_type: str, object_id: str, facts: Facts) -> None:
    save_many_facts(connection, {(object_type, object_id): facts})


_FACTS = "analytics.facts"  # their key in ``UnitOfWork.kept``


def keep_facts(kept: dict[Any, Any] | None, facts: Mapping[tuple[str, str], Facts]) -> None:
    """Remember facts as stored now (they must not be changed in place afterwards)."""
    feed.keep(kept, _FACTS, facts)


def save_many_facts(connection: Connection, facts: Mapping[tuple[str, str], Facts]) -> None:
    """Store the facts of several objects in one statement."""
    if facts:
        rows = [
            {"object_type": object_type, "object_id": object_id, "facts": value}
            for (object_type, object_id), value in sorted(facts.items())
        ]
        _SAVE_FACTS.run(connection, rows)


def add_to_sums(connection: Connection, delta: Mapping[SumKey, int]) -> None:
    """Add (slice, day, metric) amounts to the rows of their day and of the blocks holding it."""
    add_rollup_rows(connection, rollup_rows(delta))


def rollup_rows(delta: Mapping[SumKey, int]) -> list[dict[str, Any]]:
    """The rows :func:`add_rollup_rows` adds for (slice, day, metric) amounts."""
    return _rollup_rows(delta) if delta else []


def add_rollup_rows(connection: Connection, rows: list[dict[str, Any]]) -> None:
    # Keys in order, each once: rows are locked in one order, and changed once per statement.
    if rows:
        _ADD_TO_ROLLUPS.run(connection, rows)


def write_sums(connection: Connection, sums: Mapping[SumKey, int]) -> int:
    """Write recomputed sums (their day and block rows) into the emptied table; returns how
    many (slice, day, metric) sums are not zero."""
    kept = {key: n for key, n in sums.items() if n != 0}
    insert_many(connection, rollups, _rollup_rows(kept))
    return len(kept)


def forget_sums(connection: Connection) -> None:
    """Empty the sums (day and block rows) before they are recomputed."""
    connection.execute(delete(rollups))


def record_attributes(
    connection: Connection, attributes: Sequence[tuple[str, datetime, str, str, str, str]]
) -> None:
    """Record (event id, valid from, object type, object id, attribute, value) rows in one
    statement; a row recorded before is left as it is."""
    if attributes:
        rows = [
            {
                "event_id": event_id,
                "object_type": object_type,
                "object_id": object_id,
                "name": name,
                "value": value,
                "valid_from": at,
            }
            for event_id, at, object_type, object_id, name, value in attributes
        ]
        _RECORD_ATTRIBUTES.run(connection, rows)


# INSERT … ON CONFLICT DO NOTHING without RETURNING: nobody counts the rows.
_RECORD_ATTRIBUTES = bulk.inserting(
    object_attributes, _ATTRIBUTE_COLUMNS, lambda insert: insert.on_conflict_do_nothing()
)


def forget_everything(connection: Connection) -> None:
    """Empty the derived tables before a recompute."""
    for table in (rollups, object_facts, object_attributes):
        connection.execute(delete(table))


def insert_many(connection: Connection, table: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), 5000):
        connection.execute(table.insert(), rows[start : start + 5000])
