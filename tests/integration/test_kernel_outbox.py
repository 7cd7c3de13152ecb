"""The outbox and the job queue: exactly-once effects, bounded retries, dead letters, leases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, func, select

from lienmach.bootstrap import create_schema
from lienmach.kernel import bus as bus_module
from lienmach.kernel import delivery_rows
from lienmach.kernel import jobs as jobs_module
from lienmach.kernel.bus import Bus
from lienmach.kernel.errors import ConcurrencyConflict, DomainError
from lienmach.kernel.jobs import JobKind, JobRunner
from lienmach.kernel.messages import Event
from lienmach.kernel.runtime import Runtime
from lienmach.kernel.tables import event_deliveries, event_log, event_objects, jobs
from lienmach.kernel.uow import UnitOfWork

pytestmark = pytest.mark.integration

effects_metadata = MetaData()
effects = Table(
    "test_effects",
    effects_metadata,
    Column("key", String(40), primary_key=True),
    Column("n", Integer),
)


@dataclass(frozen=True)
class ThingHappened(Event):
    thing_id: str
    order_id: str


calls: list[str] = []


def on_thing_count_it(uow: UnitOfWork, event: ThingHappened) -> None:
    calls.append(event.thing_id)
    uow.connection.execute(effects.insert().values(key=event.thing_id, n=1))


def on_thing_fail(uow: UnitOfWork, event: ThingHappened) -> None:
    uow.connection.execute(effects.insert().values(key="never-" + event.thing_id, n=1))
    raise RuntimeError("the printer is on fire")


@pytest.fixture
def kernel_runtime(database, clock) -> Runtime:  # type: ignore[no-untyped-def]
    create_schema(database.engine)
    effects_metadata.create_all(database.engine)
    calls.clear()
    bus = Bus([{ThingHappened: [on_thing_count_it, on_thing_fail]}], {})
    performed: list[dict[str, Any]] = []
    kinds = {
        "test.io": JobKind(
            "test.io",
            perform=lambda payload: performed.append(dict(payload)) or {"ok": True},
            timeout_seconds=5,
        ),
    }
    runtime = Runtime(
        engine=database.engine,
        clock=clock,
        bus=bus,
        job_runner=JobRunner(kinds),
        inline_drain=False,
    )
    runtime.adapters["performed"] = performed
    return runtime


def _publish(uow: UnitOfWork, *, thing_id: str) -> None:
    uow.publish(ThingHappened(thing_id=thing_id, order_id="O1"))


def test_an_event_is_logged_with_its_objects_and_one_delivery_per_subscriber(
    kernel_runtime: Runtime,
) -> None:
    kernel_runtime.run(_publish, thing_id="T1")

    with kernel_runtime.engine.connect() as connection:
        assert connection.execute(select(event_log.c.type)).scalars().all() == ["ThingHappened"]
        objects = set(
            connection.execute(select(event_objects.c.object_type, event_objects.c.object_id)).all()
        )
        assert objects == {("thing", "T1"), ("order", "O1")}
        assert (
            connection.execute(select(func.count()).select_from(event_deliveries)).scalar_one() == 2
        )


def test_a_rolled_back_change_publishes_nothing(kernel_runtime: Runtime) -> None:
    with kernel_runtime.uow() as uow:
        _publish(uow, thing_id="T1")
        # no commit

    with kernel_runtime.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(event_log)).scalar_one() == 0


def test_effects_happen_once_and_failures_retry_then_park_as_dead(
    kernel_runtime: Runtime, clock
) -> None:  # type: ignore[no-untyped-def]
    kernel_runtime.run(_publish, thing_id="T1")

    for _ in range(bus_module.MAX_ATTEMPTS + 2):
        kernel_runtime.work_once()
        clock.advance(timedelta(minutes=10))

    assert set(calls) == {"T1"}  # a handler may run again after a rolled-back batch
    with kernel_runtime.engine.connect() as connection:
        assert connection.execute(select(effects.c.key)).scalars().all() == ["T1"]
        states = dict(
            connection.execute(
                select(event_deliveries.c.subscriber, event_deliveries.c.state)
            ).all()
        )
        rows = connection.execute(
            select(event_deliveries.c.attempts, event_deliveries.c.last_error).where(
                event_deliveries.c.state == "dead"
            )
        ).all()
    assert sorted(states.values()) == ["dead", "done"]
    assert (
        rows[0].attempts == bus_module.MAX_ATTEMPTS and "printer is on fire" in rows[0].last_error
    )


def test_a_job_recorded_twice_runs_once_and_a_lost_lease_is_taken_over(
    kernel_runtime: Runtime, clock
) -> None:  # type: ignore[no-untyped-def]
    def record(uow: UnitOfWork) -> None:
        uow.record_job("test.io", key="io:1", payload={"n": 1})
        uow.record_job("test.io", key="io:1", payload={"n": 1})

    kernel_runtime.run(record)
    kernel_runtime.run(record)
    # A worker claims the job and dies before finishing it.
    claimed = kernel_runtime.job_runner._claim(kernel_runtime.engine, clock, 10)
    assert len(claimed) == 1
    assert kernel_runtime.work_once() == 0  # leased: nobody else takes it yet
    clock.advance(timedelta(minutes=1))
    kernel_runtime.work_once()

    assert kernel_runtime.adapters["performed"] == [{"n": 1}]
    with kernel_runtime.engine.connect() as connection:
        assert connection.execute(select(jobs.c.state, jobs.c.attempts)).all() == [("done", 2)]


def test_a_worker_whose_lease_ran_out_cannot_record_its_result_over_the_next_ones(
    kernel_runtime: Runtime, clock
) -> None:  # type: ignore[no-untyped-def]
    kernel_runtime.run(lambda uow: uow.record_job("test.io", key="io:2", payload={"n": 2}))
    (stale,) = kernel_runtime.job_runner._claim(kernel_runtime.engine, clock, 10)
    clock.advance(timedelta(minutes=1))  # its lease ends; another worker takes it over
    kernel_runtime.work_once()

    with pytest.raises(jobs_module.LeaseLost), kernel_runtime.uow("job") as uow:
        jobs_module._finish(uow, [(stale, {"late": True})])

    with kernel_runtime.engine.connect() as connection:
        found = connection.execute(select(jobs.c.state, jobs.c.attempts, jobs.c.result)).all()
    assert found == [("done", 2, {"ok": True})]


def test_a_unit_of_work_that_lost_a_race_is_run_again_and_commits_once(
    kernel_runtime: Runtime,
) -> None:
    tries: list[int] = []

    def flaky(uow: UnitOfWork) -> str:
        tries.append(1)
        _publish(uow, thing_id=f"T{len(tries)}")
        if len(tries) == 1:
            raise ConcurrencyConflict("someone else changed it")
        return "done"

    assert kernel_runtime.run(flaky) == "done"

    assert len(tries) == 2
    with kernel_runtime.engine.connect() as connection:
        payloads = connection.execute(select(event_log.c.payload)).scalars().all()
    assert [payload["thing_id"] for payload in payloads] == ["T2"]


def test_a_business_refusal_is_not_retried(kernel_runtime: Runtime) -> None:
    tries: list[int] = []

    def refused(uow: UnitOfWork) -> None:
        tries.append(1)
        raise DomainError("no")

    with pytest.raises(DomainError):
        kernel_runtime.run(refused)
    assert len(tries) == 1


def on_thing_project_it(uow: UnitOfWork, event: ThingHappened) -> None:
    uow.connection.execute(effects.insert().values(key="projected-" + event.thing_id, n=1))


def _two_lanes(database, clock) -> tuple[Bus, Runtime]:  # type: ignore[no-untyped-def]
    """A journey subscriber and a projection of the same event, no inline drain."""
    create_schema(database.engine)
    effects_metadata.create_all(database.engine)
    calls.clear()
    bus = Bus(
        [{ThingHappened: [on_thing_count_it]}],
        {},
        projections=[{ThingHappened: [on_thing_project_it]}],
    )
    runtime = Runtime(
        engine=database.engine, clock=clock, bus=bus, job_runner=JobRunner({}), inline_drain=False
    )
    return bus, runtime


def test_projections_run_in_their_own_lane_by_one_worker_at_a_time(database, clock) -> None:  # type: ignore[no-untyped-def]
    bus, runtime = _two_lanes(database, clock)
    runtime.run(_publish, thing_id="T1")

    # The journey lane leaves the projection's delivery alone, and the other way round.
    journey = bus.process_batch(database.engine, clock, lane=bus_module.JOURNEY)
    assert journey.done == 1 and calls == ["T1"]
    if database.kind == "postgresql":
        # While another worker holds the projections, this one does not run them.
        with database.engine.connect() as other, other.begin():
            other.execute(delivery_rows.TRY_PROJECTIONS_LOCK)
            assert bus.process_batch(database.engine, clock, lane=bus_module.PROJECTIONS).done == 0
    projected = bus.process_batch(database.engine, clock, lane=bus_module.PROJECTIONS)

    assert projected.done == 1
    with database.engine.connect() as connection:
        keys = set(connection.execute(select(effects.c.key)).scalars())
        states = set(connection.execute(select(event_deliveries.c.state)).scalars())
    assert keys == {"T1", "projected-T1"} and states == {"done"}


def test_a_delivery_to_a_subscriber_gone_from_the_code_fails_visibly(database, clock) -> None:  # type: ignore[no-untyped-def]
    bus, runtime = _two_lanes(database, clock)
    runtime.run(_publish, thing_id="T1")
    with database.engine.begin() as connection:  # a handler an earlier release subscribed
        connection.execute(
            event_deliveries.update()
            .where(event_deliveries.c.subscriber == bus_module.subscriber_name(on_thing_count_it))
            .values(subscriber="lienmach.retired.on_thing_do_something")
        )

    # No lane names it; once the journey is idle, it is claimed, fails and is retried.
    outcome = bus.process_batch(database.engine, clock, lane=bus_module.JOURNEY)

    assert outcome.failed == 1
    with database.engine.connect() as connection:
        error = connection.execute(
            select(event_deliveries.c.last_error).where(
                event_deliveries.c.subscriber == "lienmach.retired.on_thing_do_something"
            )
        ).scalar_one()
    assert "no subscriber named lienmach.retired.on_thing_do_something" in error
