"""The index of deliveries still to do, in the order a claim takes them (event id) and with
what it reads (subscriber, available_at, attempts): a claim takes the first due entries that
name its lane's subscribers instead of reading and sorting the whole backlog.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-27 21:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

PENDING = sa.text("state = 'pending'")


def upgrade() -> None:
    op.drop_index("ix_event_deliveries_pending", table_name="event_deliveries")
    op.create_index(
        "ix_event_deliveries_pending",
        "event_deliveries",
        ["event_id", "subscriber", "available_at", "attempts"],
        sqlite_where=PENDING,
        postgresql_where=PENDING,
    )


def downgrade() -> None:
    op.drop_index("ix_event_deliveries_pending", table_name="event_deliveries")
    op.create_index(
        "ix_event_deliveries_pending",
        "event_deliveries",
        ["subscriber", "available_at"],
        sqlite_where=PENDING,
        postgresql_where=PENDING,
    )
