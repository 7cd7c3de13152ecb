"""The runtime: what a running Lienmach is made of, handed to the CLI, web and workers.

Built only by ``lienmach.bootstrap``; nothing here is created at import time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from lienmach.kernel.bus import Bus
from lienmach.kernel.clock import Clock
from lienmach.kernel.db import read_connection
from lienmach.kernel.errors import ConcurrencyConflict
from lienmach.kernel.jobs import JobRunner
from lienmach.kernel.uow import UnitOfWork

P = ParamSpec("P")
TRANSIENT_RETRIES = 4
# PostgreSQL: deadlock detected, serialization failure; SQLite: database is locked.
_TRANSIENT_SQLSTATES = {"40P01", "40001"}


def is_transient(error: Exception) -> bool:
    """A conflict that a fresh attempt of the same unit of work can get past."""
    if isinstance(error, ConcurrencyConflict):
        return True
    original = getattr(error, "orig", None)
    if getattr(original, "sqlstate", None) in _TRANSIENT_SQLSTATES:
        return True
    return "database is locked" in str(original)


T = TypeVar("T")


class Runtime:
    """Engine, clock, bus and job runner; runs services in units of work.

    ``inline_drain`` (the embedded SQLite default) processes events and due jobs in this process
    right after each commit, so a service call returns with the journey moved as far as it can
    go by itself; production deployments leave it off and run ``lienmach worker`` processes.
    """

    def __init__(
        self,
        *,
        engine: Engine,
        clock: Clock,
        bus: Bus,
        job_runner: JobRunner,
        inline_drain: bool,
        adapters: dict[str, Any] | None = None,
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.bus = bus
        self.job_runner = job_runner
        self.inline_drain = inline_drain
        self.adapters = adapters or {}
        self._draining = threading.local()

    def uow(self, actor: str = "system") -> UnitOfWork:
        return UnitOfWork(
            self.engine, clock=self.clock, subscribers_of=self.bus.subscribers_of, actor=actor
        )

    def run(
        self,
        service: Callable[Concatenate[UnitOfWork, P], T],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run a service in its own unit of work, commit, then drain if inline."""
        actor = str(kwargs.pop("actor", "system"))
        for attempt in range(1, TRANSIENT_RETRIES + 1):
            try:
                with self.uow(actor) as uow:
                    result = service(uow, *args, **kwargs)
                    uow.commit()
                break
            except (ConcurrencyConflict, OperationalError) as error:
                # Nothing was committed, so running the whole unit again is safe.
                if attempt == TRANSIENT_RETRIES or not is_transient(error):
                    raise
                time.sleep(0.01 * attempt)
        if self.inline_drain:
            self.drain()
        return result

    def read(
        self, query: Callable[Concatenate[Any, P], T], /, *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run a read-side query on a connection that never takes the write lock."""
        with read_connection(self.engine) as connection:
            return query(connection, *args, **kwargs)

    def work_once(self, *, batch: int = 200, job_batch: int = 50) -> int:
        """One round of a worker: a batch of deliveries, then a batch of due jobs."""
        outcome = self.bus.process_batch(self.engine, self.clock, limit=batch)
        ran = self.job_runner.run_due(self.engine, self.clock, self.uow, limit=job_batch)
        return outcome.done + outcome.failed + outcome.dead + ran

    def drain(self, *, max_rounds: int = 10_000) -> int:
        """Work until nothing is due (or ``max_rounds``); safe to call re-entrantly."""
        if getattr(self._draining, "active", False):
            return 0
        self._draining.active = True
        total = 0
        try:
            for _ in range(max_rounds):
                worked = self.work_once()
                total += worked
                if worked == 0:
                    break
        finally:
            self._draining.active = False
        return total
