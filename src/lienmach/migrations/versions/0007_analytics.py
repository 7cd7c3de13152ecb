"""Measuring the chain: object attributes over time, per-object facts, day sums, cost model,
KPI targets and alerts; the event log becomes append-only (the database refuses changes).

A database upgraded with events already in its log starts with empty KPI state: rebuild it
from the log with ``analytics.services.recompute`` (the same fold the live upkeep uses).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 02:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

APPEND_ONLY = ("event_log", "event_objects")
_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "analytics_alerts",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("kpi", sa.String(length=30), nullable=False),
        sa.Column("dimension", sa.String(length=12), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("measured", sa.BigInteger(), nullable=False),
        sa.Column("threshold", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ticket_id", sa.String(length=40), nullable=True),
        sa.Column("open_key", sa.String(length=120), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analytics_alerts")),
        sa.UniqueConstraint("open_key", name=op.f("uq_analytics_alerts_open_key")),
    )
    op.create_table(
        "analytics_cost_rates",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_analytics_cost_rates")),
    )
    op.create_table(
        "analytics_daily",
        sa.Column("dimension", sa.String(length=12), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("metric", sa.String(length=40), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "dimension", "value", "day", "metric", name=op.f("pk_analytics_daily")
        ),
    )
    op.create_index(
        "ix_analytics_daily_dimension_day",
        "analytics_daily",
        ["dimension", "day", "value", "metric", "amount"],
    )
    op.create_table(
        "analytics_object_attributes",
        sa.Column("event_id", sa.String(length=32), nullable=False),
        sa.Column("object_type", sa.String(length=40), nullable=False),
        sa.Column("object_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "event_id",
            "object_type",
            "object_id",
            "name",
            name=op.f("pk_analytics_object_attributes"),
        ),
    )
    op.create_index(
        "ix_analytics_object_attributes_valid_from", "analytics_object_attributes", ["valid_from"]
    )
    op.create_table(
        "analytics_object_facts",
        sa.Column("object_type", sa.String(length=20), nullable=False),
        sa.Column("object_id", sa.String(length=64), nullable=False),
        sa.Column("facts", _JSON, nullable=False),
        sa.PrimaryKeyConstraint("object_type", "object_id", name=op.f("pk_analytics_object_facts")),
    )
    op.create_table(
        "analytics_seen_failures",
        sa.Column("key", sa.String(length=250), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_analytics_seen_failures")),
    )
    op.create_table(
        "analytics_targets",
        sa.Column("kpi", sa.String(length=30), nullable=False),
        sa.Column("threshold", sa.BigInteger(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("notify_email", sa.String(length=320), nullable=False),
        sa.Column("ticket_customer_id", sa.String(length=40), nullable=False),
        sa.Column("slice_by", sa.String(length=80), nullable=False),
        sa.Column("min_sample", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kpi", name=op.f("pk_analytics_targets")),
    )
    for statement in _guards(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table in APPEND_ONLY:
        if dialect == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        else:
            for verb in ("UPDATE", "DELETE"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only_{verb}")
    for table in (
        "analytics_targets",
        "analytics_seen_failures",
        "analytics_object_facts",
        "analytics_object_attributes",
        "analytics_daily",
        "analytics_cost_rates",
        "analytics_alerts",
    ):
        op.drop_table(table)


def _guards(dialect: str) -> list[str]:
    # Frozen copies of analytics.tables.append_only_ddl as of this revision.
    if dialect == "postgresql":
        return [
            "CREATE OR REPLACE FUNCTION lienmach_append_only() RETURNS trigger AS $$"
            " BEGIN RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME || ' is append-only'; END $$"
            " LANGUAGE plpgsql",
            *(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE"
                f" ON {table} FOR EACH STATEMENT EXECUTE FUNCTION lienmach_append_only()"
                for table in APPEND_ONLY
            ),
        ]
    return [
        f"CREATE TRIGGER {table}_append_only_{verb} BEFORE {verb} ON {table}"
        f" BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
        for table in APPEND_ONLY
        for verb in ("UPDATE", "DELETE")
    ]
