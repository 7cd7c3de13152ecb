"""The feed: the event log read in commit order from a stored position (ADR 0015).

Projections (KPI sums, the process map) take every event, so giving each of them one delivery
row per event cost more than their work: a row written, claimed and marked per event and
subscriber. Instead they read the log from where they stopped, and store the new position in
the same transaction as their effects, so each event counts exactly once.

The order is (``xact_id``, ``id``): the writing transaction, then the event's id, which one
process issues in increasing order. On SQLite one writer at a time numbers its transaction
one above the log's highest, so that order is the commit order. On PostgreSQL ``xact_id`` is
the transaction's own id, which says nothing of commit order, so the feed reads only events of
transactions older than every transaction still running (the snapshot's ``xmin``): those are
all finished, and none of them can commit later behind the position.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple

from sqlalchemy import (
    BigInteger,
    Connection,
    String,
    Text,
    and_,
    bindparam,
    cast,
    func,
    literal,
    literal_column,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from lienmach.kernel import bulk
from lienmach.kernel.prepared import Prepared, prepared
from lienmach.kernel.tables import event_feeds, event_log

PROJECTIONS_FEED = "projections"


class Position(NamedTuple):
    """The last event a feed handled, in the log's commit order."""

    xact_id: int
    event_id: str


START = Position(-1, "")

_PG_XACT: Any = literal_column("pg_current_xact_id()::text::bigint")
_PG_FINISHED_BEFORE: Any = literal_column("pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
_AFTER = tuple_(event_log.c.xact_id, event_log.c.id) > tuple_(
    bindparam("after_xact", type_=BigInteger), bindparam("after_id", type_=String)
)


def _numbered(dialect: str) -> dict[str, Any]:
    return {"xact_id": _PG_XACT if dialect == "postgresql" else _SQLITE_NEXT}


#: The INSERT of a flush's events (rows of id, type, occurred_at, actor, payload), numbering
#: their transaction for the feed: PostgreSQL's transaction id; on SQLite, whose one writer
#: holds the lock, one above the log's highest (each row may get the next number: any
#: numbering that grows in commit order will do).
INSERT_EVENTS = bulk.inserting(
    event_log, ("id", "type", "occurred_at", "actor", "payload"), computed=_numbered
)


_SQLITE_NEXT = select(func.coalesce(func.max(event_log.c.xact_id), 0) + 1).scalar_subquery()


def read_position(connection: Connection, feed: str = PROJECTIONS_FEED) -> Position:
    return read_state(connection, feed)[0]


def read_state(connection: Connection, feed: str = PROJECTIONS_FEED) -> tuple[Position, int]:
    """The feed's position and its generation: how many times what its projections keep has
    changed (every :func:`save_position` and :func:`note_change` adds one)."""
    found = _POSITION.run(connection, {"feed": feed}).first()
    if found is None:
        return START, 0
    return Position(int(found.xact_id), str(found.event_id)), int(found.generation)


_POSITION = prepared(
    select(event_feeds.c.xact_id, event_feeds.c.event_id, event_feeds.c.generation).where(
        event_feeds.c.name == bindparam("feed")
    )
)


def save_position(connection: Connection, position: Position, feed: str = PROJECTIONS_FEED) -> None:
    """Store the feed's new position, in the transaction that handled the events up to it;
    the generation goes up by one."""
    parameters = {"name": feed, "xact_id": position.xact_id, "event_id": position.event_id}
    _SAVE_POSITION[connection.dialect.name].run(connection, parameters)


def note_change(connection: Connection, feed: str = PROJECTIONS_FEED) -> None:
    """Say that what the feed's projections keep changed without the feed moving (a retried
    delivery): the generation goes up by one, so no worker trusts its copy in memory."""
    _NOTE_CHANGE.run(connection, {"feed": feed})


def _save_position(dialect: Any) -> Prepared:
    insert = dialect.insert(event_feeds).values(generation=1)
    return prepared(
        insert.on_conflict_do_update(
            index_elements=[event_feeds.c.name],
            set_={
                "xact_id": insert.excluded.xact_id,
                "event_id": insert.excluded.event_id,
                "generation": event_feeds.c.generation + 1,
            },
        )
    )


_SAVE_POSITION = {"sqlite": _save_position(sqlite), "postgresql": _save_position(postgresql)}
_NOTE_CHANGE = prepared(
    update(event_feeds)
    .where(event_feeds.c.name == bindparam("feed"))
    .values(generation=event_feeds.c.generation + 1)
)


def events_after(connection: Connection, position: Position, limit: int) -> list[Any]:
    """Up to ``limit`` events after ``position`` (id, type, payload, occurred_at, xact_id);
    the payload as its JSON text, decoded by the reader only for the events it takes."""
    statement = _NEXT_PG if connection.dialect.name == "postgresql" else _NEXT
    parameters = {"after_xact": position.xact_id, "after_id": position.event_id, "limit": limit}
    return statement.run(connection, parameters).all()


def any_after(connection: Connection, position: Position, *, finished_only: bool = True) -> bool:
    """Whether the feed has events to read after ``position``; ``finished_only=False``: or
    events it must not read yet (PostgreSQL: a transaction older than theirs still runs)."""
    postgres = connection.dialect.name == "postgresql"
    statement = _ANY_PG if postgres and finished_only else _ANY
    parameters = {"after_xact": position.xact_id, "after_id": position.event_id}
    return statement.run(connection, parameters).first() is not None


def frontier(connection: Connection) -> Position:
    """The last event the feed may read now; what a rebuild from the log can take in while
    the feed goes on after it (START for an empty log)."""
    postgres = connection.dialect.name == "postgresql"
    found = connection.execute(_LAST_PG if postgres else _LAST).first()
    return Position(int(found.xact_id), str(found.id)) if found else START


def up_to(position: Position) -> Any:
    """The condition on ``event_log`` of the events at or before ``position``."""
    return tuple_(event_log.c.xact_id, event_log.c.id) <= tuple_(
        literal(position.xact_id, BigInteger), literal(position.event_id, String)
    )


def lag(connection: Connection, feed: str = PROJECTIONS_FEED) -> int:
    """Events in the log the feed has not handled yet (for waiting and for health pages)."""
    position = read_position(connection, feed)
    counted = select(func.count()).select_from(event_log).where(_AFTER)
    parameters = {"after_xact": position.xact_id, "after_id": position.event_id}
    return int(connection.execute(counted, parameters).scalar_one())


def _next(*, postgres: bool) -> Any:
    where = and_(_AFTER, event_log.c.xact_id < _PG_FINISHED_BEFORE) if postgres else _AFTER
    return (
        select(
            event_log.c.id,
            event_log.c.type,
            # Text: half the events are taken by no projection, so decoding them all was waste.
            cast(event_log.c.payload, Text).label("payload"),
            event_log.c.occurred_at,
            event_log.c.xact_id,
        )
        .where(where)
        .order_by(event_log.c.xact_id, event_log.c.id)
        .limit(bindparam("limit"))
    )


def _any(*, postgres: bool) -> Any:
    where = and_(_AFTER, event_log.c.xact_id < _PG_FINISHED_BEFORE) if postgres else _AFTER
    # Ordered, so PostgreSQL walks the feed index from the position (unordered, it may scan
    # the whole log from its start, expecting matches anywhere).
    return (
        select(event_log.c.id).where(where).order_by(event_log.c.xact_id, event_log.c.id).limit(1)
    )


def _last(*, postgres: bool) -> Any:
    statement = select(event_log.c.xact_id, event_log.c.id)
    if postgres:
        statement = statement.where(event_log.c.xact_id < _PG_FINISHED_BEFORE)
    return statement.order_by(event_log.c.xact_id.desc(), event_log.c.id.desc()).limit(1)


# Built once: building a statement costs several times more than executing it.
_LAST, _LAST_PG = _last(postgres=False), _last(postgres=True)
_NEXT, _NEXT_PG = prepared(_next(postgres=False)), prepared(_next(postgres=True))
_ANY, _ANY_PG = prepared(_any(postgres=False)), prepared(_any(postgres=True))


class KeptRows:
    """Rows the projections wrote, kept in memory from one feed batch to the next (ADR 0020):
    trusted only while the feed's generation is the one this process's last batch committed,
    i.e. no one else has changed the projections' rows since."""

    MOST = 200_000  # rows kept at most; past that they are all forgotten at the next batch

    def __init__(self) -> None:
        self.rows: dict[Any, Any] = {}
        self._generation: int | None = None

    def for_batch(self, generation: int) -> dict[Any, Any]:
        """At a batch's start, with the generation read under the projections' lock."""
        if generation != self._generation or len(self.rows) > self.MOST:
            self.rows.clear()
        self._generation = None  # until this batch commits
        return self.rows

    def committed(self, generation: int) -> None:
        self._generation = generation

    def forget(self) -> None:
        self.rows.clear()
        self._generation = None

    @contextlib.contextmanager
    def forgotten_on_failure(self) -> Iterator[None]:
        """Around a batch: if it raises, it was rolled back, and what was kept may be what
        was not committed."""
        try:
            yield
        except BaseException:
            self.forget()
            raise


def kept_or_read(
    kept: dict[Any, Any] | None,
    kind: str,
    keys: Sequence[Any],
    read: Callable[[list[Any]], Mapping[Any, Any]],
) -> dict[Any, Any]:
    """The values of ``keys``: those kept (``UnitOfWork.kept``) under ``kind`` as they are,
    the others through ``read(missing keys)``."""
    known = {key: kept[kind, key] for key in keys if (kind, key) in kept} if kept else {}
    missing = [key for key in keys if key not in known]
    return {**known, **read(missing)} if missing else known


def keep(kept: dict[Any, Any] | None, kind: str, values: Mapping[Any, Any]) -> None:
    """Remember ``values`` as stored now, under ``kind`` (not to be changed in place after)."""
    if kept is not None:
        kept.update(((kind, key), value) for key, value in values.items())
