"""Rows a projection keeps in memory between feed batches (ADR 0020): handed back to the same
worker's next batch, and forgotten whenever anyone else may have changed them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from lienmach.bootstrap import create_schema
from lienmach.kernel import feed
from lienmach.kernel.bus import Bus
from lienmach.kernel.clock import SimulatedClock
from lienmach.kernel.delivery_rows import PROJECTIONS
from lienmach.kernel.jobs import JobRunner
from lienmach.kernel.messages import Event
from lienmach.kernel.runtime import Runtime
from lienmach.kernel.uow import UnitOfWork

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class Noted(Event):
    thing_id: str


#: What each call of the projection found kept: (thing, sorted kept keys), in order.
SEEN: list[tuple[str, list[str]]] = []


def on_noted_keep(uow: UnitOfWork, event: Noted) -> None:
    """A projection that keeps every thing it saw; refuses things named bad…"""
    if event.thing_id.startswith("bad"):
        raise RuntimeError(f"cannot keep {event.thing_id}")
    SEEN.append((event.thing_id, sorted(uow.kept or {})))
    if uow.kept is not None:
        uow.kept[event.thing_id] = True


def _worker(database: Any, clock: SimulatedClock) -> Runtime:
    """A runtime as a worker process has: its own bus, so its own kept rows."""
    return Runtime(
        engine=database.engine,
        clock=clock,
        bus=Bus([], {}, projections=[{Noted: [on_noted_keep]}]),
        job_runner=JobRunner({}),
        inline_drain=False,
    )


@pytest.fixture
def workers(database, clock) -> tuple[Runtime, Runtime]:  # type: ignore[no-untyped-def]
    create_schema(database.engine)
    SEEN.clear()
    return _worker(database, clock), _worker(database, clock)


def _publish(uow: UnitOfWork, *things: str) -> None:
    for thing in things:
        uow.publish(Noted(thing_id=thing))


def _feed(runtime: Runtime) -> None:
    """One batch of the feed, once the events are readable (on PostgreSQL a transaction
    older than theirs, here another session's, holds them back for a moment)."""
    for _ in range(500):
        outcome = runtime.bus.process_batch(
            runtime.engine, runtime.clock, limit=100, lane=PROJECTIONS
        )
        if not outcome.waiting:
            assert outcome.done, "the feed had nothing to read"
            return
    raise AssertionError("the feed's events stayed unreadable")


def _published_and_fed(publisher: Runtime, feeder: Runtime, *things: str) -> None:
    publisher.run(_publish, *things)
    _feed(feeder)


def test_a_worker_gets_back_what_it_kept_in_its_last_batch(
    workers: tuple[Runtime, Runtime],
) -> None:
    first, _ = workers
    _published_and_fed(first, first, "a")
    _published_and_fed(first, first, "b")

    assert SEEN == [("a", []), ("b", ["a"])]


def test_a_batch_of_another_worker_makes_a_worker_forget_what_it_kept(
    workers: tuple[Runtime, Runtime],
) -> None:
    first, second = workers
    _published_and_fed(first, first, "a")
    # The other worker takes this batch: the first one's copy is stale.
    _published_and_fed(first, second, "b")
    _published_and_fed(first, first, "c")

    assert SEEN == [("a", []), ("b", []), ("c", [])]


def test_a_retried_delivery_makes_every_worker_forget_what_it_kept(
    workers: tuple[Runtime, Runtime], clock: SimulatedClock
) -> None:
    first, _ = workers
    _published_and_fed(first, first, "a", "bad")  # kept: nothing; "bad" gets a delivery row
    _published_and_fed(first, first, "b")
    with first.engine.connect() as connection:
        before = feed.read_state(connection)[1]
    clock.advance(timedelta(minutes=10))
    first.drain()  # the row is retried (and fails again) beside the feed
    with first.engine.connect() as connection:
        assert feed.read_state(connection)[1] > before
    _published_and_fed(first, first, "c")

    kept_when = dict(SEEN)
    assert kept_when["b"] == [] and kept_when["c"] == []


def test_recomputing_makes_a_worker_forget_what_it_kept(
    workers: tuple[Runtime, Runtime],
) -> None:
    first, _ = workers
    _published_and_fed(first, first, "a")
    with first.engine.begin() as connection:
        # What a recompute from the log does last: the feed moves to where it rebuilt up to.
        feed.save_position(connection, feed.read_position(connection))
    _published_and_fed(first, first, "b")

    assert SEEN == [("a", []), ("b", [])]
