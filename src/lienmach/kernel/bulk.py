"""Many rows written by one statement that PostgreSQL runs once, whatever their number.

Given a list of rows, the driver sends an INSERT … ON CONFLICT or an UPDATE as one execution
per row (in a pipeline): PostgreSQL plans and runs each, and every row's values are bound one
by one. On PostgreSQL the rows here travel as one array per column, and ``unnest`` turns them
back into rows inside a single ``INSERT … SELECT`` or ``UPDATE … FROM`` (ADR 0017). SQLite
keeps one statement run for each row: there a row costs a function call, not a round trip.

A :class:`ManyRows` takes the rows as dicts by column name and shapes them for the database it
runs on; a single row goes as a plain statement on either database. One statement changes a
row once: rows given together must not repeat a key that an ON CONFLICT DO UPDATE or an
UPDATE would change twice.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, Table, bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from lienmach.kernel.prepared import Prepared, prepared
from lienmach.kernel.rows import Rows

__all__ = ["ManyRows", "dialect_insert", "inserting", "updating"]

Finish = Callable[[Any], Any]


def dialect_insert(table: Table, dialect: str) -> postgresql.Insert | sqlite.Insert:
    """The dialect's own INSERT, which has ``on_conflict_do_…``."""
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


class ManyRows:
    """A statement writing many rows, built for each database the first time it runs there
    and prepared (kernel.prepared); run with the rows as dicts by column name.

    Two shapes: row by row (SQLite always; PostgreSQL for a single row, where it is one
    round trip anyway and its plan by key can be kept), and the arrays (PostgreSQL, many rows).
    """

    def __init__(self, names: Sequence[str], build: Callable[[str, bool], Any], *, renamed: bool):
        self.names = tuple(names)
        self._build = build
        self._renamed = renamed  # row by row, binds are ``a_<column>`` (an UPDATE's SET needs it)
        self._built: dict[tuple[str, bool], Prepared] = {}

    def run(self, connection: Connection, rows: Sequence[Mapping[str, Any]]) -> Rows:
        if not rows:
            nothing = Rows()
            nothing.rowcount = 0
            return nothing
        dialect = connection.dialect.name
        arrays = dialect == "postgresql" and len(rows) > 1
        statement = self._built.get((dialect, arrays))
        if statement is None:
            # Joined to a table by its keys, the arrays' best plan depends on their length and
            # the table's size: PostgreSQL plans each run (a kept generic plan, made while a
            # table was small, went on scanning all of it).
            statement = self._built[dialect, arrays] = prepared(
                self._build(dialect, arrays), plan_each_run=arrays and self._renamed
            )
        if arrays:  # one list per column, rows in order
            return statement.run(
                connection, {f"a_{name}": [row[name] for row in rows] for name in self.names}
            )
        if self._renamed:
            rows = [{f"a_{name}": row[name] for name in self.names} for row in rows]
        return statement.run(connection, rows[0] if len(rows) == 1 else list(rows))


def inserting(
    table: Table,
    names: Sequence[str],
    finish: Finish = lambda insert: insert,
    computed: Callable[[str], Mapping[str, ColumnElement[Any]]] | None = None,
) -> ManyRows:
    """An INSERT of rows of ``names``; ``finish`` adds to the dialect's insert (its
    ``on_conflict_do_…``, ``returning``); ``computed(dialect)``: more columns, each set by an
    SQL expression evaluated in the statement."""

    def build(dialect: str, arrays: bool) -> Any:
        extra = dict(computed(dialect)) if computed else {}
        insert = dialect_insert(table, dialect)
        if not arrays:  # binds named as the columns, rows given as they are
            return finish(insert.values(extra) if extra else insert)
        rows = _unnested(table, names)
        return finish(
            insert.from_select(
                [*names, *extra], select(*(rows.c[name] for name in names), *extra.values())
            )
        )

    return ManyRows(names, build, renamed=False)


def updating(
    table: Table, keys: Sequence[str], names: Sequence[str], finish: Finish = lambda u: u
) -> ManyRows:
    """Set ``names`` of the row found by ``keys``, for each row given; ``finish`` adds to the
    UPDATE (more conditions, constant values)."""

    def build(dialect: str, arrays: bool) -> Any:
        if not arrays:
            return finish(
                update(table)
                .where(*(table.c[key] == _value(table, key) for key in keys))
                .values({name: _value(table, name) for name in names})
            )
        rows = _unnested(table, [*keys, *names])
        return finish(
            update(table)
            .where(*(table.c[key] == rows.c[key] for key in keys))
            .values({name: rows.c[name] for name in names})
        )

    return ManyRows([*keys, *names], build, renamed=True)


def _value(table: Table, name: str) -> Any:
    return bindparam(f"a_{name}", type_=table.c[name].type)


def _unnested(table: Table, names: Sequence[str]) -> Any:
    # One dimension: a JSON value that is itself a list is one item, not a nested array.
    arrays = [
        bindparam(f"a_{name}", type_=postgresql.ARRAY(table.c[name].type, dimensions=1))
        for name in names
    ]
    return func.unnest(*arrays).table_valued(*names).render_derived()
