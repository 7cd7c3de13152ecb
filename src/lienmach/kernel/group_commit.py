"""Group commit: many small units of work, one transaction, one durable commit.

A human step (a scan, a carrier callback, a survey answer) writes a few rows; committing each
alone costs more than the step itself (an fsync on SQLite, a round trip and WAL flush on
PostgreSQL). Here a group of units runs in ONE transaction and commits once. As a rule no unit
fails, so the group first runs without savepoints; if one raises, the group is rolled back and
run again with each unit in a savepoint of its own: the unit that raises is rolled back to its
savepoint and only its caller sees the error; the rest commit together. Units must, like any
unit of work given to ``Runtime.run``, touch nothing but the database: a unit may run more
than once when the group falls back.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar, cast

from sqlalchemy import Connection, Engine

from lienmach.kernel.db import SavepointPerUnit
from lienmach.kernel.uow import UnitOfWork

P = ParamSpec("P")
T = TypeVar("T")
log = logging.getLogger(__name__)

#: Units the committer puts in one transaction at most: bounds how long it holds the lock.
MAX_GROUP = 100


@dataclass(frozen=True)
class Unit(Generic[T]):
    """One unit of work for a group: ``work(uow)`` done on behalf of ``actor``.

    Units that share a ``chain`` depend on each other (scan, then close the same parcel): they
    run in the order given, and once one fails the later ones are not run at all.
    """

    work: Callable[[UnitOfWork], T]
    actor: str = "system"
    chain: Hashable | None = None


class SkippedAfterFailure(Exception):
    """An earlier unit of the same chain failed, so this one was not run."""

    def __init__(self, chain: Hashable) -> None:
        super().__init__(f"not run: an earlier step of {chain!r} failed")
        self.chain = chain


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What one unit of a group came to: its result or the exception it raised."""

    value: T | None = None
    error: Exception | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def result(self) -> T:
        """The unit's result, or raise its exception."""
        if self.error is not None:
            raise self.error
        return cast(T, self.value)


def step(
    service: Callable[Concatenate[UnitOfWork, P], T], /, *args: P.args, **kwargs: P.kwargs
) -> Callable[[UnitOfWork], T]:
    """``service`` with its arguments bound, to be run later in some unit of work."""
    return lambda uow: service(uow, *args, **kwargs)


OpenUnitOfWork = Callable[[Connection, str], UnitOfWork]
RunAlone = Callable[[str, Callable[[UnitOfWork], Any]], Any]


def run_group(
    engine: Engine,
    units: Sequence[Unit[Any]],
    *,
    open_uow: OpenUnitOfWork,
    run_alone: RunAlone,
    is_transient: Callable[[Exception], bool],
) -> list[Outcome[Any]]:
    """Run ``units`` in one transaction, one savepoint each, and commit once.

    Returns one outcome per unit, in order, once the commit is durable. When the group as a
    whole cannot commit (a transient conflict inside a unit, a failed BEGIN or COMMIT), nothing
    of it was committed, so every unit is run again alone through ``run_alone``.
    """
    if len(units) > 1:
        try:
            return _together(engine, units, open_uow, is_transient)
        except Exception as error:
            log.warning("group of %d units failed (%s); running them one by one", len(units), error)
    return _one_by_one(units, run_alone)


def _together(
    engine: Engine,
    units: Sequence[Unit[Any]],
    open_uow: OpenUnitOfWork,
    is_transient: Callable[[Exception], bool],
) -> list[Outcome[Any]]:
    # Fast path first: as a rule no unit fails (a refused scan is an answer, not an error),
    # and then none needs a savepoint to be undone by (on PostgreSQL a savepoint is a round
    # trip per unit, ~12 per order for the people's steps).
    try:
        return _in_one_transaction(engine, units, open_uow, is_transient, careful=False)
    except _UnitFailed:
        pass  # nothing of the group was committed: run it again, each unit undoable alone
    return _in_one_transaction(engine, units, open_uow, is_transient, careful=True)


class _UnitFailed(Exception):
    """A unit raised on the fast path; the group is rolled back and run with savepoints."""


def _in_one_transaction(
    engine: Engine,
    units: Sequence[Unit[Any]],
    open_uow: OpenUnitOfWork,
    is_transient: Callable[[Exception], bool],
    *,
    careful: bool,
) -> list[Outcome[Any]]:
    """The units in one transaction; ``careful``: each in a savepoint, so a unit that raises
    is undone alone; otherwise the first that raises rolls the whole group back."""
    outcomes: list[Outcome[Any]] = []
    failed: set[Hashable] = set()
    with engine.connect() as connection, connection.begin():
        # The units' events and jobs, written together once they have all run.
        written_once = open_uow(connection, "system")
        savepoints = SavepointPerUnit(connection) if careful else None
        for unit in units:
            if unit.chain is not None and unit.chain in failed:
                outcomes.append(Outcome(error=SkippedAfterFailure(unit.chain)))
                continue
            outcome = _in_savepoint(connection, unit, open_uow, written_once, savepoints)
            if outcome.error is not None:
                if is_transient(outcome.error):
                    # Another transaction holds what this unit needs: retrying here, with the
                    # group's locks still held, could meet it again. Give the group up.
                    raise outcome.error
                if savepoints is None:
                    raise _UnitFailed from outcome.error
                if unit.chain is not None:
                    failed.add(unit.chain)
            outcomes.append(outcome)
        written_once.flush()
    return outcomes


def _in_savepoint(
    connection: Connection,
    unit: Unit[Any],
    open_uow: OpenUnitOfWork,
    written_once: UnitOfWork,
    savepoints: SavepointPerUnit | None,
) -> Outcome[Any]:
    """One unit, in a savepoint of its own when ``savepoints`` are given."""
    uow = open_uow(connection, unit.actor)
    if savepoints is not None:
        savepoints.begin_unit()
    try:
        with uow:
            value = unit.work(uow)
            # Its gathered work inside the savepoint; its events and jobs leave only if it
            # succeeds, to be written with the others'.
            uow.hand_over_pending(written_once)
    except Exception as error:
        if savepoints is not None:
            savepoints.undo()
        uow.discard_pending()
        return Outcome(error=error)
    return Outcome(value=value)


def _one_by_one(units: Sequence[Unit[Any]], run_alone: RunAlone) -> list[Outcome[Any]]:
    outcomes: list[Outcome[Any]] = []
    failed: set[Hashable] = set()
    for unit in units:
        if unit.chain is not None and unit.chain in failed:
            outcomes.append(Outcome(error=SkippedAfterFailure(unit.chain)))
            continue
        try:
            outcomes.append(Outcome(value=run_alone(unit.actor, unit.work)))
        except Exception as error:
            if unit.chain is not None:
                failed.add(unit.chain)
            outcomes.append(Outcome(error=error))
    return outcomes


class GroupCommitter:
    """Gathers units submitted concurrently (web requests, workers) into groups.

    ``submit`` returns at once with a future; one writer thread, started when work arrives and
    ended when none is left, runs whatever has been submitted meanwhile as one group through
    ``run_together`` and settles each future after the group's commit. While a group runs,
    the next one gathers, so the busier the writers, the larger the groups.
    """

    def __init__(
        self,
        run_together: Callable[[Sequence[Unit[Any]]], list[Outcome[Any]]],
        *,
        max_group: int = MAX_GROUP,
    ) -> None:
        self._run_together = run_together
        self._max_group = max_group
        self._lock = threading.Lock()
        self._waiting: list[tuple[Unit[Any], Future[Any]]] = []
        self._writing = False

    def submit(self, unit: Unit[T]) -> Future[T]:
        """Queue ``unit``; the future holds its result (or exception) once committed.

        A unit must not wait for another submitted unit: the writer runs them one group at a
        time.
        """
        future: Future[T] = Future()
        with self._lock:
            self._waiting.append((unit, future))
            if self._writing:
                return future
            self._writing = True
        try:
            threading.Thread(target=self._write, name="group-commit", daemon=True).start()
        except RuntimeError:  # no new threads at interpreter shutdown
            with self._lock:
                self._writing = False
            raise
        return future

    def _write(self) -> None:
        while True:
            with self._lock:
                group = self._waiting[: self._max_group]
                del self._waiting[: self._max_group]
                if not group:
                    self._writing = False
                    return
            # A caller may have cancelled its future while it waited: that unit is not run.
            running = [(unit, f) for unit, f in group if f.set_running_or_notify_cancel()]
            if running:
                self._settle(running)

    def _settle(self, group: list[tuple[Unit[Any], Future[Any]]]) -> None:
        try:
            outcomes = self._run_together([unit for unit, _ in group])
        except Exception as error:  # like ``run``, an inline drain's failure reaches the callers
            log.exception("group commit: settling %d callers with the error", len(group))
            for _, future in group:
                future.set_exception(error)
            return
        for (_, future), outcome in zip(group, outcomes, strict=True):
            if outcome.error is None:
                future.set_result(outcome.value)
            else:
                future.set_exception(outcome.error)
