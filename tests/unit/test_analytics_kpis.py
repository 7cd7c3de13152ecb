"""The five KPIs from hand-built event sequences with known answers: a cancelled order, a
partial shipment in two parcels, a reopened ticket, an order-less ticket past its SLA; and the
same answers whatever order the events arrive in, folded in memory and on both databases."""

from __future__ import annotations

import copy
import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from lienmach.aftersales.events import SurveyAnswered, TicketOpened, TicketReopened, TicketResolved
from lienmach.analytics import folding, kpis, model
from lienmach.analytics.costs import DEFAULT_RATES
from lienmach.analytics.queries import Window, kpi_values, sums
from lienmach.analytics.services import fold_event, recompute
from lienmach.bootstrap import create_schema
from lienmach.fulfilment.events import ParcelPacked, PickTaskPicked, PickTaskQueued, ScanRejected
from lienmach.kernel.clock import SimulatedClock
from lienmach.kernel.messages import Event
from lienmach.kernel.uow import UnitOfWork
from lienmach.orders.events import (
    OrderCancelled,
    OrderDelivered,
    OrderPlaced,
    OrderReserved,
    OrderShipped,
)
from lienmach.shipping.events import ShipmentBooked, ShipmentDelivered, ShipmentFailed
from tests.analytics_state import day_sums
from tests.conftest import Database

T0 = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)  # 08:00 in Ho Chi Minh City, Monday 2 Nov
HOUR = 3600
DAY = Window(T0.date(), T0.date() + timedelta(days=3))


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def placed(order: str, products: tuple[str, ...]) -> OrderPlaced:
    return OrderPlaced(
        order_id=order,
        customer_id="C1",
        channel="web",
        payment_method="cod",
        line_ids=("L-" + order,),
        total_vnd=500_000,
        province_code="01",
        product_ids=products,
    )


def booked(order: str, shipment: str, fee: int) -> ShipmentBooked:
    return ShipmentBooked(shipment, order, "PC-" + shipment, "GHN", "TR-" + shipment, fee, 0)


def story() -> list[tuple[datetime, Event]]:
    """O1 delivered in 20 h; O2 shipped in two parcels, delivered in 30 h, a failed attempt
    and a ticket reopened once (open 2 h + 4 h); O3 cancelled; K2 an order-less ticket
    resolved after 30 h, past its SLA."""
    return [
        (at(0), placed("O1", ("P1", "P2"))),
        (at(1), OrderReserved("O1", ("R1",), ("W1",))),
        (at(1), PickTaskQueued("T1", "O1", "W1", 1)),
        (at(3), PickTaskPicked("T1", "O1", "picker")),
        (at(3.5), ScanRejected("T1", "O1", "999", "wrong item")),
        (at(4), ParcelPacked("PC-S1", "T1", "O1", "W1", 1000, ("R1",))),
        (at(5), booked("O1", "S1", 30_000)),
        (at(5), OrderShipped("O1", "S1", True)),
        (at(20), ShipmentDelivered("S1", "O1", 500_000)),
        (at(20), OrderDelivered("O1", "C1")),
        (at(21), SurveyAnswered("SV1", "O1", "C1", 10, "promoter")),
        (at(0), placed("O2", ("P1",))),
        (at(2), OrderReserved("O2", ("R2",), ("W2",))),
        (at(2), PickTaskQueued("T2", "O2", "W2", 1)),
        (at(4), PickTaskPicked("T2", "O2", "picker")),
        (at(5), ParcelPacked("PC-S2", "T2", "O2", "W2", 1000, ("R2",))),
        (at(6), booked("O2", "S2", 30_000)),
        (at(6), OrderShipped("O2", "S2", False)),
        (at(7), ParcelPacked("PC-S3", "T2", "O2", "W2", 800, ("R2",))),
        (at(8), booked("O2", "S3", 25_000)),
        (at(8), OrderShipped("O2", "S3", True)),
        (at(12), ShipmentFailed("S2", "O2", "nobody home")),
        (at(29), ShipmentDelivered("S2", "O2", 300_000)),
        (at(30), ShipmentDelivered("S3", "O2", 200_000)),
        (at(30), OrderDelivered("O2", "C1")),
        (at(31), SurveyAnswered("SV2", "O2", "C1", 3, "detractor")),
        (at(31), TicketOpened("K1", "C1", "O2", "survey", "delivery")),
        (at(33), TicketResolved("K1", "C1", "O2", False)),
        (at(40), TicketReopened("K1", "C1", "O2", "still broken")),
        (at(44), TicketResolved("K1", "C1", "O2", False)),
        (at(0), placed("O3", ("P2",))),
        (at(2), OrderCancelled("O3", "customer asked", ("L-O3",))),
        (at(1), TicketOpened("K2", "C2", None, "customer", "unknown")),
        (at(31), TicketResolved("K2", "C2", None, True)),
    ]


def fold_in_memory(events: list[tuple[str, datetime, Event]]) -> Counter[model.SumKey]:
    facts: dict[tuple[str, str], model.Facts] = {}
    for event_id, moment, event in events:
        payload = event.payload()
        owner = folding.owner_of(event.type_name(), payload, event_id)
        if owner is not None:
            if event.type_name() == "OrderPlaced":
                payload["region"] = "north"
            facts[owner] = folding.fold(
                facts.get(owner, {}), event.type_name(), payload, event_id, model.epoch(moment)
            )
    total: Counter[model.SumKey] = Counter()
    for value in facts.values():
        total.update(model.contribution(value))
    return total


def with_ids() -> list[tuple[str, datetime, Event]]:
    return [(f"E{index:04d}", moment, event) for index, (moment, event) in enumerate(story())]


def slice_sums(total: Counter[model.SumKey], dimension: str, value: str) -> dict[str, int]:
    found: Counter[str] = Counter()
    for (dim, val, _day, metric), amount in total.items():
        if (dim, val) == (dimension, value):
            found[metric] += amount
    return dict(found)


@pytest.mark.unit
def test_the_five_kpis_of_the_story_have_their_known_values():
    values = kpis.all_kpis(slice_sums(fold_in_memory(with_ids()), "all", ""), DEFAULT_RATES)

    cycle = values["cycle_time"]
    assert cycle.count == 2  # the cancelled order is not in the cycle time
    # p50 is O1 at the top of its (16 h, 20 h] bucket; p90 lies 0.8 of the way into O2's
    # (24 h, 30 h] bucket.
    assert cycle.details["p50_s"] == 20 * HOUR and cycle.details["p90_s"] == 28.8 * HOUR
    assert cycle.details["mean_s"] == 25 * HOUR
    # Partial shipment: O2's hand-over runs from its first parcel to its first shipment.
    assert cycle.details["stages_mean_s"] == {
        "reserve": 1.5 * HOUR,
        "wait": 0,
        "pick": 2 * HOUR,
        "pack": 1 * HOUR,
        "handover": 1 * HOUR,
        "transit": 19.5 * HOUR,
    }

    cost = values["cost_per_order"]
    assert cost.count == 3  # delivered, delivered, cancelled
    assert cost.details["by_stage_vnd"] == {
        "data_entry": 3 * 3 * 40_000 // 60,
        "picking": 2 * 6 * 40_000 // 60,
        "packing": 3 * 4 * 40_000 // 60 + 3 * 6_000,
        "delivery": 85_000 + 1_000_000 * 50 // 10_000,
        "payment": 0,
        "customer_care": 2 * 20 * 40_000 // 60,  # K1 opened and reopened
    }
    assert cost.value == (6_000 + 8_000 + 26_000 + 90_000 + 26_666) // 3

    errors = values["error_rate"]
    assert errors.details["by_stage"] == {
        "data_entry": 1,  # the refused scan
        "automation": 0,
        "delivery": 1,  # the failed attempt
        "customer_care": 2,  # K1 reopened, K2 past its SLA
    }
    assert errors.details["transactions"] == 3 and errors.details["ppm"] == 4 * 1_000_000 // 3

    assert values["nps"].value == 0 and values["nps"].count == 2

    resolution = values["resolution_time"]
    assert resolution.count == 2
    assert resolution.details["mean_s"] == (6 * HOUR + 30 * HOUR) / 2  # K1: 2 h + 4 h open
    assert resolution.details["p50_s"] == 6 * HOUR
    assert resolution.details["p90_s"] == 28.8 * HOUR  # K2's 30 h, in (24 h, 30 h]


def cycle_buckets(**counts: int) -> dict[str, int]:
    """Summed cycle-time buckets; ``b09=3`` puts three orders in bucket 9, (24 h, 30 h]."""
    return {f"cycle_b:{name[1:]}": count for name, count in counts.items()}


@pytest.mark.unit
def test_a_percentile_is_read_linearly_inside_its_bucket():
    # Ten orders all in (24 h, 30 h]: spread evenly, the median is half way, p90 nine tenths.
    one_bucket = cycle_buckets(b09=10)
    assert kpis.percentile(one_bucket, "cycle_b", 0.5) == 27 * HOUR
    assert kpis.percentile(one_bucket, "cycle_b", 0.9) == 29.4 * HOUR
    # 2 orders within 1 h, 4 in (2 h, 4 h], 4 in (120 h, 168 h]: the 5th of 10 is the 3rd of
    # the four in (2 h, 4 h]; p90 is the 9th, the 3rd of the four in (5 d, 7 d].
    spread = cycle_buckets(b00=2, b02=4, b17=4)
    assert kpis.percentile(spread, "cycle_b", 0.5) == 3.5 * HOUR
    assert kpis.percentile(spread, "cycle_b", 0.9) == 156 * HOUR  # 6.5 days, not "7 d"
    # The first bucket starts at zero: the 1st of 10, one of four within 1 h, is at 15 min.
    first = cycle_buckets(b00=4, b03=6)
    assert kpis.percentile(first, "cycle_b", 0.1) == 15 * 60


@pytest.mark.unit
def test_the_last_bucket_stops_at_its_edge():
    # Orders of 20 and 40 days both fall in the last bucket, (14 d, 30 d]; no answer passes it.
    assert model.bucket_of(40 * 24 * HOUR) == model.bucket_of(20 * 24 * HOUR) == 20
    last = cycle_buckets(b20=10)
    assert kpis.percentile(last, "cycle_b", 0.5) == 528 * HOUR
    assert kpis.percentile(last, "cycle_b", 1.0) == 720 * HOUR


@pytest.mark.unit
def test_nothing_measured_has_no_percentile():
    assert kpis.percentile({}, "cycle_b", 0.9) is None
    assert kpis.percentile(cycle_buckets(b05=0), "cycle_b", 0.5) is None
    assert kpis.cycle_time({}).value is None


@pytest.mark.unit
def test_percentiles_rise_with_the_share_and_stay_in_the_bucket_holding_the_share():
    counts = {1: 3, 7: 1, 12: 5, 18: 2, 20: 1}
    sums = cycle_buckets(**{f"b{index:02d}": count for index, count in counts.items()})
    previous = 0
    for hundredths in range(1, 101):
        wanted, running = hundredths / 100 * 12, 0
        holding = next(i for i in sorted(counts) if (running := running + counts[i]) >= wanted)
        lower = model.BUCKET_EDGES[holding - 1] if holding else 0
        found = kpis.percentile(sums, "cycle_b", hundredths / 100)
        assert found is not None and lower <= found <= model.BUCKET_EDGES[holding]
        assert found >= previous
        previous = found


@pytest.mark.unit
def test_slices_count_only_their_orders():
    total = fold_in_memory(with_ids())
    in_w2 = kpis.all_kpis(slice_sums(total, "warehouse", "W2"), DEFAULT_RATES)
    # O2 alone: its 30 h bucket (24 h, 30 h] read 0.9 of the way up.
    assert in_w2["cycle_time"].details["p90_s"] == 29.4 * HOUR and in_w2["cycle_time"].count == 1
    assert in_w2["nps"].value == -100
    for_p2 = kpis.all_kpis(slice_sums(total, "product", "P2"), DEFAULT_RATES)
    assert for_p2["cost_per_order"].count == 2  # O1 and the cancelled O3
    assert for_p2["resolution_time"].count == 0  # K2 has no order: it is in "all" only
    assert slice_sums(total, "region", "north")["orders_placed"] == 3


@pytest.mark.unit
def test_a_reopened_ticket_not_yet_resolved_again_is_not_resolved():
    events = [e for e in with_ids() if e[0] != "E0029"]  # K1's second resolution never came
    resolution = kpis.resolution_time(slice_sums(fold_in_memory(events), "all", ""))
    assert resolution.count == 1 and resolution.details["mean_s"] == 30 * HOUR


@pytest.mark.unit
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_events_in_any_order_give_the_same_sums(seed):
    in_order = fold_in_memory(with_ids())
    shuffled = with_ids()
    random.Random(seed).shuffle(shuffled)
    assert fold_in_memory(shuffled) == in_order
    assert fold_in_memory(list(reversed(with_ids()))) == in_order


def _log(database: Database, clock: SimulatedClock) -> list[tuple[str, datetime, Event]]:
    """Write the story into the event log (no subscribers), returning ids and times."""
    logged = []
    uow = UnitOfWork(database.engine, clock=clock, subscribers_of=lambda _kind: [])
    with uow:
        for moment, event in story():
            clock.set(moment)
            logged.append((uow.publish(event), moment, event))
        uow.commit()
    return logged


@pytest.mark.integration
def test_upkeep_out_of_order_equals_recompute_on_the_database(database: Database):
    create_schema(database.engine)
    clock = SimulatedClock(T0)
    logged = _log(database, clock)
    random.Random(7).shuffle(logged)
    for event_id, moment, event in logged:
        with UnitOfWork(database.engine, clock=clock, subscribers_of=lambda _k: []) as uow:
            fold_event(
                uow,
                kind=event.type_name(),
                payload=event.payload(),
                event_id=event_id,
                occurred_at=moment,
            )
            uow.commit()

    def rows() -> set[tuple[str, str, str, str, int]]:
        with database.engine.connect() as connection:
            return day_sums(connection)

    with database.engine.connect() as connection:
        upkept = kpi_values(connection, DAY)
        upkept_sums = sums(connection, DAY, "carrier", "GHN")
    kept_rows = rows()
    with UnitOfWork(database.engine, clock=clock, subscribers_of=lambda _k: []) as uow:
        recompute(uow)
        uow.commit()
    assert rows() == kept_rows
    with database.engine.connect() as connection:
        assert kpi_values(connection, DAY) == upkept
        assert sums(connection, DAY, "carrier", "GHN") == upkept_sums
    assert upkept["cycle_time"].details["p90_s"] == 28.8 * HOUR
    assert upkept["error_rate"].details["errors"] == 4
    assert upkept_sums["carrier_fee_vnd"] == 85_000


def test_the_change_of_an_objects_facts_is_its_new_contribution_less_its_old():
    """``model.difference`` finds it from the metrics when the slices stay: the same answer as
    subtracting whole contributions, event after event of the story."""
    facts: dict[tuple[str, str], model.Facts] = {}
    for event_id, moment, event in with_ids():
        payload = event.payload()
        owner = folding.owner_of(event.type_name(), payload, event_id)
        if owner is None:
            continue
        old = facts.get(owner, {})
        new = folding.fold(old, event.type_name(), payload, event_id, model.epoch(moment))
        whole = Counter(model.contribution(new))
        whole.subtract(model.contribution(old))
        assert model.difference(old, new) == {key: n for key, n in whole.items() if n}
        facts[owner] = new


def test_folding_into_a_copy_of_the_facts_leaves_them_as_they_were():
    """Upkeep folds a batch's events into copies of the stored facts and compares: a fold that
    changed what a copy shares with the original would hide every change."""
    facts: dict[tuple[str, str], model.Facts] = {}
    events = with_ids()
    for event_id, _moment, event in events:
        owner = folding.owner_of(event.type_name(), event.payload(), event_id)
        if owner is not None:
            facts[owner] = folding.fold(
                facts.get(owner, {}), event.type_name(), event.payload(), event_id, 0
            )
    before = copy.deepcopy(facts)
    assert any("tickets" in found and "errors" in found for found in facts.values())

    for event_id, _moment, event in reversed(events):  # every kind, onto facts that have all
        for found in facts.values():
            copied = folding.copy_facts(found)
            folding.fold_into(copied, event.type_name(), event.payload(), event_id + "-again", 99)
            assert copied is not found
    assert facts == before
