"""Periodic tasks: run when due by the runtime's clock, each key in its own unit of work."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Connection

from lienmach.bootstrap import create_schema
from lienmach.kernel.bus import Bus
from lienmach.kernel.clock import SimulatedClock
from lienmach.kernel.jobs import JobRunner
from lienmach.kernel.runtime import PeriodicTask, Runtime
from lienmach.kernel.uow import UnitOfWork
from tests.conftest import START, Database

pytestmark = pytest.mark.integration


class Sweep:
    """A sweep over a to-do list: ``find`` lists what is left, ``act`` ticks one off."""

    def __init__(self, keys: Sequence[str], *, failing: Sequence[str] = ()) -> None:
        self.left = list(keys)
        self.failing = set(failing)
        self.finds: list[datetime] = []
        self.actors: list[str] = []

    def find(self, _connection: Connection, now: datetime, limit: int) -> Sequence[str]:
        self.finds.append(now)
        return self.left[:limit]

    def act(self, uow: UnitOfWork, key: str) -> bool:
        self.actors.append(uow.actor)
        if key in self.failing:
            raise RuntimeError(f"cannot do {key} now")
        self.left.remove(key)
        return True


@pytest.fixture
def runtime_for(database: Database, clock: SimulatedClock) -> Callable[..., Runtime]:
    """A bare runtime (no subscribers, no job kinds) running the given periodic tasks."""
    engine = database.engine
    create_schema(engine)

    def build(*tasks: PeriodicTask) -> Runtime:
        return Runtime(
            engine=engine,
            clock=clock,
            bus=Bus([], {}),
            job_runner=JobRunner({}),
            inline_drain=True,
            periodic=tasks,
        )

    return build


def test_a_task_runs_at_once_then_once_per_interval(
    runtime_for: Callable[..., Runtime], clock: SimulatedClock
) -> None:
    sweep = Sweep(["a"])
    runtime = runtime_for(PeriodicTask("sweep", timedelta(minutes=5), sweep.find, sweep.act))

    assert runtime.run_periodic() == 1
    assert sweep.actors == ["periodic:sweep"]
    clock.advance(timedelta(minutes=4))
    assert runtime.run_periodic() == 0
    assert sweep.finds == [START]  # not due again yet: not even looked
    clock.advance(timedelta(minutes=1))
    sweep.left.append("b")
    assert runtime.work_once() == 1
    assert sweep.finds == [START, START + timedelta(minutes=5)] and sweep.left == []


def test_a_failing_key_does_not_stop_the_others_and_is_tried_again_next_run(
    runtime_for: Callable[..., Runtime], clock: SimulatedClock
) -> None:
    sweep = Sweep(["a", "b", "c"], failing=["b"])
    runtime = runtime_for(PeriodicTask("sweep", timedelta(minutes=5), sweep.find, sweep.act))

    assert runtime.run_periodic() == 2
    assert sweep.left == ["b"]
    sweep.failing.clear()
    clock.advance(timedelta(minutes=5))
    assert runtime.run_periodic() == 1
    assert sweep.left == []


def test_a_full_batch_runs_again_at_the_next_round_so_a_drain_clears_the_backlog(
    runtime_for: Callable[..., Runtime],
) -> None:
    sweep = Sweep([f"k{n}" for n in range(7)])
    runtime = runtime_for(PeriodicTask("sweep", timedelta(hours=1), sweep.find, sweep.act, batch=3))

    assert runtime.drain() == 7
    assert sweep.left == [] and len(sweep.finds) == 3
