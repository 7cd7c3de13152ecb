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
a delivery row then, and is retried through the rows like any other. On SQLite a projection
batch folds in a read transaction and takes the one write lock only to write (ADR 0021).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, Engine

from lienmach.kernel import delivery_rows, feed
from lienmach.kernel.clock import Clock
from lienmach.kernel.db import json_value, look_connection, read_connection
from lienmach.kernel.delivery_rows import JOURNEY, ORPHANS, PROJECTIONS
from lienmach.kernel.messages import Event
from lienmach.kernel.subscribers import (
    MAX_ATTEMPTS,
    BatchFailed,
    BatchRunner,
    DeliveryOutcome,
    Handler,
    Logged,
    PrepareBatch,
    Subscriptions,
    handles_batches,
    reads_logged,
    retry_delay,
    subscriber_name,
)

__all__ = [
    "JOURNEY",
    "MAX_ATTEMPTS",
    "PROJECTIONS",
    "Bus",
    "DeliveryOutcome",
    "Handler",
    "Logged",
    "PrepareBatch",
    "Subscriptions",
    "handles_batches",
    "reads_logged",
    "retry_delay",
    "subscriber_name",
]

ORPHAN_LOOK_SECONDS = 60.0
FEED_WAIT_SECONDS = 0.002


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
        self._runner = BatchRunner(
            self._handlers, self._event_types, self.subscribers_of, prepare_journey_batch
        )
        self._lanes = delivery_rows.lanes(sorted(journey), sorted(projected))
        self._full: dict[str, bool] = {}  # whether the lane's last batch came back full
        self._next_orphan_look = 0.0
        self._feed_seen = feed.START  # how far this process last saw the projections' feed
        self._kept = feed.KeptRows()
        self._feed_lock = threading.Lock()

    def subscribers_of(self, event_type: type[Event]) -> list[str]:
        """The subscribers given a delivery row per event (projections read the feed)."""
        return self._subscribers.get(event_type, [])

    def event_type(self, name: str) -> type[Event]:
        return self._event_types[name]

    def _has_due(self, engine: Engine, clock: Clock, lane: str) -> bool:
        """A cheap look first, so an idle worker takes no write lock and no row locks."""
        with look_connection(engine) as connection:
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
                self._runner.run_all(connection, clock, rows, prepare=lane == JOURNEY)
                self._runner.mark(connection, clock.now(), rows, [])
                self._full[lane] = len(rows) >= limit
                return DeliveryOutcome(done=len(rows))
        except BatchFailed:
            pass
        with engine.connect() as connection, connection.begin():
            if not self._may_run(connection, lane):
                return DeliveryOutcome()
            rows = self._claim(connection, clock.now(), limit, lane)
            self._full[lane] = len(rows) >= limit
            if lane == JOURNEY:
                self._runner.lock_ahead_carefully(connection, clock, rows)
            return self._runner.run_each(connection, clock, rows)

    def _feed_batch(self, engine: Engine, clock: Clock, limit: int) -> DeliveryOutcome | None:
        """Up to ``limit`` events of the projections' feed, handled in one transaction that
        also moves the feed's position; fast path and careful path as for deliveries."""
        with look_connection(engine) as connection:
            if not feed.any_after(connection, self._feed_seen, finished_only=False):
                return None
        # One thread of this process at a time: they share the kept rows, and on SQLite the
        # folding is outside the write lock that used to keep them apart.
        with self._feed_lock:
            return self._feed_batch_alone(engine, clock, limit)

    def _feed_batch_alone(self, engine: Engine, clock: Clock, limit: int) -> DeliveryOutcome | None:
        try:
            outcome = None
            if engine.dialect.name == "sqlite":
                outcome = self._feed_held(engine, clock, limit)
            if outcome is None:
                outcome = self._feed_once(engine, clock, limit, careful=False)
        except BatchFailed:
            outcome = self._feed_once(engine, clock, limit, careful=True)
        if outcome is not None and outcome.waiting:
            time.sleep(FEED_WAIT_SECONDS)  # let the older transaction finish first
        return outcome

    def _feed_once(
        self, engine: Engine, clock: Clock, limit: int, *, careful: bool
    ) -> DeliveryOutcome | None:
        with (
            self._kept.forgotten_on_failure(),
            engine.connect() as connection,
            connection.begin(),
        ):
            if not self._may_run(connection, PROJECTIONS):
                return None
            seen, generation = feed.read_state(connection)
            kept = self._kept.for_batch(generation)
            events = feed.events_after(connection, seen, limit)
            if not events:
                waiting = feed.any_after(connection, seen, finished_only=False)
                outcome = DeliveryOutcome(waiting=1) if waiting else None
            else:
                rows = self._feed_rows(events)
                if careful:  # a delivery undone alone could leave its rows kept
                    kept.clear()
                    outcome = self._runner.run_each(connection, clock, rows, tracked=False)
                else:
                    self._runner.run_all(connection, clock, rows, prepare=False, kept=kept)
                    outcome = DeliveryOutcome(done=len(rows))
                outcome.done += self._unprojected(events)
                seen = self._move_feed(connection, events)
                generation += 1
        self._committed(seen, generation)
        return outcome

    def _feed_held(self, engine: Engine, clock: Clock, limit: int) -> DeliveryOutcome | None:
        """SQLite: the batch computed in a read transaction, outside the write lock every
        writer queues on, its writes held back; then written under the lock, unless the feed
        has changed meanwhile (another worker's batch: None, and it is done the usual way).
        The lock is held for the writes alone, not for the folding (ADR 0021)."""
        held: list[Callable[[Connection], Any]] = []
        with self._kept.forgotten_on_failure():
            with read_connection(engine) as connection:
                state = feed.read_state(connection)
                kept = self._kept.for_batch(state[1])
                events = feed.events_after(connection, state[0], limit)
                if not events:
                    self._kept.committed(state[1])  # nothing was changed
                    return None
                rows = self._feed_rows(events)
                self._runner.run_all(
                    connection, clock, rows, prepare=False, kept=kept, held_writes=held
                )
            with engine.connect() as connection, connection.begin():
                if feed.read_state(connection) != state:
                    self._kept.forget()
                    return None
                for write in held:
                    write(connection)
                seen = self._move_feed(connection, events)
        self._committed(seen, state[1] + 1)
        return DeliveryOutcome(done=len(rows) + self._unprojected(events))

    def _committed(self, seen: feed.Position, generation: int) -> None:
        self._kept.committed(generation)
        self._feed_seen = seen  # once committed: the cheap look must not skip what it rolled back

    def _move_feed(self, connection: Connection, events: list[Any]) -> feed.Position:
        seen = feed.Position(events[-1].xact_id, events[-1].id)
        feed.save_position(connection, seen)
        return seen

    def _unprojected(self, events: list[Any]) -> int:
        """Events no projection takes: they count too, the feed moved past them."""
        return sum(event.type not in self._projected for event in events)

    def _feed_rows(self, events: list[Any]) -> list[_FeedRow]:
        rows: list[_FeedRow] = []
        for event in events:
            subscribers = self._projected.get(event.type, ())
            if subscribers:
                payload = json_value(event.payload)
                rows.extend(
                    _FeedRow(event.id, subscriber, 0, event.type, payload, event.occurred_at)
                    for subscriber in subscribers
                )
        return rows

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
        rows = claim.run(connection, {"now": now, "limit": limit})
        if rows and lane != JOURNEY:
            # Projections' retries change their rows beside the feed: no worker may go on
            # trusting the copy it keeps (feed.KeptRows).
            feed.note_change(connection)
        return rows


class _FeedRow(NamedTuple):
    """An event of the feed for one projection, shaped like a claimed delivery."""

    event_id: str
    subscriber: str
    attempts: int
    type: str
    payload: Any
    occurred_at: datetime
