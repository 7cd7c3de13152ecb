"""Jobs: external I/O (carriers, e-mail, SMS, gateways) done outside business transactions.

A handler records a job with an idempotency key inside its transaction. A runner claims due
jobs (``SKIP LOCKED`` on PostgreSQL) and performs their I/O with a timeout on its own threads,
while the worker goes on delivering events; at its next round it records the results and marks
the jobs done in one transaction. A job whose worker died is reclaimed once its lock expires;
the remote side is called again with the same idempotency key.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine

from lienmach.kernel import job_rows
from lienmach.kernel.bus import retry_delay
from lienmach.kernel.clock import Clock
from lienmach.kernel.db import look_connection
from lienmach.kernel.uow import UnitOfWork

RECORD_TOGETHER_SECONDS = 0.005
Perform = Callable[[Mapping[str, Any]], Mapping[str, Any]]
Record = Callable[[UnitOfWork, Mapping[str, Any], Mapping[str, Any]], None]
#: Records many finished jobs of one kind at once: (payload, result) each.
RecordMany = Callable[[UnitOfWork, list[tuple[Mapping[str, Any], Mapping[str, Any]]]], None]
Outcome = Mapping[str, Any] | Exception


@dataclass(frozen=True)
class JobKind:
    """What a kind of job does: ``perform`` the I/O, then ``record`` its result, or
    ``record_many`` the results of many such jobs in a few statements."""

    name: str
    perform: Perform
    record: Record | None = None
    record_many: RecordMany | None = None
    timeout_seconds: float = 60.0
    max_attempts: int = 8


@dataclass(frozen=True)
class _Claimed:
    id: str
    kind: str
    payload: Mapping[str, Any]
    attempts: int


class JobRunner:
    """Claims due jobs and performs their I/O side by side in a small thread pool, while the
    caller goes on with other work; each call records what has finished since the last one,
    all of it in one transaction.

    At most ``2 * io_threads`` jobs are in flight (claimed, not yet recorded). That bounds
    what a killed worker repeats, and means a claimed job waits for at most one other job's
    I/O before its own starts, which is what its lease allows for (see ``_lease``).
    """

    def __init__(self, kinds: Mapping[str, JobKind], *, io_threads: int = 8) -> None:
        self.kinds = dict(kinds)
        self.io_threads = io_threads
        self.max_inflight = 2 * io_threads
        self._longest_timeout = max((kind.timeout_seconds for kind in kinds.values()), default=0)
        self._pool: ThreadPoolExecutor | None = None
        # Guards the pool and the in-flight jobs: web threads may drain one runtime at once.
        self._lock = threading.Lock()
        self._inflight: dict[Future[Outcome], _Claimed] = {}

    def run_due(
        self,
        engine: Engine,
        clock: Clock,
        open_uow: Callable[[str], UnitOfWork],
        *,
        limit: int = 50,
    ) -> int:
        """Record the jobs whose I/O has finished, then claim due jobs (up to ``limit``, and
        while fewer than ``max_inflight`` are in flight) and start their I/O without waiting
        for it; returns how many jobs were recorded.

        A caller with nothing else to do calls :meth:`wait_for_inflight` before concluding
        that nothing is left.
        """
        with self._lock:
            finished = [future for future in self._inflight if future.done()]
            done = [self._inflight.pop(future) for future in finished]
            room = min(limit, self.max_inflight - len(self._inflight))
        if done:
            # Recording takes a write transaction anyway; the claim goes into it too.
            outcomes = [future.result() for future in finished]
            claimed = self._record(clock, open_uow, done, outcomes, then_claim=room)
        elif room > 0 and has_due_jobs(engine, clock):
            claimed = self._claim(engine, clock, room)
        else:
            claimed = []
        if claimed:
            with self._lock:
                pool = self._executor()
                for job in claimed:
                    self._inflight[pool.submit(self._perform, job)] = job
        return len(done)

    def has_inflight(self) -> bool:
        """Whether jobs claimed here are still waiting to be recorded."""
        return bool(self._inflight)

    def wait_for_inflight(self, timeout: float | None = None) -> bool:
        """Block until the I/O of some in-flight job has finished (or ``timeout`` seconds have
        passed); returns whether one has, so that ``run_due`` has something to record."""
        with self._lock:
            futures = list(self._inflight)
        if not futures:
            return False
        finished, _ = wait(futures, timeout=timeout, return_when=FIRST_COMPLETED)
        if not finished:
            return False
        # What finishes a moment later is recorded in the same transaction.
        wait(futures, timeout=RECORD_TOGETHER_SECONDS)
        return True

    def finish_inflight(
        self, engine: Engine, clock: Clock, open_uow: Callable[[str], UnitOfWork]
    ) -> int:
        """Wait for every in-flight job and record it, claiming no more: for a worker that is
        stopping, so that what it did is not done again by another. Returns how many."""
        recorded = 0
        while self.wait_for_inflight():
            recorded += self.run_due(engine, clock, open_uow, limit=0)
        return recorded

    def close(self) -> None:
        """Stop the I/O threads. Jobs not started are not; running ones finish. Neither is
        recorded: their leases expire and a worker runs them again (same idempotency key)."""
        with self._lock:
            pool, self._pool = self._pool, None
            self._inflight.clear()
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    def _executor(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.io_threads, thread_name_prefix="lienmach-io")
        return self._pool

    def _claim(self, engine: Engine, clock: Clock, limit: int) -> list[_Claimed]:
        with engine.connect() as connection, connection.begin():
            return self._take(connection, clock.now(), limit)

    def _take(self, connection: Connection, now: datetime, limit: int) -> list[_Claimed]:
        """Claim up to ``limit`` due jobs in the caller's transaction: lease them to us."""
        if limit <= 0:
            return []
        rows = job_rows.CLAIM.run(connection, {"now": now, "limit": limit})
        if rows:
            taken = []
            for row in rows:
                lease_end = now + self._lease(row.kind)
                taken.append(
                    {
                        "id": row.id,
                        "attempts": row.attempts + 1,
                        "locked_until": lease_end,
                        "available_at": lease_end,
                    }
                )
            job_rows.TAKE.run(connection, taken)
        return [_Claimed(row.id, row.kind, row.payload, row.attempts + 1) for row in rows]

    def _lease(self, kind_name: str) -> timedelta:
        """Its own I/O, after waiting for a thread behind at most one other job's I/O."""
        kind = self.kinds.get(kind_name)
        own = kind.timeout_seconds if kind else 60
        return timedelta(seconds=own + max(own, self._longest_timeout))

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
        finished: list[_Claimed],
        outcomes: list[Outcome],
        *,
        then_claim: int,
    ) -> list[_Claimed]:
        """Record outcomes in one transaction; if recording one fails, record each carefully.
        Then claim up to ``then_claim`` due jobs in the same transaction; returns them."""
        succeeded = [
            (job, outcome)
            for job, outcome in zip(finished, outcomes, strict=True)
            if not isinstance(outcome, Exception)
        ]
        if len(succeeded) == len(finished):
            try:
                with open_uow("job") as uow:
                    self._succeed(uow, succeeded)
                    _finish(uow, succeeded)
                    uow.flush()  # one write of the events all of them published
                    claimed = self._take(uow.connection, clock.now(), then_claim)
                    uow.commit()
                return claimed
            except Exception:  # the careful path below finds out which one, alone
                pass
        failed: list[dict[str, Any]] = []
        with open_uow("job") as uow:
            for job, outcome in zip(finished, outcomes, strict=True):
                if not isinstance(outcome, Exception):
                    try:
                        with uow.connection.begin_nested():
                            self._succeed(uow, [(job, outcome)])
                            _finish(uow, [(job, outcome)])
                            uow.flush()
                        continue
                    except Exception as error:  # its effects are rolled back to the savepoint
                        uow.discard_pending()
                        outcome = error
                failed.append(self._failure(clock, job, outcome))
            if failed:
                job_rows.RELEASE.run(uow.connection, failed)
            claimed = self._take(uow.connection, clock.now(), then_claim)
            uow.commit()
        return claimed

    def _succeed(self, uow: UnitOfWork, done: list[tuple[_Claimed, Mapping[str, Any]]]) -> None:
        """Record the results, kind by kind: all of a kind at once if it can."""
        by_kind: dict[str, list[tuple[Mapping[str, Any], Mapping[str, Any]]]] = {}
        for job, result in done:
            by_kind.setdefault(job.kind, []).append((job.payload, result))
        for name, results in by_kind.items():
            kind = self.kinds.get(name)
            uow.actor = f"job:{name}"
            if kind is None:
                continue
            if kind.record_many is not None:
                kind.record_many(uow, results)
            elif kind.record is not None:
                for payload, result in results:
                    kind.record(uow, payload, result)

    def _failure(self, clock: Clock, job: _Claimed, error: Exception) -> dict[str, Any]:
        """The parameters of ``job_rows.RELEASE`` for a job whose I/O or recording failed."""
        kind = self.kinds.get(job.kind)
        dead = job.attempts >= (kind.max_attempts if kind else 1)
        return {
            **_ours(job),
            "b_state": "dead" if dead else "pending",
            "b_available_at": clock.now() + retry_delay(job.attempts),
            "b_error": f"{type(error).__name__}: {error}"[:2000],
        }


def _finish(uow: UnitOfWork, done: list[tuple[_Claimed, Mapping[str, Any]]]) -> None:
    """Mark jobs done, in one statement; only while we still hold their leases."""
    now = uow.now()
    rows = [
        {
            "id": job.id,
            "attempts": job.attempts,
            "state": "running",
            "finished_at": now,
            "result": dict(result),
        }
        for job, result in done
    ]
    finished = job_rows.FINISH.run(uow.connection, rows).rowcount
    if finished != len(done):
        # Another worker took a job over after our lease expired; its result stands.
        raise LeaseLost(", ".join(job.id for job, _ in done))


class LeaseLost(Exception):
    """The job's lease expired and another worker owns it now."""


def has_due_jobs(engine: Engine, clock: Clock) -> bool:
    """A cheap look without taking the write lock (SQLite) or any row lock."""
    with look_connection(engine) as connection:
        return job_rows.ANY_DUE.run(connection, {"now": clock.now()}).first() is not None


def _ours(job: _Claimed) -> dict[str, Any]:
    return {"b_id": job.id, "b_attempts": job.attempts}
