"""The runtime: what a running Lienmach is made of, handed to the CLI, web and workers.

Built only by ``lienmach.bootstrap``; nothing here is created at import time.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError

from lienmach.kernel.bus import Bus
from lienmach.kernel.clock import Clock
from lienmach.kernel.db import read_connection
from lienmach.kernel.delivery_rows import JOURNEY, PROJECTIONS
from lienmach.kernel.errors import ConcurrencyConflict
from lienmach.kernel.group_commit import GroupCommitter, Outcome, Unit, run_group, step
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
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicTask:
    """Work found by looking rather than told by an event: deadlines that pass, remote sides
    to ask again.

    Every ``every``, ``find(connection, now, limit)`` lists the keys of what is due; then
    ``act(uow, key)`` handles each key in its own unit of work (so one conflict undoes only
    that key) and says whether it changed anything. Several workers may run the same task at
    once, so ``act`` checks again inside its transaction and does nothing when the thing has
    moved on; what an ``act`` failed to do is found again at the next run.
    """

    name: str
    every: timedelta
    find: Callable[[Connection, datetime, int], Sequence[str]]
    act: Callable[[UnitOfWork, str], bool]
    batch: int = 100


# Projections take bigger batches, and while the journey is busy they wait up to
# PROJECTIONS_EVERY_SECONDS between batches: the more events one batch folds, the more of them
# add into the same KPI rows and map counts, written once per batch. An idle journey lets them
# run at once, so a quiet chain's KPIs are current.
PROJECTION_BATCHES = 15
PROJECTIONS_EVERY_SECONDS = 1.5


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
        periodic: Sequence[PeriodicTask] = (),
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.bus = bus
        self.job_runner = job_runner
        self.inline_drain = inline_drain
        self.adapters = adapters or {}
        self.periodic = tuple(periodic)
        self._next_run: dict[str, datetime] = {}
        self._periodic_lock = threading.Lock()
        self._draining = threading.local()
        self._next_projections = 0.0
        self._committer = GroupCommitter(self.run_together)

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
        result = self._commit(actor, lambda uow: service(uow, *args, **kwargs))
        if self.inline_drain:
            self.drain()
        return result

    def run_as(
        self,
        actor: str,
        service: Callable[Concatenate[UnitOfWork, P], T],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Like ``run``, with ``actor`` named in the event log as the one who did it."""
        result = self._commit(actor, lambda uow: service(uow, *args, **kwargs))
        if self.inline_drain:
            self.drain()
        return result

    def run_together(self, units: Sequence[Unit[Any]]) -> list[Outcome[Any]]:
        """Run many units of work in one transaction, each in a savepoint, with one commit.

        A unit that raises is undone alone; its outcome holds the exception, the others
        commit. Outcomes come back in order once the commit is durable (then drained once, if
        inline). See :mod:`lienmach.kernel.group_commit`.
        """
        if not units:
            return []
        outcomes = run_group(
            self.engine,
            units,
            open_uow=self._uow_on,
            run_alone=self._commit,
            is_transient=is_transient,
        )
        # Like ``run``: a unit that failed committed nothing, so it sets nothing in motion.
        if self.inline_drain and any(outcome.ok for outcome in outcomes):
            self.drain()
        return outcomes

    def submit_as(
        self,
        actor: str,
        service: Callable[Concatenate[UnitOfWork, P], T],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> Future[T]:
        """Like ``run_as``, but committed together with what other threads submit meanwhile;
        the future settles after that shared commit."""
        return self._committer.submit(Unit(step(service, *args, **kwargs), actor=actor))

    def _uow_on(self, connection: Connection, actor: str) -> UnitOfWork:
        return UnitOfWork(
            None,
            clock=self.clock,
            subscribers_of=self.bus.subscribers_of,
            actor=actor,
            connection=connection,
        )

    def _commit(self, actor: str, work: Callable[[UnitOfWork], T]) -> T:
        """``work`` in a unit of work, committed; retried from scratch on a transient conflict."""
        for attempt in range(1, TRANSIENT_RETRIES + 1):
            try:
                with self.uow(actor) as uow:
                    result = work(uow)
                    uow.commit()
                return result
            except (ConcurrencyConflict, OperationalError) as error:
                # Nothing was committed, so running the whole unit again is safe.
                if attempt == TRANSIENT_RETRIES or not is_transient(error):
                    raise
                time.sleep(0.01 * attempt)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def read(
        self, query: Callable[Concatenate[Any, P], T], /, *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run a read-side query on a connection that never takes the write lock."""
        with read_connection(self.engine) as connection:
            return query(connection, *args, **kwargs)

    def work_once(self, *, batch: int = 200, job_batch: int = 50, wait_for_io: bool = True) -> int:
        """One round of a worker: a batch of deliveries, a batch of due jobs, due periodic
        tasks; with nothing else to do, waiting for in-flight job I/O unless told not to."""
        worked = 0
        for lane, limit in ((JOURNEY, batch), (PROJECTIONS, batch * PROJECTION_BATCHES)):
            if lane == PROJECTIONS and worked and time.monotonic() < self._next_projections:
                continue
            outcome = self.bus.process_batch(self.engine, self.clock, limit=limit, lane=lane)
            worked += outcome.worked
            if lane == PROJECTIONS:
                self._next_projections = time.monotonic() + PROJECTIONS_EVERY_SECONDS
            # Between batches too: the jobs' I/O (bookings, e-mail) keeps pace with the bus.
            worked += self.job_runner.run_due(self.engine, self.clock, self.uow, limit=job_batch)
        worked += self.run_periodic()
        if not worked and wait_for_io and self.job_runner.wait_for_inflight():
            # Nothing else to do but the jobs' I/O still running: wait for it, record it.
            worked = self.job_runner.run_due(self.engine, self.clock, self.uow, limit=job_batch)
        return worked

    def run_periodic(self) -> int:
        """Run the periodic tasks that are due by the clock; returns how many keys changed.

        The schedule is this process's own: each worker runs each task at most once per
        interval, and a task whose batch came back full runs again at the next round.
        """
        if not self.periodic:
            return 0
        now = self.clock.now()
        with self._periodic_lock:
            due = [task for task in self.periodic if self._next_run.get(task.name, now) <= now]
            for task in due:
                self._next_run[task.name] = now + task.every
        changed = 0
        for task in due:
            keys = self.read(task.find, now, task.batch)
            done = sum(self._act(task, key) for key in keys)
            if done and len(keys) >= task.batch:
                with self._periodic_lock:
                    self._next_run[task.name] = now
            changed += done
        return changed

    def _act(self, task: PeriodicTask, key: str) -> bool:
        try:
            return self._commit(f"periodic:{task.name}", lambda uow: task.act(uow, key))
        except Exception:
            # The key is still due, so the next run finds it again; meanwhile the others go on.
            log.exception("periodic task %s failed for %s; it is retried next run", task.name, key)
            return False

    def drain(self, *, max_rounds: int = 10_000, wait_for_io: bool = True) -> int:
        """Work until nothing is due (or ``max_rounds``); safe to call re-entrantly.

        ``wait_for_io=False``: stop once only job I/O is in flight, for a caller with other
        work to do meanwhile (a later drain records it)."""
        if getattr(self._draining, "active", False):
            return 0
        self._draining.active = True
        total = 0
        try:
            for _ in range(max_rounds):
                worked = self.work_once(wait_for_io=wait_for_io)
                total += worked
                if worked == 0:
                    break
        finally:
            self._draining.active = False
        return total
