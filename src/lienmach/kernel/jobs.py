"""Jobs: external I/O (carriers, e-mail, SMS, gateways) done outside business transactions.

A handler records a job with an idempotency key inside its transaction. A runner claims due
jobs (``SKIP LOCKED`` on PostgreSQL), performs the I/O with a timeout, then records the result
and marks the job done in one transaction. A job whose worker died is reclaimed once its lock
expires; the remote side is called again with the same idempotency key.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, Engine, and_, bindparam, or_, select, update

from lienmach.kernel.bus import retry_delay
from lienmach.kernel.clock import Clock
from lienmach.kernel.db import read_connection
from lienmach.kernel.tables import jobs
from lienmach.kernel.uow import UnitOfWork

RECORD_EVERY_SECONDS = 0.05
Perform = Callable[[Mapping[str, Any]], Mapping[str, Any]]
Record = Callable[[UnitOfWork, Mapping[str, Any], Mapping[str, Any]], None]


@dataclass(frozen=True)
class JobKind:
    """What a kind of job does: ``perform`` the I/O, then ``record`` its result."""

    name: str
    perform: Perform
    record: Record | None = None
    timeout_seconds: float = 60.0
    max_attempts: int = 8


@dataclass(frozen=True)
class _Claimed:
    id: str
    kind: str
    payload: Mapping[str, Any]
    attempts: int


class JobRunner:
    """Claims due jobs and performs their I/O side by side in a small thread pool; outcomes
    are recorded as they arrive, all that have arrived so far in one transaction."""

    def __init__(self, kinds: Mapping[str, JobKind], *, io_threads: int = 8) -> None:
        self.kinds = dict(kinds)
        self.io_threads = io_threads
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()

    def run_due(
        self,
        engine: Engine,
        clock: Clock,
        open_uow: Callable[[str], UnitOfWork],
        *,
        limit: int = 50,
    ) -> int:
        """Claim and run up to ``limit`` due jobs; returns how many were run."""
        if not has_due_jobs(engine, clock):
            return 0
        claimed = self._claim(engine, clock, limit)
        if not claimed:
            return 0
        pending: dict[Future[Mapping[str, Any] | Exception], _Claimed] = {
            self._executor().submit(self._perform, job): job for job in claimed
        }
        # A slow remote side delays only its own job: what has finished is recorded within
        # RECORD_EVERY_SECONDS, all of it in one transaction, so a killed worker repeats at
        # most the I/O of that moment.
        while pending:
            finished, _ = wait(pending, timeout=RECORD_EVERY_SECONDS)
            if not finished:
                continue
            jobs_done = [pending.pop(future) for future in finished]
            self._record(clock, open_uow, jobs_done, [future.result() for future in finished])
        return len(claimed)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def _executor(self) -> ThreadPoolExecutor:
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.io_threads, thread_name_prefix="lienmach-io")
            return self._pool

    def _claim(self, engine: Engine, clock: Clock, limit: int) -> list[_Claimed]:
        with engine.connect() as connection, connection.begin():
            now = clock.now()
            rows = connection.execute(_CLAIM, {"now": now, "limit": limit}).all()
            if rows:
                connection.execute(
                    _TAKE,
                    [
                        {
                            "b_id": row.id,
                            "b_attempts": row.attempts + 1,
                            "b_locked_until": now + self._lease(row.kind),
                        }
                        for row in rows
                    ],
                )
            return [_Claimed(row.id, row.kind, row.payload, row.attempts + 1) for row in rows]

    def _lease(self, kind_name: str) -> timedelta:
        kind = self.kinds.get(kind_name)
        return timedelta(seconds=(kind.timeout_seconds if kind else 60) * 2)

    def _perform(self, job: _Claimed) -> Mapping[str, Any] | Exception:
        kind = self.kinds.get(job.kind)
        try:
            if kind is None:
                raise LookupError(f"no job kind named {job.kind}")
            return kind.perform(job.payload)
        except Exception as error:  # recorded by _record, retried with backoff
            return error

    def _record(
        self,
        clock: Clock,
        open_uow: Callable[[str], UnitOfWork],
        claimed: list[_Claimed],
        outcomes: list[Mapping[str, Any] | Exception],
    ) -> None:
        """Record outcomes in one transaction; if recording one fails, record each carefully."""
        succeeded = [
            (job, outcome)
            for job, outcome in zip(claimed, outcomes, strict=True)
            if not isinstance(outcome, Exception)
        ]
        if len(succeeded) == len(claimed):
            try:
                with open_uow("job") as uow:
                    for job, result in succeeded:
                        self._succeed(uow, job, result)
                    uow.commit()
                return
            except Exception:  # the careful path below finds out which one, alone
                pass
        with open_uow("job") as uow:
            for job, outcome in zip(claimed, outcomes, strict=True):
                if not isinstance(outcome, Exception):
                    try:
                        with uow.connection.begin_nested():
                            self._succeed(uow, job, outcome)
                        continue
                    except Exception as error:  # its effects are rolled back to the savepoint
                        uow.discard_pending()
                        outcome = error
                self._fail(uow.connection, clock, job, outcome)
            uow.commit()

    def _succeed(self, uow: UnitOfWork, job: _Claimed, outcome: Mapping[str, Any]) -> None:
        kind = self.kinds.get(job.kind)
        uow.actor = f"job:{job.kind}"
        if kind is not None and kind.record is not None:
            kind.record(uow, job.payload, outcome)
        self._finish(uow, job, outcome)
        uow.flush()

    def _fail(self, connection: Connection, clock: Clock, job: _Claimed, error: Exception) -> None:
        kind = self.kinds.get(job.kind)
        dead = job.attempts >= (kind.max_attempts if kind else 1)
        connection.execute(
            _RELEASE,
            {
                **_ours(job),
                "b_state": "dead" if dead else "pending",
                "b_available_at": clock.now() + retry_delay(job.attempts),
                "b_error": f"{type(error).__name__}: {error}"[:2000],
            },
        )

    @staticmethod
    def _finish(uow: UnitOfWork, job: _Claimed, result: Mapping[str, Any]) -> None:
        finished = uow.connection.execute(
            _FINISH, {**_ours(job), "b_now": uow.now(), "b_result": dict(result)}
        ).rowcount
        if finished != 1:
            # Another worker took the job over after our lease expired; its result stands.
            raise LeaseLost(job.id)


class LeaseLost(Exception):
    """The job's lease expired and another worker owns it now."""


def has_due_jobs(engine: Engine, clock: Clock) -> bool:
    """A cheap look without taking the write lock (SQLite) or any row lock."""
    with read_connection(engine) as connection:
        return connection.execute(_ANY_DUE, {"now": clock.now()}).first() is not None


def _ours(job: _Claimed) -> dict[str, Any]:
    return {"b_id": job.id, "b_attempts": job.attempts}


# Built once: building a statement costs several times more than executing it.
_DUE = or_(
    and_(jobs.c.state == "pending", jobs.c.available_at <= bindparam("now")),
    and_(jobs.c.state == "running", jobs.c.locked_until < bindparam("now")),
)
_ANY_DUE = select(jobs.c.id).where(_DUE).limit(1)
_CLAIM = (
    select(jobs.c.id, jobs.c.kind, jobs.c.payload, jobs.c.attempts)
    .where(_DUE)
    .order_by(jobs.c.available_at)
    .limit(bindparam("limit"))
    .with_for_update(skip_locked=True)
)
_TAKE = (
    update(jobs)
    .where(jobs.c.id == bindparam("b_id"))
    .values(
        state="running",
        attempts=bindparam("b_attempts"),
        locked_until=bindparam("b_locked_until"),
    )
)
# Only while we still hold the lease: same attempt, still running.
_CLAIMED_BY_US = update(jobs).where(
    jobs.c.id == bindparam("b_id"),
    jobs.c.state == "running",
    jobs.c.attempts == bindparam("b_attempts"),
)
_FINISH = _CLAIMED_BY_US.values(
    state="done", finished_at=bindparam("b_now"), result=bindparam("b_result"), last_error=None
)
_RELEASE = _CLAIMED_BY_US.values(
    state=bindparam("b_state"),
    available_at=bindparam("b_available_at"),
    last_error=bindparam("b_error"),
)
