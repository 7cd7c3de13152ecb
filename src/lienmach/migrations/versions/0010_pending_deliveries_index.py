"""An index of the deliveries still to do, by subscriber, so each lane of the bus finds its own
work without walking past the other lane's backlog.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26 06:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_event_deliveries_pending",
        "event_deliveries",
        ["subscriber", "available_at"],
        sqlite_where=sa.text("state = 'pending'"),
        postgresql_where=sa.text("state = 'pending'"),
    )


def downgrade() -> None:
    op.drop_index("ix_event_deliveries_pending", table_name="event_deliveries")
