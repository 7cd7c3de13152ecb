"""Projections read the log through a feed instead of one delivery row per event.

Each event records the transaction that wrote it (``event_log.xact_id``), so the log can be
read in commit order; ``event_feeds`` holds how far each feed has read (ADR 0015). Events
already in the log count as read: their projection deliveries, pending or done, are still
handled by the bus's delivery lane, so none is folded twice.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-27 01:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN on both databases: rebuilding the table (batch mode) would drop the
    # triggers that keep the log append-only (0007).
    op.add_column(
        "event_log",
        sa.Column("xact_id", sa.BigInteger(), nullable=False, server_default=sa.text("0")),
    )
    op.create_index("ix_event_log_feed", "event_log", ["xact_id", "id"])
    feeds = op.create_table(
        "event_feeds",
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("xact_id", sa.BigInteger(), nullable=False),
        sa.Column("event_id", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_event_feeds")),
    )
    last = op.get_bind().execute(sa.text("SELECT max(id) FROM event_log")).scalar()
    op.bulk_insert(feeds, [{"name": "projections", "xact_id": 0, "event_id": last or ""}])


def downgrade() -> None:
    op.drop_table("event_feeds")
    op.drop_index("ix_event_log_feed", table_name="event_log")
    op.drop_column("event_log", "xact_id")
