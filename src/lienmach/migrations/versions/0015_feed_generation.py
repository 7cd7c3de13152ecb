"""The projections' feed counts every transaction that changes what they keep.

``event_feeds.generation`` goes up by one with each feed batch and with anything else that
changes the projections' rows (a retried delivery, a recompute). A worker keeps the facts and
traces it last wrote in memory for as long as the generation is the one it wrote (ADR 0020).

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-27 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "event_feeds",
        sa.Column("generation", sa.BigInteger(), nullable=False, server_default=sa.text("0")),
    )


def downgrade() -> None:
    with op.batch_alter_table("event_feeds") as batch:
        batch.drop_column("generation")
