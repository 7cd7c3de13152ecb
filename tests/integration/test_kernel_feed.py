"""The projections' feed: every event read once in commit order, failures retried by rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, func, select

from lienmach.bootstrap import create_schema
from lienmach.kernel import feed
from lienmach.kernel.bus import MAX_ATTEMPTS, Bus, subscriber_name
from lienmach.kernel.delivery_rows import PROJECTIONS, pending_work
from lienmach.kernel.jobs import JobRunner
from lienmach.kernel.messages import Event
from lienmach.kernel.runtime import Runtime
from lienmach.kernel.tables import event_deliveries
from lienmach.kernel.uow import UnitOfWork

pytestmark = pytest.mark.integration

folded_metadata = MetaData()
folded = Table(
    "test_folded",
    folded_metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("thing_id", String(40), nullable=False),
    Column("event_id", String(32), nullable=False),
)


@dataclass(frozen=True)
class Counted(Event):
    thing_id: str


@dataclass(frozen=True)
class NotCounted(Event):
    thing_id: str


def on_counted_fold(uow: UnitOfWork, event: Counted) -> None:
    """A projection: notes each event it is given, in the order given."""
    assert uow.handling is not None
    if event.thing_id.startswith("bad"):
        raise RuntimeError(f"cannot fold {event.thing_id}")
    uow.connection.execute(
        folded.insert().values(thing_id=event.thing_id, event_id=uow.handling[0])
    )


def on_counted_journey(uow: UnitOfWork, event: Counted) -> None:
    """A journey subscriber: given a delivery row as before."""


@pytest.fixture
def fed_runtime(database, clock) -> Runtime:  # type: ignore[no-untyped-def]
    create_schema(database.engine)
    folded_metadata.create_all(database.engine)
    bus = Bus(
        [{Counted: [on_counted_journey]}],
        {},
        projections=[{Counted: [on_counted_fold]}],
    )
    return Runtime(
        engine=database.engine,
        clock=clock,
        bus=bus,
        job_runner=JobRunner({}),
        inline_drain=False,
    )


def _publish(uow: UnitOfWork, *things: str) -> None:
    for thing in things:
        uow.publish(Counted(thing_id=thing))
    uow.publish(NotCounted(thing_id="x"))


def _folded(runtime: Runtime) -> list[str]:
    with runtime.engine.connect() as connection:
        return list(connection.execute(select(folded.c.thing_id).order_by(folded.c.seq)).scalars())


def _deliveries(runtime: Runtime) -> list[tuple[str, str, int]]:
    with runtime.engine.connect() as connection:
        rows = connection.execute(
            select(
                event_deliveries.c.subscriber, event_deliveries.c.state, event_deliveries.c.attempts
            ).order_by(event_deliveries.c.subscriber, event_deliveries.c.state)
        )
        return [(subscriber.rsplit(".", 1)[-1], state, n) for subscriber, state, n in rows]


def test_projections_read_every_event_once_in_commit_order_without_delivery_rows(
    fed_runtime: Runtime,
) -> None:
    fed_runtime.run(_publish, "a1", "a2")
    fed_runtime.run(_publish, "b1")
    with fed_runtime.engine.connect() as connection:
        assert pending_work(connection) == 3 + 5  # a journey delivery per Counted; unread events

    fed_runtime.drain()
    fed_runtime.run(_publish, "c1")
    fed_runtime.drain()
    fed_runtime.drain()  # nothing new: nothing folded twice

    assert _folded(fed_runtime) == ["a1", "a2", "b1", "c1"]
    # Only the journey subscriber has rows; the projection has none.
    assert _deliveries(fed_runtime) == [("on_counted_journey", "done", 1)] * 4
    with fed_runtime.engine.connect() as connection:
        assert feed.lag(connection) == 0
        assert pending_work(connection) == 0


def test_a_batch_of_the_feed_is_bounded_and_the_next_goes_on_from_its_position(
    fed_runtime: Runtime, clock
) -> None:  # type: ignore[no-untyped-def]
    fed_runtime.run(_publish, *[f"t{n:02}" for n in range(7)])

    outcome = fed_runtime.bus.process_batch(fed_runtime.engine, clock, limit=3, lane=PROJECTIONS)
    assert outcome.done == 3
    assert _folded(fed_runtime) == ["t00", "t01", "t02"]
    with fed_runtime.engine.connect() as connection:
        assert feed.lag(connection) == 5  # four of Counted, one NotCounted

    fed_runtime.drain()
    assert _folded(fed_runtime) == [f"t{n:02}" for n in range(7)]


def test_an_event_a_projection_fails_on_gets_a_delivery_row_and_is_retried_then_dead(
    fed_runtime: Runtime, clock
) -> None:  # type: ignore[no-untyped-def]
    fed_runtime.run(_publish, "ok1", "bad1", "ok2")
    fed_runtime.drain()

    # The others are folded; the failing one waits in a row of its own, with its error.
    assert _folded(fed_runtime) == ["ok1", "ok2"]
    assert ("on_counted_fold", "pending", 1) in _deliveries(fed_runtime)
    with fed_runtime.engine.connect() as connection:
        assert feed.lag(connection) == 0
        error = connection.execute(
            select(event_deliveries.c.last_error).where(
                event_deliveries.c.subscriber == subscriber_name(on_counted_fold)
            )
        ).scalar_one()
    assert "cannot fold bad1" in error

    for _ in range(MAX_ATTEMPTS):
        clock.advance(timedelta(minutes=10))
        fed_runtime.drain()
    assert ("on_counted_fold", "dead", MAX_ATTEMPTS) in _deliveries(fed_runtime)
    assert _folded(fed_runtime) == ["ok1", "ok2"]


# SQLite has one writer at a time: there a transaction cannot overtake another.
@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
def test_postgresql_feed_waits_for_a_transaction_that_began_earlier_and_commits_later(
    fed_runtime: Runtime,
) -> None:
    slow = fed_runtime.uow("slow")
    with slow:
        _publish(slow, "early")
        slow.flush()  # its transaction id is taken now, before the next one's
        fed_runtime.run(_publish, "late")

        outcome = fed_runtime.bus.process_batch(
            fed_runtime.engine, fed_runtime.clock, lane=PROJECTIONS
        )
        # Reading "late" now would move the position past "early", which would be lost; the
        # feed says it is waiting, so a drain goes on until "early" is committed.
        assert outcome.waiting == 1 and outcome.done == 0
        assert _folded(fed_runtime) == []
        slow.commit()

    fed_runtime.drain()
    assert _folded(fed_runtime) == ["early", "late"]
    with fed_runtime.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(folded)).scalar_one() == 2
