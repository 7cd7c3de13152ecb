"""Many rows written by one statement that PostgreSQL runs once, whatever their number.

Given a list of rows, the driver sends an INSERT … ON CONFLICT or an UPDATE as one execution
per row (in a pipeline): PostgreSQL plans and runs each, and every row's values are bound one
by one. On PostgreSQL the rows here travel as one array per column, and ``unnest`` turns them
back into rows inside a single ``INSERT … SELECT`` or ``UPDATE … FROM`` (ADR 0017). SQLite
keeps one statement run for each row: there a row costs a function call, not a round trip.

Statements take their values as ``a_<column>`` parameters; :func:`parameters` shapes the
rows (dicts by column name) for the dialect. One statement changes a row once: rows given
together must not repeat a key that an ON CONFLICT DO UPDATE or an UPDATE would change twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Table, bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Update

__all__ = ["dialect_insert", "insert_rows", "parameters", "update_rows"]


def dialect_insert(table: Table, dialect: str) -> postgresql.Insert | sqlite.Insert:
    """The dialect's own INSERT, which has ``on_conflict_do_…``."""
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


def insert_rows(
    table: Table,
    names: Sequence[str],
    dialect: str,
    computed: Mapping[str, ColumnElement[Any]] | None = None,
) -> Any:
    """An INSERT of rows of ``names`` (add ``on_conflict_do_…`` as on any dialect insert);
    ``computed``: more columns, each set by an SQL expression evaluated in the statement."""
    computed = computed or {}
    if dialect != "postgresql":
        values = {name: _value(table, name) for name in names}
        return sqlite.insert(table).values({**values, **computed})
    rows = _unnested(table, names)
    return postgresql.insert(table).from_select(
        [*names, *computed], select(*(rows.c[name] for name in names), *computed.values())
    )


def update_rows(table: Table, keys: Sequence[str], names: Sequence[str], dialect: str) -> Update:
    """Set ``names`` of the row found by ``keys``, for each row given."""
    if dialect != "postgresql":
        return (
            update(table)
            .where(*(table.c[key] == _value(table, key) for key in keys))
            .values({name: _value(table, name) for name in names})
        )
    rows = _unnested(table, [*keys, *names])
    return (
        update(table)
        .where(*(table.c[key] == rows.c[key] for key in keys))
        .values({name: rows.c[name] for name in names})
    )


def parameters(
    dialect: str, rows: Sequence[Mapping[str, Any]], names: Sequence[str]
) -> dict[str, list[Any]] | list[dict[str, Any]]:
    """The rows as the statements above take them: one list per column on PostgreSQL (rows in
    order), one set of parameters per row elsewhere."""
    if dialect == "postgresql":
        return {f"a_{name}": [row[name] for row in rows] for name in names}
    return [{f"a_{name}": row[name] for name in names} for row in rows]


def _value(table: Table, name: str) -> Any:
    return bindparam(f"a_{name}", type_=table.c[name].type)


def _unnested(table: Table, names: Sequence[str]) -> Any:
    # One dimension: a JSON value that is itself a list is one item, not a nested array.
    arrays = [
        bindparam(f"a_{name}", type_=postgresql.ARRAY(table.c[name].type, dimensions=1))
        for name in names
    ]
    return func.unnest(*arrays).table_valued(*names).render_derived()
