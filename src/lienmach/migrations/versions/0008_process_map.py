"""The process map's maintained counts: activities, directly-follows edges with wait
histograms, each order's trace, and the variants.

A database upgraded with events already in its log rebuilds these with
``analytics.process_map_projector.rebuild_process_map``.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 02:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "process_map_activities",
        sa.Column("activity", sa.String(length=80), nullable=False),
        sa.Column("events", sa.BigInteger(), nullable=False),
        sa.Column("starting", sa.BigInteger(), nullable=False),
        sa.Column("ending", sa.BigInteger(), nullable=False),
        sa.Column("repeating", sa.BigInteger(), nullable=False),
        sa.Column("repeats", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("activity", name=op.f("pk_process_map_activities")),
    )
    op.create_table(
        "process_map_edges",
        sa.Column("source", sa.String(length=80), nullable=False),
        sa.Column("target", sa.String(length=80), nullable=False),
        sa.Column("transitions", sa.BigInteger(), nullable=False),
        sa.Column("loop_backs", sa.BigInteger(), nullable=False),
        sa.Column("wait_seconds", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("source", "target", name=op.f("pk_process_map_edges")),
    )
    op.create_table(
        "process_map_traces",
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("steps", _JSON, nullable=False),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_process_map_traces")),
    )
    op.create_table(
        "process_map_variants",
        sa.Column("variant", sa.String(length=40), nullable=False),
        sa.Column("activities", sa.Text(), nullable=False),
        sa.Column("orders", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("variant", name=op.f("pk_process_map_variants")),
    )
    op.create_index("ix_process_map_variants_orders", "process_map_variants", ["orders"])
    op.create_table(
        "process_map_waits",
        sa.Column("source", sa.String(length=80), nullable=False),
        sa.Column("target", sa.String(length=80), nullable=False),
        sa.Column("bucket", sa.Integer(), nullable=False),
        sa.Column("transitions", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("source", "target", "bucket", name=op.f("pk_process_map_waits")),
    )


def downgrade() -> None:
    op.drop_table("process_map_waits")
    op.drop_index("ix_process_map_variants_orders", table_name="process_map_variants")
    op.drop_table("process_map_variants")
    op.drop_table("process_map_traces")
    op.drop_table("process_map_edges")
    op.drop_table("process_map_activities")
