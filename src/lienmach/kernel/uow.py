"""Unit of work: one database transaction, the events it publishes and the jobs it records.

Events and jobs are written in the same transaction as the state change (transactional
outbox), so a committed change always has its events and a rolled-back one never does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from types import TracebackType
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine

from lienmach.kernel import bulk
from lienmach.kernel.clock import Clock
from lienmach.kernel.db import insert_ignoring_duplicates
from lienmach.kernel.feed import INSERT_EVENTS
from lienmach.kernel.ids import new_id
from lienmach.kernel.messages import Event
from lienmach.kernel.tables import event_deliveries, event_objects, jobs

T = TypeVar("T")
SubscribersOf = Callable[[type[Event]], list[str]]
# Built once: building a statement costs several times more than executing it.
# A flush's events, the objects they touch and their deliveries: three statements however many
# rows, each run once on PostgreSQL (kernel.bulk).
_INSERT_OBJECTS = bulk.inserting(event_objects, ("event_id", "object_type", "object_id", "role"))
_INSERT_DELIVERIES = bulk.inserting(
    event_deliveries, ("event_id", "subscriber", "state", "attempts", "available_at")
)


class UnitOfWork:
    """A transaction plus the outbox; use as a context manager, then :meth:`commit`."""

    def __init__(
        self,
        engine: Engine | None,
        *,
        clock: Clock,
        subscribers_of: SubscribersOf,
        actor: str = "system",
        connection: Connection | None = None,
    ) -> None:
        self._engine = engine
        self._given_connection = connection
        self.clock = clock
        self.actor = actor
        self._subscribers_of = subscribers_of
        self._events: list[tuple[str, Event, datetime, str]] = []
        self._jobs: list[dict[str, Any]] = []
        self.published: list[tuple[str, Event]] = []
        #: (event id, occurred at) of the event a handler is handling, set by the bus.
        self.handling: tuple[str, datetime] | None = None
        self._connection: Connection | None = connection
        self._transaction: Any = None
        #: What handlers gather across a batch of deliveries, written once by a flush action.
        self.scratch: dict[str, Any] = {}
        #: Rows a projection wrote in earlier batches of the feed, kept in memory by the bus
        #: while no one else can have changed them (ADR 0020); None: read them.
        self.kept: dict[Any, Any] | None = None
        self._before_flush: dict[str, Callable[[], None]] = {}
        #: Writes held back to run later, under SQLite's write lock, while a projection batch
        #: computes outside it (kernel.bus, ADR 0021); None: writes run at once.
        self.held_writes: list[Callable[[Connection], None]] | None = None

    @property
    def connection(self) -> Connection:
        if self._connection is None:
            raise RuntimeError("the unit of work is not open; use it in a with-block")
        return self._connection

    def __enter__(self) -> UnitOfWork:
        if self._given_connection is None:
            assert self._engine is not None
            self._connection = self._engine.connect()
            self._transaction = self._connection.begin()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._given_connection is not None:
            return
        try:
            if self._transaction is not None and self._transaction.is_active:
                self._transaction.rollback()
        finally:
            if self._connection is not None:
                self._connection.close()
            self._connection = None

    def now(self) -> datetime:
        return self.clock.now()

    def publish(self, event: Event) -> str:
        """Record a fact; it is written to the log when the unit of work commits."""
        event_id = new_id()
        self._events.append((event_id, event, self.clock.now(), self.actor))
        return event_id

    def record_job(
        self,
        kind: str,
        *,
        key: str,
        payload: Mapping[str, Any],
        run_at: datetime | None = None,
    ) -> None:
        """Queue external I/O to run after commit; the key makes recording it twice a no-op."""
        now = self.clock.now()
        self._jobs.append(
            {
                "id": new_id(),
                "kind": kind,
                "key": key,
                "payload": dict(payload),
                "state": "pending",
                "attempts": 0,
                "available_at": run_at or now,
                "created_at": now,
            }
        )

    def remembered(self, kind: str, key: str, load: Callable[[], T | None]) -> T | None:
        """``load()``'s answer for ``key``, asked at most once per unit of work: the handlers
        of one delivery batch share what one of them read. Nothing found is not remembered."""
        seen: dict[str, T] = self.scratch.setdefault(kind, {})
        if key not in seen:
            found = load()
            if found is None:
                return None
            seen[key] = found
        return seen[key]

    def remembered_many(
        self, kind: str, keys: Iterable[str], load: Callable[[list[str]], Mapping[str, T]]
    ) -> dict[str, T]:
        """:meth:`remembered` for many keys: ``load`` is asked once, for the keys not yet
        read in this unit of work; keys it does not find are left out, and not remembered."""
        seen: dict[str, T] = self.scratch.setdefault(kind, {})
        wanted = set(keys)
        if missing := wanted - seen.keys():
            seen.update(load(sorted(missing)))
        return {key: seen[key] for key in wanted if key in seen}

    def before_flush(self, key: str, action: Callable[[], None]) -> None:
        """Run ``action`` once at the next flush (a second call with the same key is a no-op):
        a handler delivered many events in one batch writes what they add up to once."""
        self._before_flush.setdefault(key, action)

    def write(self, action: Callable[[Connection], Any]) -> None:
        """Run ``action(connection)``, a write: at once, or later when writes are held."""
        if self.held_writes is None:
            action(self.connection)
        else:
            self.held_writes.append(action)

    def flush(self) -> None:
        """Write pending events and jobs into the current transaction."""
        actions, self._before_flush = list(self._before_flush.values()), {}
        for action in actions:
            action()
        if self._events:
            events, self._events = self._events, []
            self.write(lambda connection: self._write_events(connection, events))
        if self._jobs:
            recorded, self._jobs = self._jobs, []
            self.write(lambda connection: insert_ignoring_duplicates(connection, jobs, recorded))

    def hand_over_pending(self, to: UnitOfWork) -> None:
        """Run the gathered work now, and pass the events and jobs not yet written to ``to``,
        which writes them with its own (a group commit writes its units' events in one
        statement; each keeps its actor)."""
        actions, self._before_flush = list(self._before_flush.values()), {}
        for action in actions:
            action()
        to._events.extend(self._events)
        to._jobs.extend(self._jobs)
        self._events, self._jobs = [], []

    def discard_pending(self) -> None:
        """Forget events, jobs and gathered work not yet flushed (their savepoint was rolled
        back)."""
        self._events = []
        self._jobs = []
        self.scratch = {}
        self._before_flush = {}

    def commit(self) -> None:
        self.flush()
        if self._given_connection is None and self._transaction is not None:
            self._transaction.commit()
            self._transaction = None

    def _write_events(
        self, connection: Connection, events: list[tuple[str, Event, datetime, str]]
    ) -> None:
        log_rows: list[dict[str, Any]] = []
        object_rows: list[dict[str, Any]] = []
        delivery_rows: list[dict[str, Any]] = []
        for event_id, event, occurred_at, actor in events:
            log_rows.append(
                {
                    "id": event_id,
                    "type": event.type_name(),
                    "occurred_at": occurred_at,
                    "actor": actor,
                    "payload": event.payload(),
                }
            )
            for object_type, object_id, role in dict.fromkeys(event.touches()):
                object_rows.append(
                    {
                        "event_id": event_id,
                        "object_type": object_type,
                        "object_id": object_id,
                        "role": role,
                    }
                )
            for subscriber in self._subscribers_of(type(event)):
                delivery_rows.append(
                    {
                        "event_id": event_id,
                        "subscriber": subscriber,
                        "state": "pending",
                        "attempts": 0,
                        "available_at": occurred_at,
                    }
                )
            self.published.append((event_id, event))
        INSERT_EVENTS.run(connection, log_rows)
        if object_rows:
            _INSERT_OBJECTS.run(connection, object_rows)
        if delivery_rows:
            _INSERT_DELIVERIES.run(connection, delivery_rows)
