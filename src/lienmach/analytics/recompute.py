"""Recomputing the KPIs: every day sum again from the per-object facts upkeep keeps (the
"full recompute of all KPIs" of docs/kpis.md), or everything again from the event log.

Both report progress through an optional callback (the CLI draws a bar with it).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, func, literal, make_url, select, tuple_
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError, ProgrammingError

from lienmach.analytics import handlers, model, process_map_handlers, repository
from lienmach.analytics.process_map_projector import rebuild
from lienmach.analytics.services import MEASURED_EVENTS, recompute
from lienmach.analytics.tables import object_facts
from lienmach.kernel import feed
from lienmach.kernel.bus import subscriber_name
from lienmach.kernel.clock import SystemClock
from lienmach.kernel.db import make_engine
from lienmach.kernel.delivery_rows import hold_projections, settle_pending
from lienmach.kernel.messages import Event
from lienmach.kernel.tables import event_log
from lienmach.kernel.uow import UnitOfWork

Progress = Callable[[int], None]
_BATCH = 5_000


def count_objects(connection: Connection) -> int:
    """How many objects have facts (the length of a recompute from them)."""
    return int(connection.execute(select(func.count()).select_from(object_facts)).scalar_one())


def count_measured_events(connection: Connection) -> int:
    """How many logged events a recompute from the log folds (the length of its bar)."""
    measured = event_log.c.type.in_(sorted(MEASURED_EVENTS))
    return int(
        connection.execute(select(func.count()).select_from(event_log).where(measured)).scalar_one()
    )


def _facts_in_batches(connection: Connection) -> Iterator[list[Any]]:
    key = tuple_(object_facts.c.object_type, object_facts.c.object_id)
    after = ("", "")
    while True:
        rows = list(
            connection.execute(
                select(object_facts.c.object_type, object_facts.c.object_id, object_facts.c.facts)
                .where(key > tuple_(literal(after[0]), literal(after[1])))
                .order_by(object_facts.c.object_type, object_facts.c.object_id)
                .limit(_BATCH)
            )
        )
        if not rows:
            return
        yield rows
        after = (rows[-1].object_type, rows[-1].object_id)


def recompute_sums(uow: UnitOfWork, *, progress: Progress | None = None) -> dict[str, int]:
    """Rebuild every KPI's day sums from the per-object facts, leaving the facts as they are.

    The sums are the sum of each object's contribution, so this gives exactly what upkeep
    keeps; it repairs the sums without re-reading the log. Returns the objects read and the
    sum rows written.
    """
    connection = uow.connection
    hold_projections(connection)  # upkeep adding to the sums meanwhile would be lost
    sums: Counter[model.SumKey] = Counter()
    objects = 0
    for rows in _facts_in_batches(connection):
        for row in rows:
            sums.update(model.contribution(dict(row.facts)))
        objects += len(rows)
        if progress is not None:
            progress(len(rows))
    repository.forget_sums(connection)
    written = repository.write_sums(connection, sums)
    return {"objects": objects, "sums": written}


def recompute_from_log(uow: UnitOfWork, *, progress: Progress | None = None) -> dict[str, int]:
    """Rebuild facts, sums and attributes, then the process map, from the whole event log.

    Live upkeep may be behind: with the projections held off (PostgreSQL: their lock, so no
    worker adds to the rows being rebuilt), the rebuild takes the log up to where their feed
    can read now and moves the feed there; their pending retries of events it took in are
    settled. Upkeep then goes on after it rather than over the same events again (folding
    an event twice would change nothing, but costs as much as the first time).
    """
    connection = uow.connection
    hold_projections(connection)
    up_to = feed.frontier(connection)
    counts = recompute(uow, progress=progress, up_to=up_to)
    counts["orders_on_map"] = rebuild(connection, up_to)
    feed.save_position(connection, up_to)
    settle_pending(connection, PROJECTION_SUBSCRIBERS, up_to, uow.now())
    return counts


#: The projections analytics keeps, named as the bus names them in delivery rows.
PROJECTION_SUBSCRIBERS = sorted(
    {
        subscriber_name(handler)
        for table in (handlers.SUBSCRIPTIONS, process_map_handlers.SUBSCRIPTIONS)
        for subscribed in table.values()
        for handler in subscribed
    }
)


class CannotRecompute(Exception):
    """The database named cannot be opened, or holds no Lienmach tables."""


def open_database(url: str) -> Engine:
    """An engine on the database at ``url``; refuses a missing SQLite file or a bad URL
    rather than creating an empty database."""
    try:
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").is_file():
            raise CannotRecompute(f"no database file at {parsed.database!r}")
        return make_engine(url)
    except (ArgumentError, NoSuchModuleError, ValueError) as error:
        raise CannotRecompute(f"not a database URL: {url!r}") from error


def run_recompute(
    engine: Engine,
    *,
    from_log: bool,
    start: Callable[[str, int], Any],
    advance: Callable[[Any, int], None],
) -> dict[str, int]:
    """Recompute in one transaction, announcing its length with ``start(name, total)`` and
    its progress with ``advance(task, done)``."""
    try:
        with engine.begin() as connection:
            uow = UnitOfWork(
                None, clock=SystemClock(), subscribers_of=_nobody, connection=connection
            )
            if from_log:
                name, total = "event log → KPIs, process map", count_measured_events(connection)
            else:
                name, total = "facts → KPI day sums", count_objects(connection)
            task, done = start(name, total), [0]

            def step(count: int) -> None:
                done[0] += count
                advance(task, count)

            if from_log:
                counts = recompute_from_log(uow, progress=step)
            else:
                counts = recompute_sums(uow, progress=step)
            advance(task, max(0, total - done[0]))  # the last, partial batch
            return counts
    except (OperationalError, ProgrammingError) as error:
        raise CannotRecompute(f"cannot read the analytics tables ({error.orig})") from error


def _nobody(_kind: type[Event]) -> list[str]:
    return []  # a recompute publishes nothing
