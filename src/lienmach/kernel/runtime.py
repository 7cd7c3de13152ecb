"""The runtime: what a running Lienmach is made of, handed to the CLI, web and workers.

Built only by ``lienmach.bootstrap``; nothing here is created at import time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import Engine

from lienmach.kernel.bus import Bus
from lienmach.kernel.clock import Clock
from lienmach.kernel.jobs import JobRunner
from lienmach.kernel.uow import UnitOfWork

P = ParamSpec("P")
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
        with self.uow(actor) as uow:
            result = service(uow, *args, **kwargs)
            uow.commit()
        if self.inline_drain:
            self.drain()
        return result

    def read(
        self, query: Callable[Concatenate[Any, P], T], /, *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run a read-side query on a fresh connection."""
        with self.engine.connect() as connection:
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
