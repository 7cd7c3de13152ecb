"""The (state, available_at) index of deliveries gives way to one of the dead deliveries only.

Without statistics SQLite chose it for the bus's lane lookups over the partial index of
pending deliveries (0010) and walked past the other lane's whole backlog on every look.
What it served besides is the list of dead deliveries, which a small partial index serves.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_event_deliveries_state_available", table_name="event_deliveries")
    op.create_index(
        "ix_event_deliveries_dead",
        "event_deliveries",
        ["event_id"],
        sqlite_where=sa.text("state = 'dead'"),
        postgresql_where=sa.text("state = 'dead'"),
    )


def downgrade() -> None:
    op.drop_index("ix_event_deliveries_dead", table_name="event_deliveries")
    op.create_index(
        "ix_event_deliveries_state_available", "event_deliveries", ["state", "available_at"]
    )
