"""The bus: delivers each logged event to each subscriber exactly once in effect.

Deliveries are claimed in batches; each runs in a savepoint of the batch transaction together
with the update of its tracking row, so a handler's effects and "done" commit together or not
at all. Failures are recorded, retried with backoff up to a bound, then parked as dead.

Two lanes: the journey's subscribers, which any number of workers share, and *projections*
(subscribers that add every event into a few shared rows: KPI sums, the process map). Workers
sharing projections would queue on those rows and deadlock, holding up the journey's work in
the same transactions; so projections run in transactions of their own, one worker at a time
(a PostgreSQL advisory lock; SQLite has one writer anyway). Projections get no delivery rows:
they read the log through a feed (kernel.feed, ADR 0015); an event one of them fails on gets
a delivery row then, and is retried through the rows like any other.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import Connection, Engine

from lienmach.kernel import delivery_rows, feed
from lienmach.kernel.clock import Clock
from lienmach.kernel.db import read_connection
from lienmach.kernel.delivery_rows import JOURNEY, ORPHANS, PROJECTIONS
from lienmach.kernel.messages import Event
from lienmach.kernel.uow import UnitOfWork

Handler = Callable[[UnitOfWork, Any], None]
E = TypeVar("E", bound=Event)
Subscriptions = Mapping[type[Event], Sequence[Handler]]
#: Reads a journey batch's handlers will want, done for the whole batch in a few statements.
PrepareBatch = Callable[[UnitOfWork, list[Event]], None]

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
ORPHAN_LOOK_SECONDS = 60.0
FEED_WAIT_SECONDS = 0.002


def subscriber_name(handler: Handler) -> str:
    return f"{handler.__module__}.{handler.__qualname__}"


def handles_batches(handler: Callable[[UnitOfWork, list[E]], None]) -> Handler:
    """Marks a handler that takes a list of its events: the whole batch on the fast path, one
    event at a time when the batch is run again carefully. It must treat each event as it
    would alone (a redelivered one does nothing), in fewer statements than one call each."""
    setattr(handler, _BATCHES, True)
    return handler


_BATCHES = "handles_batches"


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


class Bus:
    """Knows who subscribes to what, and processes pending deliveries."""

    def __init__(
        self,
        subscriptions: Sequence[Subscriptions],
        event_types: Mapping[str, type[Event]],
        *,
        projections: Sequence[Subscriptions] = (),
        prepare_journey_batch: Sequence[PrepareBatch] = (),
    ):
        self._event_types = dict(event_types)
        self._subscribers: dict[type[Event], list[str]] = {}  # those given delivery rows
        self._projected: dict[str, list[str]] = {}  # by event type name: fed from the log
        self._handlers: dict[str, Handler] = {}
        journey: set[str] = set()
        projected: set[str] = set()
        for lane_tables, names in ((subscriptions, journey), (projections, projected)):
            for table in lane_tables:
                for event_type, handlers in table.items():
                    for handler in handlers:
                        name = subscriber_name(handler)
                        self._handlers[name] = handler
                        if names is journey:
                            self._subscribers.setdefault(event_type, []).append(name)
                        else:
                            self._projected.setdefault(event_type.type_name(), []).append(name)
                        self._event_types.setdefault(event_type.type_name(), event_type)
                        names.add(name)
        self._prepare = tuple(prepare_journey_batch)
        # Subscribers whose handler takes a list of events (see handles_batches).
        self._batched = {name for name, h in self._handlers.items() if getattr(h, _BATCHES, 0)}
        # A batch runs its deliveries subscriber by subscriber in the order they subscribed,
        # whatever its events' order: every batch takes the rows its handlers lock in one
        # order, so two batches do not wait on each other crosswise (see bootstrap).
        self._rank = {name: rank for rank, name in enumerate(self._handlers)}
        self._lanes = delivery_rows.lanes(sorted(journey), sorted(projected))
        self._full: dict[str, bool] = {}  # whether the lane's last batch came back full
        self._next_orphan_look = 0.0
        self._feed_seen = feed.START  # how far this process last saw the projections' feed

    def subscribers_of(self, event_type: type[Event]) -> list[str]:
        """The subscribers given a delivery row per event (projections read the feed)."""
        return self._subscribers.get(event_type, [])

    def event_type(self, name: str) -> type[Event]:
        return self._event_types[name]

    def _has_due(self, engine: Engine, clock: Clock, lane: str) -> bool:
        """A cheap look first, so an idle worker takes no write lock and no row locks."""
        with read_connection(engine) as connection:
            found = self._lanes[lane].any_due.run(connection, {"now": clock.now()})
            return found.first() is not None

    def process_batch(
        self, engine: Engine, clock: Clock, *, limit: int = 200, lane: str = JOURNEY
    ) -> DeliveryOutcome:
        """Claim up to ``limit`` due deliveries and run them in one transaction.

        Fast path: every handler of the batch shares one unit of work, with no savepoints and
        one write of the events they publish. If any handler fails, the whole batch is rolled
        back and run again carefully, each handler in a savepoint of its own, so the failure
        is recorded against that delivery alone.
        """
        if lane not in self._lanes:
            return DeliveryOutcome()
        if lane == PROJECTIONS and (fed := self._feed_batch(engine, clock, limit)):
            return fed
        # After a full batch more is surely waiting: the cheap look would only cost a query.
        if not self._full.get(lane) and not self._has_due(engine, clock, lane):
            if not self._orphans_due(engine, clock, lane):
                return DeliveryOutcome()
            lane = ORPHANS
        try:
            with engine.connect() as connection, connection.begin():
                if not self._may_run(connection, lane):
                    return DeliveryOutcome()
                rows = self._claim(connection, clock.now(), limit, lane)
                self._run_all(connection, clock, rows, prepare=lane == JOURNEY)
                self._mark(connection, clock.now(), rows, [])
                self._full[lane] = len(rows) >= limit
                return DeliveryOutcome(done=len(rows))
        except _BatchFailed:
            pass
        with engine.connect() as connection, connection.begin():
            if not self._may_run(connection, lane):
                return DeliveryOutcome()
            rows = self._claim(connection, clock.now(), limit, lane)
            self._full[lane] = len(rows) >= limit
            if lane == JOURNEY:
                self._lock_ahead_carefully(connection, clock, rows)
            return self._run_each(connection, clock, rows)

    def _feed_batch(self, engine: Engine, clock: Clock, limit: int) -> DeliveryOutcome | None:
        """Up to ``limit`` events of the projections' feed, handled in one transaction that
        also moves the feed's position; fast path and careful path as for deliveries."""
        with read_connection(engine) as connection:
            if not feed.any_after(connection, self._feed_seen, finished_only=False):
                return None
        try:
            outcome = self._feed_once(engine, clock, limit, careful=False)
        except _BatchFailed:
            outcome = self._feed_once(engine, clock, limit, careful=True)
        if outcome is not None and outcome.waiting:
            time.sleep(FEED_WAIT_SECONDS)  # let the older transaction finish first
        return outcome

    def _feed_once(
        self, engine: Engine, clock: Clock, limit: int, *, careful: bool
    ) -> DeliveryOutcome | None:
        with engine.connect() as connection, connection.begin():
            if not self._may_run(connection, PROJECTIONS):
                return None
            seen = feed.read_position(connection)
            events = feed.events_after(connection, seen, limit)
            if not events:
                waiting = feed.any_after(connection, seen, finished_only=False)
                outcome = DeliveryOutcome(waiting=1) if waiting else None
            else:
                rows = self._feed_rows(events)
                if careful:
                    outcome = self._run_each(connection, clock, rows, tracked=False)
                else:
                    self._run_all(connection, clock, rows, prepare=False)
                    outcome = DeliveryOutcome(done=len(rows))
                # Events no projection takes count too: the feed moved past them.
                outcome.done += sum(event.type not in self._projected for event in events)
                seen = feed.Position(events[-1].xact_id, events[-1].id)
                feed.save_position(connection, seen)
        self._feed_seen = seen  # once committed: the cheap look must not skip what it rolled back
        return outcome

    def _feed_rows(self, events: list[Any]) -> list[_FeedRow]:
        return [
            _FeedRow(event.id, subscriber, 0, event.type, event.payload, event.occurred_at)
            for event in events
            for subscriber in self._projected.get(event.type, ())
        ]

    def _orphans_due(self, engine: Engine, clock: Clock, lane: str) -> bool:
        """At an idle moment, now and then: deliveries to subscribers no longer in the code,
        which no lane claims, so that they fail visibly (retried, then dead)."""
        now = time.monotonic()
        if lane != JOURNEY or ORPHANS not in self._lanes or now < self._next_orphan_look:
            return False
        self._next_orphan_look = now + ORPHAN_LOOK_SECONDS
        return self._has_due(engine, clock, ORPHANS)

    @staticmethod
    def _may_run(connection: Connection, lane: str) -> bool:
        """Journey work is shared; projections are run by one worker at a time."""
        if lane == JOURNEY or connection.dialect.name != "postgresql":
            return True
        return bool(connection.execute(delivery_rows.TRY_PROJECTIONS_LOCK).scalar())

    def _claim(self, connection: Connection, now: datetime, limit: int, lane: str) -> list[Any]:
        claim = self._lanes[lane].claim
        return claim.run(connection, {"now": now, "limit": limit})

    def _uow(self, connection: Connection, clock: Clock) -> UnitOfWork:
        return UnitOfWork(
            None, connection=connection, clock=clock, subscribers_of=self.subscribers_of
        )

    def _deliver(self, uow: UnitOfWork, row: Any, event: Event | None = None) -> None:
        handler = self._handlers.get(row.subscriber)
        if handler is None:
            raise LookupError(f"no subscriber named {row.subscriber}")
        uow.actor = f"handler:{row.subscriber.rsplit('.', 1)[-1]}"
        uow.handling = (row.event_id, row.occurred_at)
        if event is None:
            event = self.event_type(row.type).from_payload(row.payload)
        handler(uow, [event] if row.subscriber in self._batched else event)

    def _run_all(
        self, connection: Connection, clock: Clock, rows: list[Any], *, prepare: bool
    ) -> None:
        uow = self._uow(connection, clock)
        try:
            events = self._events_of(rows)
            if prepare:
                self._read_ahead(uow, events)
            for subscriber, its_rows in self._by_subscriber(rows):
                if subscriber in self._batched:
                    uow.actor = f"handler:{subscriber.rsplit('.', 1)[-1]}"
                    uow.handling = None
                    self._handlers[subscriber](uow, [events[row.event_id] for row in its_rows])
                else:
                    for row in its_rows:
                        self._deliver(uow, row, events[row.event_id])
            uow.flush()
        except Exception as error:  # the careful path finds out which delivery failed
            raise _BatchFailed from error

    def _by_subscriber(self, rows: list[Any]) -> list[tuple[str, list[Any]]]:
        """The rows by subscriber, subscribers in the order they subscribed."""
        grouped: dict[str, list[Any]] = {}
        for row in rows:
            grouped.setdefault(row.subscriber, []).append(row)
        return sorted(grouped.items(), key=lambda item: self._rank.get(item[0], -1))

    def _events_of(self, rows: list[Any]) -> dict[str, Event]:
        """Each event once, by id, however many of its subscribers the batch holds."""
        return {row.event_id: self.event_type(row.type).from_payload(row.payload) for row in rows}

    def _read_ahead(self, uow: UnitOfWork, events: dict[str, Event]) -> None:
        for read_ahead in self._prepare:
            read_ahead(uow, list(events.values()))

    def _lock_ahead_carefully(self, connection: Connection, clock: Clock, rows: list[Any]) -> None:
        """The fast path's read-ahead (its row locks taken in the same order), in a savepoint:
        whatever goes wrong here is found again, and recorded, delivery by delivery."""
        try:
            with connection.begin_nested():
                self._read_ahead(self._uow(connection, clock), self._events_of(rows))
        except Exception:  # each delivery meets it again, and records it, on its own
            log.debug("read-ahead failed before running deliveries one by one", exc_info=True)

    def _run_each(
        self, connection: Connection, clock: Clock, rows: list[Any], *, tracked: bool = True
    ) -> DeliveryOutcome:
        """Each delivery in a savepoint of its own; ``tracked=False``: fed from the log, so
        there is no row to mark done, and a failure gets a delivery row to be retried by."""
        outcome = DeliveryOutcome()
        now = clock.now()
        done: list[Any] = []
        failed: list[dict[str, Any]] = []
        for row in (row for _, its_rows in self._by_subscriber(rows) for row in its_rows):
            uow = self._uow(connection, clock)
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
            self._mark(connection, now, done, failed)
        elif failed:
            delivery_rows.INSERT_FAILED.run(connection, failed)
        outcome.done = len(done)
        return outcome

    @staticmethod
    def _mark(
        connection: Connection, now: datetime, done: list[Any], failed: list[dict[str, Any]]
    ) -> None:
        if done:
            delivery_rows.MARK_DONE.run(
                connection,
                [
                    {"b_event_id": row.event_id, "b_subscriber": row.subscriber, "b_now": now}
                    for row in done
                ],
            )
        if failed:
            delivery_rows.MARK_FAILED.run(connection, failed)


class _FeedRow(NamedTuple):
    """An event of the feed for one projection, shaped like a claimed delivery."""

    event_id: str
    subscriber: str
    attempts: int
    type: str
    payload: Any
    occurred_at: datetime


class _BatchFailed(Exception):
    """A handler failed on the fast path; the batch is run again carefully."""
