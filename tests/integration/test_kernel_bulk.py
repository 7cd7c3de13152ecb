"""Many rows in one statement (kernel.bulk): the same rows as one INSERT or UPDATE per row
would write, on both databases, and on PostgreSQL one statement however many rows."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from lienmach.kernel import bulk
from lienmach.kernel.db import JsonColumn

pytestmark = pytest.mark.integration

meta = sa.MetaData()
tallies = sa.Table(
    "bulk_tallies",
    meta,
    sa.Column("name", sa.String(20), primary_key=True),
    sa.Column("day", sa.String(10), primary_key=True),
    sa.Column("count", sa.BigInteger, nullable=False),
    sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("steps", JsonColumn, nullable=False),
)
NAMES = ("name", "day", "count", "seen_at", "steps")
AT = datetime(2026, 11, 27, 8, 30, 15, 123456, tzinfo=UTC)


ADDING = bulk.inserting(
    tallies,
    NAMES,
    lambda insert: insert.on_conflict_do_update(
        index_elements=["name", "day"],
        set_={"count": tallies.c.count + insert.excluded["count"]},
    ),
)
SETTING_STEPS = bulk.updating(tallies, ["name", "day"], ["steps"])


def _rows(n: int, count: int) -> list[dict[str, Any]]:
    return [
        {
            "name": f"edge-{i:03d}",
            "day": "2026-11-27",
            "count": count,
            "seen_at": AT + timedelta(seconds=i),
            # A list of lists: one JSON value, not a nested array.
            "steps": [["E1", "OrderPlaced", i], ["E2", "Ghi chú: đã giao", 2 * i]],
        }
        for i in range(n)
    ]


def _table(connection: sa.Connection) -> dict[str, tuple[int, datetime, Any]]:
    rows = connection.execute(sa.select(tallies).order_by(tallies.c.name)).all()
    return {
        row.name: (row.count, row.seen_at.replace(tzinfo=UTC), row.steps)  # SQLite: naive UTC
        for row in rows
    }


def test_rows_go_in_added_and_updated_as_one_statement_per_row_would(database) -> None:  # type: ignore[no-untyped-def]
    engine = database.engine
    meta.create_all(engine)
    dialect = engine.dialect.name
    statements: list[str] = []

    def seen(*args: Any) -> None:
        statements.append(str(args[2]))

    sa.event.listen(engine, "before_cursor_execute", seen)
    try:
        with engine.begin() as connection:
            ADDING.run(connection, _rows(300, 2))
            ADDING.run(connection, _rows(150, 5))
            changed = [
                {"name": f"edge-00{i}", "day": "2026-11-27", "steps": [["E9", "X", i]]}
                for i in (7, 8)
            ]
            SETTING_STEPS.run(connection, changed)
            # A single row goes as a plain statement.
            SETTING_STEPS.run(connection, [{**changed[1], "steps": [["E10", "Y", 8]]}])
            ADDING.run(connection, _rows(1, 10))
            assert SETTING_STEPS.run(connection, []).rowcount == 0
        with engine.connect() as connection:
            found = _table(connection)
    finally:
        sa.event.remove(engine, "before_cursor_execute", seen)
        meta.drop_all(engine)

    assert len(found) == 300
    assert found["edge-000"] == (17, AT, [["E1", "OrderPlaced", 0], ["E2", "Ghi chú: đã giao", 0]])
    assert found["edge-149"][0] == 7 and found["edge-150"][0] == 2
    assert found["edge-299"][1] == AT + timedelta(seconds=299)
    assert found["edge-007"][2] == [["E9", "X", 7]]
    assert found["edge-008"][2] == [["E10", "Y", 8]]
    if dialect == "postgresql":
        # Two upserts and an update of many rows: three statements for 452 rows, then a
        # plain update and upsert of one row each.
        written = [s for s in statements if s.startswith(("INSERT", "UPDATE"))]
        assert ["unnest" in s for s in written] == [True, True, True, False, False]


# What an array's text format has to quote or escape: the binary format carries them as they
# are, and each must come back the same.
AWKWARD = [
    'quote " and backslash \\ inside',
    "NULL",
    "{braces, and commas}",
    "",
    "đơn hàng giao thất bại — khách không nghe máy",
    "tab\tand\nnewline",
]


def test_awkward_values_in_many_rows_come_back_as_they_were_given(database) -> None:  # type: ignore[no-untyped-def]
    engine = database.engine
    meta.create_all(engine)
    statements: list[str] = []

    def seen(*args: Any) -> None:
        statements.append(str(args[2]))

    rows = [
        {
            "name": f"awkward-{i}",
            "day": text[:10],
            "count": 2**40 + i,  # past 32 bits: the array is bigint, not int
            "seen_at": AT - timedelta(days=i),
            "steps": {"text": text, "nested": [text, None, {"k": '"'}], "n": i},
        }
        for i, text in enumerate(AWKWARD)
    ]
    sa.event.listen(engine, "before_cursor_execute", seen)
    try:
        with engine.begin() as connection:
            ADDING.run(connection, rows)
        with engine.connect() as connection:
            found = _table(connection)
    finally:
        sa.event.remove(engine, "before_cursor_execute", seen)
        meta.drop_all(engine)

    assert found == {row["name"]: (row["count"], row["seen_at"], row["steps"]) for row in rows}
    if engine.dialect.name == "postgresql":
        # One statement, its arrays in the driver's binary format.
        (insert,) = [s for s in statements if s.startswith("INSERT")]
        assert "%(a_steps)b" in insert and "%(a_name)b" in insert
        assert not re.search(r"%\(\w+\)s", insert)
