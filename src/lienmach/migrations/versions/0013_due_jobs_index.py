"""Jobs are claimed through an index of the unfinished ones; no index on the state alone.

The claim looked for pending jobs through (state, available_at) and for expired leases
through state alone, then sorted: on PostgreSQL a bitmap scan that visits every index entry
a finished job left behind until vacuum comes (~2 ms a claim in the journey benchmark), and
the generic plan that marks one job done took that index over the primary key. Now a taken
job's ``available_at`` is its lease's end, the claim walks a partial index of the unfinished
jobs by ``available_at``, soonest first, and a small partial index serves the dead jobs.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-27 08:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_UNFINISHED = "state IN ('pending', 'running')"


def upgrade() -> None:
    # Jobs running now are due again when their lease ends, as before.
    op.execute(
        "UPDATE jobs SET available_at = locked_until"
        " WHERE state = 'running' AND locked_until IS NOT NULL"
    )
    op.drop_index("ix_jobs_state_available", table_name="jobs")
    op.create_index(
        "ix_jobs_due",
        "jobs",
        ["available_at"],
        sqlite_where=sa.text(_UNFINISHED),
        postgresql_where=sa.text(_UNFINISHED),
    )
    op.create_index(
        "ix_jobs_dead",
        "jobs",
        ["id"],
        sqlite_where=sa.text("state = 'dead'"),
        postgresql_where=sa.text("state = 'dead'"),
    )


def downgrade() -> None:
    op.drop_index("ix_jobs_dead", table_name="jobs")
    op.drop_index("ix_jobs_due", table_name="jobs")
    op.create_index("ix_jobs_state_available", "jobs", ["state", "available_at"])
