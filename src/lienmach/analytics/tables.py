"""Analytics tables: object attributes over time, per-object facts, per-day-per-slice sums,
the cost model, KPI targets and alerts; and the append-only guard of the event log."""

from __future__ import annotations

from sqlalchemy import (
    DDL,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    event,
)

from lienmach.analytics.rollups import COLUMN_OF
from lienmach.kernel.db import JsonColumn, metadata
from lienmach.kernel.tables import event_log, event_objects

# One row per attribute value an object took, from the event that gave it (insert only).
object_attributes = Table(
    "analytics_object_attributes",
    metadata,
    Column("event_id", String(32), nullable=False),
    Column("object_type", String(40), nullable=False),
    Column("object_id", String(64), nullable=False),
    Column("name", String(40), nullable=False),
    Column("value", String(200), nullable=False),
    Column("valid_from", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("event_id", "object_type", "object_id", "name"),
    Index("ix_analytics_object_attributes_valid_from", "valid_from"),
)

# What analytics knows of one order (or an order-less ticket or error), folded from its events
# in any order; its contribution to the sums (``rollups``) is a function of this alone.
object_facts = Table(
    "analytics_object_facts",
    metadata,
    Column("object_type", String(20), nullable=False),
    Column("object_id", String(64), nullable=False),
    Column("facts", JsonColumn, nullable=False),
    PrimaryKeyConstraint("object_type", "object_id"),
)

# The KPI sums: one row per slice and block of ``span`` days (1, 7 or 28) from ``start``
# (days in Asia/Ho_Chi_Minh), a column per metric (analytics/rollups.py). Every KPI is read from
# these alone: a day's series from the single-day rows, a window from one row per value and
# block (ADR 0011; the per-day-per-metric rows of ADR 0010 are gone, ADR 0017).
rollups = Table(
    "analytics_rollups",
    metadata,
    Column("dimension", String(12), nullable=False),
    Column("value", String(64), nullable=False),
    Column("span", Integer, nullable=False),
    Column("start", String(10), nullable=False),
    *(Column(name, BigInteger, nullable=False, default=0) for name in COLUMN_OF.values()),
    # Slice tables read one dimension over a range of blocks, every value at once: in key
    # order, and on SQLite in the table's own b-tree (no second lookup per row).
    PrimaryKeyConstraint("dimension", "span", "start", "value"),
    Index("ix_analytics_rollups_slice", "dimension", "value", "span", "start"),
    sqlite_with_rowid=False,
)


cost_rates = Table(
    "analytics_cost_rates",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("value", Integer, nullable=False),
)

targets = Table(
    "analytics_targets",
    metadata,
    Column("kpi", String(30), primary_key=True),
    Column("threshold", BigInteger, nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("notify_email", String(320), nullable=False, default=""),
    # Corrective tickets are opened for this (internal) customer; empty: no ticket.
    Column("ticket_customer_id", String(40), nullable=False, default=""),
    # Dimensions whose every value is watched too, comma separated ("carrier,province").
    Column("slice_by", String(80), nullable=False, default=""),
    Column("min_sample", Integer, nullable=False, default=1),
)

alerts = Table(
    "analytics_alerts",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("kpi", String(30), nullable=False),
    Column("dimension", String(12), nullable=False),
    Column("value", String(64), nullable=False),
    Column("stage", String(20), nullable=False),
    Column("measured", BigInteger, nullable=False),
    Column("threshold", BigInteger, nullable=False),
    Column("state", String(8), nullable=False),  # open | closed
    Column("raised_at", DateTime(timezone=True), nullable=False),
    Column("closed_at", DateTime(timezone=True)),
    Column("ticket_id", String(40)),
    # Equal to "kpi|dimension|value" while open, NULL once closed: one open alert per breach.
    Column("open_key", String(120), unique=True),
    Column("note", Text, nullable=False, default=""),
)

# Dead deliveries and jobs already turned into AutomationFailed events.
seen_failures = Table(
    "analytics_seen_failures",
    metadata,
    Column("key", String(250), primary_key=True),
)

# The event log is append-only: the databases themselves refuse to change or remove a row.
_SQLITE_GUARD = """
CREATE TRIGGER {table}_append_only_{verb} BEFORE {verb} ON {table}
BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END
"""
_POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION lienmach_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME || ' is append-only'; END $$
LANGUAGE plpgsql
"""
_POSTGRES_GUARD = """
CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON {table}
FOR EACH STATEMENT EXECUTE FUNCTION lienmach_append_only()
"""


def append_only_ddl(table_name: str, dialect: str) -> list[str]:
    """The statements that make ``table_name`` refuse UPDATE and DELETE (migrations use them)."""
    if dialect == "postgresql":
        return [_POSTGRES_FUNCTION, _POSTGRES_GUARD.format(table=table_name)]
    return [_SQLITE_GUARD.format(table=table_name, verb=verb) for verb in ("UPDATE", "DELETE")]


for _table in (event_log, event_objects):
    for _dialect in ("sqlite", "postgresql"):
        for _statement in append_only_ddl(_table.name, _dialect):
            event.listen(
                _table,
                "after_create",
                DDL(_statement).execute_if(dialect=_dialect),  # type: ignore[no-untyped-call]
            )
