"""Jobs: external I/O (carriers, e-mail, SMS, gateways) done outside business transactions.

A handler records a job with an idempotency key inside its transaction. A runner claims due
jobs (``SKIP LOCKED`` on PostgreSQL), performs the I/O with a timeout, then records the result
and marks the job done in one transaction. A job whose worker died is reclaimed once its lock
expires; the remote side is called again with the same idempotency key.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, and_, or_, select, update

from lienmach.kernel.bus import retry_delay
from lienmach.kernel.clock import Clock
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


class JobRunner:
    def __init__(self, kinds: Mapping[str, JobKind]) -> None:
        self.kinds = dict(kinds)

    def run_due(
        self,
        engine: Engine,
        clock: Clock,
        open_uow: Callable[[str], UnitOfWork],
        *,
        limit: int = 50,
    ) -> int:
        """Claim and run up to ``limit`` due jobs; returns how many were run."""
        claimed = self._claim(engine, clock, limit)
        for job in claimed:
            self._run(engine, clock, open_uow, job)
        return len(claimed)

    def _claim(self, engine: Engine, clock: Clock, limit: int) -> list[Any]:
        with engine.connect() as connection, connection.begin():
            now = clock.now()
            rows = connection.execute(
                select(jobs.c.id, jobs.c.kind, jobs.c.payload, jobs.c.attempts)
                .where(
                    or_(
                        and_(jobs.c.state == "pending", jobs.c.available_at <= now),
                        and_(jobs.c.state == "running", jobs.c.locked_until < now),
                    )
                )
                .order_by(jobs.c.available_at)
                .limit(limit)
                .with_for_update(skip_locked=True)
            ).all()
            for row in rows:
                timeout = self.kinds[row.kind].timeout_seconds if row.kind in self.kinds else 60
                connection.execute(
                    update(jobs)
                    .where(jobs.c.id == row.id)
                    .values(
                        state="running",
                        attempts=row.attempts + 1,
                        locked_until=now + timedelta(seconds=timeout * 2),
                    )
                )
            return [(row.id, row.kind, row.payload, row.attempts + 1) for row in rows]

    def _run(
        self, engine: Engine, clock: Clock, open_uow: Callable[[str], UnitOfWork], job: Any
    ) -> None:
        job_id, kind_name, payload, attempts = job
        kind = self.kinds.get(kind_name)
        try:
            if kind is None:
                raise LookupError(f"no job kind named {kind_name}")
            result = kind.perform(payload)
            with open_uow(f"job:{kind_name}") as uow:
                if kind.record is not None:
                    kind.record(uow, payload, result)
                finished = uow.connection.execute(
                    self._claimed_by_us(job_id, attempts).values(
                        state="done", finished_at=uow.now(), result=dict(result), last_error=None
                    )
                ).rowcount
                if finished == 1:  # else another worker took the job over after our lock expired
                    uow.commit()
        except Exception as error:  # recorded, retried with backoff, then parked as dead
            max_attempts = kind.max_attempts if kind else 1
            dead = attempts >= max_attempts
            with engine.connect() as connection, connection.begin():
                connection.execute(
                    self._claimed_by_us(job_id, attempts).values(
                        state="dead" if dead else "pending",
                        available_at=clock.now() + retry_delay(attempts),
                        last_error=f"{type(error).__name__}: {error}"[:2000],
                    )
                )

    @staticmethod
    def _claimed_by_us(job_id: str, attempts: int) -> Any:
        return update(jobs).where(
            jobs.c.id == job_id, jobs.c.state == "running", jobs.c.attempts == attempts
        )
