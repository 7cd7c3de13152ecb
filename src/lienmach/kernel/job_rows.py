"""The statements over the jobs table, built once: which jobs are due, how the runner claims
them (leases them to itself), and how it marks them done or releases them for a retry."""

from __future__ import annotations

from sqlalchemy import and_, bindparam, literal_column, select, update

from lienmach.kernel import bulk
from lienmach.kernel.prepared import prepared
from lienmach.kernel.tables import jobs

# Pending jobs whose time has come and running ones whose lease ran out (taking a job sets
# its ``available_at`` to the lease's end). The states written out, not bound, and the order
# by ``available_at``: only so do the planners walk the small index of unfinished jobs
# (``ix_jobs_due``) from its start instead of every finished job's index entries.
_DUE = and_(
    jobs.c.state.in_([literal_column("'pending'"), literal_column("'running'")]),
    jobs.c.available_at <= bindparam("now"),
)
ANY_DUE = prepared(select(jobs.c.id).where(_DUE).order_by(jobs.c.available_at).limit(1))
CLAIM = prepared(
    select(jobs.c.id, jobs.c.kind, jobs.c.payload, jobs.c.attempts)
    .where(_DUE)
    .order_by(jobs.c.available_at)
    .limit(bindparam("limit"))
    .with_for_update(skip_locked=True)
)
# Taken and finished jobs are marked in one statement each, run once on PostgreSQL
# (kernel.bulk). A taken job is due again when its lease ends.
TAKE = bulk.updating(
    jobs,
    ["id"],
    ["attempts", "locked_until", "available_at"],
    lambda update: update.values(state="running"),
)
# Only while we still hold the lease: same attempt, still running.
_CLAIMED_BY_US = update(jobs).where(
    jobs.c.id == bindparam("b_id"),
    jobs.c.state == "running",
    jobs.c.attempts == bindparam("b_attempts"),
)
# Done, as _CLAIMED_BY_US guards it: only the jobs still running in the attempt we took.
# The state goes with each row, not as a constant: PostgreSQL would otherwise read the
# running jobs through the partial index of unfinished ones, whose entries for finished
# jobs stay until vacuum.
FINISH = bulk.updating(
    jobs,
    ["id", "attempts", "state"],
    ["finished_at", "result"],
    lambda update: update.values(state="done", last_error=None),
)
RELEASE = prepared(
    _CLAIMED_BY_US.values(
        state=bindparam("b_state"),
        available_at=bindparam("b_available_at"),
        last_error=bindparam("b_error"),
    )
)
