"""Handlers given their whole batch: one call for many events, and the one bad event of a
batch still found and parked alone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from lienmach.bootstrap import create_schema
from lienmach.kernel import bus as bus_module
from lienmach.kernel.bus import Bus, handles_batches
from lienmach.kernel.jobs import JobRunner
from lienmach.kernel.messages import Event
from lienmach.kernel.runtime import Runtime
from lienmach.kernel.tables import event_deliveries
from lienmach.kernel.uow import UnitOfWork

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class ParcelWeighed(Event):
    parcel_id: str
    grams: int


calls: list[list[str]] = []
weighed: list[str] = []


@handles_batches
def on_parcels_weighed_note_them(uow: UnitOfWork, events: list[ParcelWeighed]) -> None:
    calls.append([event.parcel_id for event in events])
    if any(event.grams < 0 for event in events):
        raise ValueError("a parcel cannot weigh less than nothing")
    weighed.extend(event.parcel_id for event in events)


@pytest.fixture
def batch_runtime(database, clock) -> Runtime:  # type: ignore[no-untyped-def]
    create_schema(database.engine)
    calls.clear()
    weighed.clear()
    bus = Bus([{ParcelWeighed: [on_parcels_weighed_note_them]}], {})
    return Runtime(
        engine=database.engine, clock=clock, bus=bus, job_runner=JobRunner({}), inline_drain=False
    )


def _weigh(uow: UnitOfWork, parcels: dict[str, int]) -> None:
    for parcel_id, grams in parcels.items():
        uow.publish(ParcelWeighed(parcel_id=parcel_id, grams=grams))


def _states(runtime: Runtime) -> list[str]:
    with runtime.engine.connect() as connection:
        return list(connection.execute(select(event_deliveries.c.state)).scalars())


def test_a_batch_handler_is_called_once_with_every_event_of_the_batch(
    batch_runtime: Runtime,
) -> None:
    batch_runtime.run(_weigh, {"P1": 500, "P2": 700, "P3": 900})

    batch_runtime.work_once()

    assert calls == [["P1", "P2", "P3"]]
    assert weighed == ["P1", "P2", "P3"]
    assert _states(batch_runtime) == ["done"] * 3


def test_one_bad_event_fails_alone_and_the_rest_of_its_batch_is_done(
    batch_runtime: Runtime, clock
) -> None:  # type: ignore[no-untyped-def]
    batch_runtime.run(_weigh, {"P1": 500, "P2": -1, "P3": 900})

    for _ in range(bus_module.MAX_ATTEMPTS + 1):
        batch_runtime.work_once()
        clock.advance(timedelta(minutes=10))

    # The whole batch failed once, then each event was given alone.
    assert calls[0] == ["P1", "P2", "P3"]
    assert all(len(call) == 1 for call in calls[1:])
    assert sorted(weighed[-2:]) == ["P1", "P3"] and "P2" not in weighed
    assert sorted(_states(batch_runtime)) == ["dead", "done", "done"]


@dataclass(frozen=True)
class ParcelLabelled(Event):
    parcel_id: str


order_of_calls: list[str] = []


@handles_batches
def on_parcels_weighed_first(uow: UnitOfWork, events: list[ParcelWeighed]) -> None:
    order_of_calls.extend(f"weighed {event.parcel_id}" for event in events)


def on_parcel_labelled_second(uow: UnitOfWork, event: ParcelLabelled) -> None:
    order_of_calls.append(f"labelled {event.parcel_id}")


def test_a_batch_runs_its_subscribers_in_the_order_they_subscribed(database, clock) -> None:  # type: ignore[no-untyped-def]
    """Whatever order the events came in, every batch calls its handlers in one order, so
    every batch takes the rows they lock in one order (no two workers deadlock crosswise)."""
    create_schema(database.engine)
    order_of_calls.clear()
    bus = Bus(
        [
            {ParcelWeighed: [on_parcels_weighed_first]},
            {ParcelLabelled: [on_parcel_labelled_second]},
        ],
        {},
    )
    runtime = Runtime(
        engine=database.engine, clock=clock, bus=bus, job_runner=JobRunner({}), inline_drain=False
    )

    def label_then_weigh(uow: UnitOfWork) -> None:
        uow.publish(ParcelLabelled(parcel_id="P1"))
        uow.publish(ParcelWeighed(parcel_id="P2", grams=300))
        uow.publish(ParcelLabelled(parcel_id="P3"))
        uow.publish(ParcelWeighed(parcel_id="P4", grams=400))

    runtime.run(label_then_weigh)
    runtime.work_once()

    assert order_of_calls == ["weighed P2", "weighed P4", "labelled P1", "labelled P3"]
