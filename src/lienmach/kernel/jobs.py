"""Jobs: external I/O (carriers, e-mail, SMS, gateways) done outside business transactions.

A handler records a job with an idempotency key inside its transaction. A runner claims due
jobs (``SKIP LOCKED`` on PostgreSQL), performs the I/O with a timeout, then records the result
and marks the job done in one transaction. A job whose worker died is reclaimed once its lock
expires; the remote side is called again with the same idempotency key.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, and_, or_, select, update

from lienmach.kernel.bus import retry_delay
from lienmach.kernel.clock import Clock
from lienmach.kernel.db import read_connection
from lienmach.kernel.tables import jobs
from lienmach.kernel.uow import UnitOfWork

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
    """Claims due jobs and runs them side by side in a small thread pool: each performs its
    I/O, then records its outcome in its own transaction."""

    def __init__(self, kinds: Mapping[str, JobKind], *, io_threads: int = 8) -> None:
        self.kinds = dict(kinds)
        self._io_threads = io_threads
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
        # Each job records its outcome as soon as its own I/O is done, so a killed worker
        # repeats at most the I/O that was in flight, not a whole batch.
        list(self._executor().map(lambda job: self._run(clock, open_uow, job), claimed))
        return len(claimed)

    def _run(self, clock: Clock, open_uow: Callable[[str], UnitOfWork], job: _Claimed) -> None:
        self._record(clock, open_uow, [job], [self._perform(job)])

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def _executor(self) -> ThreadPoolExecutor:
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self._io_threads, thread_name_prefix="lienmach-io")
            return self._pool

    def _claim(self, engine: Engine, clock: Clock, limit: int) -> list[_Claimed]:
        with engine.connect() as connection, connection.begin():
            now = clock.now()
            rows = connection.execute(
                select(jobs.c.id, jobs.c.kind, jobs.c.payload, jobs.c.attempts)
                .where(_due(now))
                .order_by(jobs.c.available_at)
                .limit(limit)
                .with_for_update(skip_locked=True)
            ).all()
            for row in rows:
                kind = self.kinds.get(row.kind)
                lease = timedelta(seconds=(kind.timeout_seconds if kind else 60) * 2)
                connection.execute(
                    update(jobs)
                    .where(jobs.c.id == row.id)
                    .values(state="running", attempts=row.attempts + 1, locked_until=now + lease)
                )
            return [_Claimed(row.id, row.kind, row.payload, row.attempts + 1) for row in rows]

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
        with open_uow("job") as uow:
            connection = uow.connection
            for job, outcome in zip(claimed, outcomes, strict=True):
                kind = self.kinds.get(job.kind)
                uow.actor = f"job:{job.kind}"
                if not isinstance(outcome, Exception):
                    try:
                        with connection.begin_nested():
                            if kind is not None and kind.record is not None:
                                kind.record(uow, job.payload, outcome)
                            self._finish(uow, job, outcome)
                            uow.flush()
                        continue
                    except Exception as error:  # its effects are rolled back to the savepoint
                        uow.discard_pending()
                        outcome = error
                dead = job.attempts >= (kind.max_attempts if kind else 1)
                connection.execute(
                    _claimed_by_us(job).values(
                        state="dead" if dead else "pending",
                        available_at=clock.now() + retry_delay(job.attempts),
                        last_error=f"{type(outcome).__name__}: {outcome}"[:2000],
                    )
                )
            uow.commit()

    @staticmethod
    def _finish(uow: UnitOfWork, job: _Claimed, result: Mapping[str, Any]) -> None:
        finished = uow.connection.execute(
            _claimed_by_us(job).values(
                state="done", finished_at=uow.now(), result=dict(result), last_error=None
            )
        ).rowcount
        if finished != 1:
            # Another worker took the job over after our lease expired; its result stands.
            raise LeaseLost(job.id)


class LeaseLost(Exception):
    """The job's lease expired and another worker owns it now."""


def _due(now: Any) -> Any:
    return or_(
        and_(jobs.c.state == "pending", jobs.c.available_at <= now),
        and_(jobs.c.state == "running", jobs.c.locked_until < now),
    )


def has_due_jobs(engine: Engine, clock: Clock) -> bool:
    """A cheap look without taking the write lock (SQLite) or any row lock."""
    with read_connection(engine) as connection:
        return (
            connection.execute(select(jobs.c.id).where(_due(clock.now())).limit(1)).first()
            is not None
        )


def _claimed_by_us(job: _Claimed) -> Any:
    return update(jobs).where(
        jobs.c.id == job.id, jobs.c.state == "running", jobs.c.attempts == job.attempts
    )
