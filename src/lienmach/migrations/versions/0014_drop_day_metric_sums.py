"""The per-day-per-metric sums go: the single-day rows of ``analytics_rollups`` hold them.

Since 0009 upkeep wrote every amount twice, once as a (slice, day, metric) row of
``analytics_daily`` and once into the wide rows of its day and blocks; only a day's series
and the alert sweep still read the first. They now read the single-day wide rows, and upkeep
writes one table (ADR 0017).

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-27 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table("analytics_daily")


def downgrade() -> None:
    # Created empty: `lienmach analytics recompute` of the older release refills it.
    op.create_table(
        "analytics_daily",
        sa.Column("dimension", sa.String(12), nullable=False),
        sa.Column("value", sa.String(64), nullable=False),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("metric", sa.String(40), nullable=False),
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
