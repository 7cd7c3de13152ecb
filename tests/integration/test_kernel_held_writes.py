"""On SQLite a projection batch folds outside the one write lock and writes under it (ADR 0021):
others write meanwhile; a batch whose feed moved meanwhile is done again, counted once."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from lienmach.bootstrap import create_schema
from lienmach.kernel import feed
from lienmach.kernel.bus import Bus, DeliveryOutcome, Logged, reads_logged
from lienmach.kernel.clock import SimulatedClock
from lienmach.kernel.db import make_engine
from lienmach.kernel.delivery_rows import PROJECTIONS
from lienmach.kernel.messages import Event
from lienmach.kernel.tables import event_log
from lienmach.kernel.uow import UnitOfWork

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class Tallied(Event):
    thing_id: str


@dataclass(frozen=True)
class TallyNoticed(Event):
    thing_id: str


class Scene:
    """The database file, and what the projection should do beside its own writes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.calls = 0
        self.others_wrote: list[str] = []
        self.meanwhile: Any = None  # called (with the scene) during the first fold


SCENE: list[Scene] = []


@reads_logged
def on_tallied_count(uow: UnitOfWork, logged: list[Logged]) -> None:
    """Counts each thing once (a second insert of one thing would fail), and says so."""
    scene = SCENE[-1]
    scene.calls += 1
    if scene.calls == 1 and scene.meanwhile is not None:
        scene.meanwhile(scene)
    for event in logged:
        thing = str(event.payload["thing_id"])
        uow.write(
            lambda connection, thing=thing: connection.exec_driver_sql(
                "INSERT INTO tally (thing) VALUES (?)", (thing,)
            )
        )
        uow.publish(TallyNoticed(thing_id=thing))


@pytest.fixture
def scene(tmp_path: Path) -> Iterator[tuple[Scene, sa.Engine, Bus]]:
    path = tmp_path / "held.db"
    engine = make_engine(f"sqlite:///{path}")
    create_schema(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE tally (thing TEXT PRIMARY KEY)")
        connection.exec_driver_sql("CREATE TABLE other_work (note TEXT)")
    SCENE.append(Scene(path))
    bus = Bus([], {}, projections=[{Tallied: [on_tallied_count]}])
    yield SCENE[-1], engine, bus
    SCENE.clear()
    engine.dispose()


def _publish(engine: sa.Engine, clock: SimulatedClock, *things: str) -> None:
    with engine.connect() as connection, connection.begin():
        uow = UnitOfWork(None, connection=connection, clock=clock, subscribers_of=lambda _: [])
        for thing in things:
            uow.publish(Tallied(thing_id=thing))
        uow.flush()


def _tally(engine: sa.Engine) -> list[str]:
    with engine.connect() as connection:
        return [row[0] for row in connection.exec_driver_sql("SELECT thing FROM tally ORDER BY 1")]


def _another_writer(scene: Scene) -> None:
    """Another process writing, patient for a fifth of a second only."""
    other = sqlite3.connect(scene.path, timeout=0.2, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO other_work (note) VALUES ('written while the batch folded')")
        other.execute("COMMIT")
        scene.others_wrote.append("yes")
    finally:
        other.close()


def _one_batch(
    scene: tuple[Scene, sa.Engine, Bus], clock: SimulatedClock, meanwhile: Any, *things: str
) -> DeliveryOutcome:
    """``things`` published, then one projections batch, with ``meanwhile`` done as it folds."""
    state, engine, bus = scene
    state.meanwhile = meanwhile
    _publish(engine, clock, *things)
    return bus.process_batch(engine, clock, limit=100, lane=PROJECTIONS)


def test_others_write_while_a_projection_batch_folds(
    scene: tuple[Scene, sa.Engine, Bus], clock: SimulatedClock
) -> None:
    state, engine, _ = scene
    outcome = _one_batch(scene, clock, _another_writer, "a", "b", "c")

    assert state.others_wrote == ["yes"], "the batch held the write lock while it folded"
    assert outcome.done == 3 and outcome.failed == 0
    assert _tally(engine) == ["a", "b", "c"]
    with engine.connect() as connection:
        noticed = connection.execute(
            sa.select(sa.func.count()).where(event_log.c.type == "TallyNoticed")
        ).scalar_one()
        assert noticed == 3  # what the projection published is written with its writes
        assert feed.lag(connection) == 3  # past the three it took; its own three are next


def _another_batch_moved_the_feed(scene: Scene) -> None:
    engine = make_engine(f"sqlite:///{scene.path}")
    try:
        with engine.connect() as connection, connection.begin():
            # Another worker's batch: it saves the feed's position (here: where it was).
            feed.save_position(connection, feed.read_state(connection)[0])
    finally:
        engine.dispose()


def test_a_batch_whose_feed_moved_meanwhile_is_done_again_and_counted_once(
    scene: tuple[Scene, sa.Engine, Bus], clock: SimulatedClock
) -> None:
    state, engine, _ = scene
    outcome = _one_batch(scene, clock, _another_batch_moved_the_feed, "a", "b")

    assert state.calls == 2  # folded, found stale, folded again under the lock
    assert outcome.done == 2
    assert _tally(engine) == ["a", "b"]
    with engine.connect() as connection:
        assert feed.lag(connection) == 2  # only the two TallyNoticed it published


@dataclass(frozen=True)
class Counted(Event):
    thing_id: str


#: Threads of the race below: A enters first, B folds while A waits (unless kept apart).
RACE = {name: threading.Event() for name in ("a_folding", "b_kept", "a_done")}


@reads_logged
def on_counted_add(uow: UnitOfWork, logged: list[Logged]) -> None:
    """Keeps a running total of things: from its kept copy, else from the table."""
    kept = uow.kept if uow.kept is not None else {}
    if "total" in kept:
        total = kept["total"]
    else:
        found = uow.connection.exec_driver_sql("SELECT n FROM counted").scalar()
        total = int(found or 0)
    if threading.current_thread().name == "A":
        RACE["a_folding"].set()
        RACE["b_kept"].wait(timeout=0.5)  # B, if it may fold now, keeps its total meanwhile
        total = kept.get("total", total)
    else:
        RACE["b_kept"].set()
    total += len(logged)
    kept["total"] = total
    if threading.current_thread().name == "B":
        RACE["a_done"].wait(timeout=5)
    uow.write(lambda connection: connection.exec_driver_sql("UPDATE counted SET n = ?", (total,)))


def test_two_threads_of_one_process_fold_the_feed_one_after_the_other(
    tmp_path: Path, clock: SimulatedClock
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'race.db'}")
    create_schema(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE counted (n INTEGER)")
        connection.exec_driver_sql("INSERT INTO counted (n) VALUES (0)")
    for signal in RACE.values():
        signal.clear()
    bus = Bus([], {}, projections=[{Counted: [on_counted_add]}])
    with engine.connect() as connection, connection.begin():
        uow = UnitOfWork(None, connection=connection, clock=clock, subscribers_of=lambda _: [])
        for thing in ("a", "b", "c"):
            uow.publish(Counted(thing_id=thing))
        uow.flush()

    def feed_once() -> None:
        bus.process_batch(engine, clock, limit=100, lane=PROJECTIONS)
        if threading.current_thread().name == "A":
            RACE["a_done"].set()

    first = threading.Thread(target=feed_once, name="A")
    first.start()
    assert RACE["a_folding"].wait(timeout=5)
    second = threading.Thread(target=feed_once, name="B")
    second.start()
    first.join(timeout=10)
    second.join(timeout=10)

    with engine.connect() as connection:
        # Each thing counted once: B's total, not yet written, never reached A's fold.
        assert connection.exec_driver_sql("SELECT n FROM counted").scalar() == 3
        assert feed.lag(connection) == 0
    engine.dispose()
