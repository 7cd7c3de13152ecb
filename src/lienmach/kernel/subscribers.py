"""Subscribers and how a claimed batch of their deliveries runs (used by kernel.bus).

Fast path: every handler of the batch shares one unit of work, with no savepoints and one
write of the events they publish. Careful path, after a failure: each delivery in a savepoint
of its own, so the failure is recorded against that delivery alone (retried with backoff up to
a bound, then parked as dead). Either way a batch runs its deliveries subscriber by subscriber
in the order they subscribed, whatever its events' order: every batch takes the rows its
handlers lock in one order, so two batches do not wait on each other crosswise.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from sqlalchemy import Connection

from lienmach.kernel import delivery_rows
from lienmach.kernel.clock import Clock
from lienmach.kernel.messages import Event
from lienmach.kernel.uow import UnitOfWork

Handler = Callable[[UnitOfWork, Any], None]
E = TypeVar("E", bound=Event)
Subscriptions = Mapping[type[Event], Sequence[Handler]]
#: Reads a journey batch's handlers will want, done for the whole batch in a few statements.
PrepareBatch = Callable[[UnitOfWork, list[Event]], None]

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


def subscriber_name(handler: Handler) -> str:
    return f"{handler.__module__}.{handler.__qualname__}"


def handles_batches(handler: Callable[[UnitOfWork, list[E]], None]) -> Handler:
    """Marks a handler that takes a list of its events: the whole batch on the fast path, one
    event at a time when the batch is run again carefully. It must treat each event as it
    would alone (a redelivered one does nothing), in fewer statements than one call each."""
    setattr(handler, _BATCHES, True)
    return handler


_BATCHES = "handles_batches"


class Logged(Protocol):
    """A logged event as the bus holds it: what a handler marked :func:`reads_logged` gets."""

    event_id: str
    type: str
    payload: Mapping[str, Any]
    occurred_at: datetime


def reads_logged(handler: Callable[[UnitOfWork, list[Logged]], None]) -> Handler:
    """Marks a handler that takes its events as logged (a list of :class:`Logged`), not as
    Event objects: a projection reading plain payloads is spared building every event and
    taking it apart again. Like :func:`handles_batches`, it gets the whole batch on the fast
    path and one event at a time on the careful path."""
    setattr(handler, _LOGGED, True)
    return handler


_LOGGED = "reads_logged"


def retry_delay(attempts: int) -> timedelta:
    return timedelta(seconds=min(2**attempts, 300))


@dataclass
class DeliveryOutcome:
    done: int = 0
    failed: int = 0
    dead: int = 0
    #: Events committed but not yet readable by the feed: a transaction that began before
    #: theirs is still running (PostgreSQL), and its events come first.
    waiting: int = 0

    @property
    def worked(self) -> int:
        """How much this batch did or still has in hand (a drain goes on while it is > 0)."""
        return self.done + self.failed + self.dead + self.waiting


class BatchRunner:
    """Runs claimed deliveries (rows with event_id, subscriber, attempts, type, payload,
    occurred_at) through their subscribers' handlers."""

    def __init__(
        self,
        handlers: Mapping[str, Handler],
        event_types: Mapping[str, type[Event]],
        subscribers_of: Callable[[type[Event]], list[str]],
        prepare: Sequence[PrepareBatch] = (),
    ) -> None:
        self.handlers = dict(handlers)
        self.event_types = event_types
        self._subscribers_of = subscribers_of
        self._prepare = tuple(prepare)
        # Subscribers whose handler takes a list of events (see handles_batches).
        self._batched = {name for name, h in self.handlers.items() if getattr(h, _BATCHES, 0)}
        self._logged = {name for name, h in self.handlers.items() if getattr(h, _LOGGED, 0)}
        self._rank = {name: rank for rank, name in enumerate(self.handlers)}

    def uow(self, connection: Connection, clock: Clock) -> UnitOfWork:
        """A unit of work in the batch's transaction."""
        return UnitOfWork(
            None, connection=connection, clock=clock, subscribers_of=self._subscribers_of
        )

    def _deliver(self, uow: UnitOfWork, row: Any, event: Event | None = None) -> None:
        handler = self.handlers.get(row.subscriber)
        if handler is None:
            raise LookupError(f"no subscriber named {row.subscriber}")
        uow.actor = f"handler:{row.subscriber.rsplit('.', 1)[-1]}"
        uow.handling = (row.event_id, row.occurred_at)
        if row.subscriber in self._logged:
            handler(uow, [row])
            return
        if event is None:
            event = self.event_types[row.type].from_payload(row.payload)
        handler(uow, [event] if row.subscriber in self._batched else event)

    def run_all(
        self,
        connection: Connection,
        clock: Clock,
        rows: list[Any],
        *,
        prepare: bool,
        kept: dict[Any, Any] | None = None,
        held_writes: list[Callable[[Connection], Any]] | None = None,
    ) -> None:
        """The fast path: every row in one unit of work, written once; raises BatchFailed
        (nothing to commit) if any handler fails. ``prepare``: run the read-aheads first;
        ``kept``: the projections' rows kept in memory (``UnitOfWork.kept``);
        ``held_writes``: where the writes go instead of running (``UnitOfWork.held_writes``)."""
        uow = self.uow(connection, clock)
        uow.kept = kept
        uow.held_writes = held_writes
        try:
            events = self._events_of(rows)
            if prepare:
                self._read_ahead(uow, events)
            for subscriber, its_rows in self._by_subscriber(rows):
                if subscriber in self._batched or subscriber in self._logged:
                    uow.actor = f"handler:{subscriber.rsplit('.', 1)[-1]}"
                    uow.handling = None
                    if subscriber in self._logged:
                        self.handlers[subscriber](uow, its_rows)
                        continue
                    self.handlers[subscriber](uow, [events[row.event_id] for row in its_rows])
                else:
                    for row in its_rows:
                        self._deliver(uow, row, events[row.event_id])
            uow.flush()
        except Exception as error:  # the careful path finds out which delivery failed
            raise BatchFailed from error

    def _by_subscriber(self, rows: list[Any]) -> list[tuple[str, list[Any]]]:
        """The rows by subscriber, subscribers in the order they subscribed."""
        grouped: dict[str, list[Any]] = {}
        for row in rows:
            grouped.setdefault(row.subscriber, []).append(row)
        return sorted(grouped.items(), key=lambda item: self._rank.get(item[0], -1))

    def _events_of(self, rows: list[Any]) -> dict[str, Event]:
        """Each event once, by id, however many of its subscribers the batch holds (those
        reading logged events alone need none built)."""
        return {
            row.event_id: self.event_types[row.type].from_payload(row.payload)
            for row in rows
            if row.subscriber not in self._logged
        }

    def _read_ahead(self, uow: UnitOfWork, events: dict[str, Event]) -> None:
        for read_ahead in self._prepare:
            read_ahead(uow, list(events.values()))

    def lock_ahead_carefully(self, connection: Connection, clock: Clock, rows: list[Any]) -> None:
        """The fast path's read-ahead (its row locks taken in the same order), in a savepoint:
        whatever goes wrong here is found again, and recorded, delivery by delivery."""
        try:
            with connection.begin_nested():
                self._read_ahead(self.uow(connection, clock), self._events_of(rows))
        except Exception:  # each delivery meets it again, and records it, on its own
            log.debug("read-ahead failed before running deliveries one by one", exc_info=True)

    def run_each(
        self, connection: Connection, clock: Clock, rows: list[Any], *, tracked: bool = True
    ) -> DeliveryOutcome:
        """Each delivery in a savepoint of its own; ``tracked=False``: fed from the log, so
        there is no row to mark done, and a failure gets a delivery row to be retried by."""
        outcome = DeliveryOutcome()
        now = clock.now()
        done: list[Any] = []
        failed: list[dict[str, Any]] = []
        for row in (row for _, its_rows in self._by_subscriber(rows) for row in its_rows):
            uow = self.uow(connection, clock)
            try:
                with connection.begin_nested():
                    self._deliver(uow, row)
                    uow.flush()
            except Exception as error:  # recorded, retried, then parked as dead
                attempts = row.attempts + 1
                dead = attempts >= MAX_ATTEMPTS
                failed.append(
                    {
                        "b_event_id": row.event_id,
                        "b_subscriber": row.subscriber,
                        "b_state": "dead" if dead else "pending",
                        "b_attempts": attempts,
                        "b_available_at": now + retry_delay(attempts),
                        "b_error": f"{type(error).__name__}: {error}"[:2000],
                    }
                )
                outcome.dead += dead
                outcome.failed += not dead
            else:
                done.append(row)
        if tracked:
            self.mark(connection, now, done, failed)
        elif failed:
            delivery_rows.INSERT_FAILED.run(connection, failed)
        outcome.done = len(done)
        return outcome

    @staticmethod
    def mark(
        connection: Connection, now: datetime, done: list[Any], failed: list[dict[str, Any]]
    ) -> None:
        """Mark the deliveries done and record the failures (retried later, or dead)."""
        if done:
            delivery_rows.MARK_DONE.run(
                connection,
                [
                    {"event_id": row.event_id, "subscriber": row.subscriber, "finished_at": now}
                    for row in done
                ],
            )
        if failed:
            delivery_rows.MARK_FAILED.run(connection, failed)


class BatchFailed(Exception):
    """A handler failed on the fast path; the batch is run again carefully."""
