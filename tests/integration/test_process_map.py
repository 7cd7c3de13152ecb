"""The process map of the order journey on both databases: directly-follows edges with counts and
waits, variants and their shares, rework and loop-backs, where orders wait longest; the running
counts always equal a recompute from the log, and the SVG drawing shows them."""

from __future__ import annotations

from datetime import timedelta
from xml.etree import ElementTree

import pytest

from lienmach.analytics import process_map_handlers
from lienmach.analytics.process_map import bucket_value, wait_bucket
from lienmach.analytics.process_map_projector import rebuild_process_map
from lienmach.analytics.process_map_queries import (
    EdgeView,
    ProcessMap,
    process_map,
    recompute_process_map,
)
from lienmach.analytics.process_map_svg import process_map_svg
from lienmach.kernel.bus import Bus
from lienmach.kernel.clock import SimulatedClock
from lienmach.kernel.jobs import JobRunner
from lienmach.kernel.messages import Event
from lienmach.kernel.runtime import Runtime
from lienmach.kernel.uow import UnitOfWork
from lienmach.orders.events import (
    OrderBackordered,
    OrderCancelled,
    OrderDelivered,
    OrderPlaced,
    OrderReserved,
    OrderReturned,
    OrderShipped,
)
from lienmach.orders.placing import place_order
from lienmach.orders.queries import get_order
from lienmach.orders.services import cancel_order
from tests.conftest import Database
from tests.factories import seed_company
from tests.steps import DELIVERED, FAILED, courier_reports, pick_and_pack

pytestmark = pytest.mark.integration

HOUR = 3600


def _map_only_runtime(database: Database, clock: SimulatedClock) -> Runtime:
    """Only the process map listens, so hand-written events move nothing else."""
    from lienmach.bootstrap import create_schema

    create_schema(database.engine)
    return Runtime(
        engine=database.engine,
        clock=clock,
        bus=Bus([process_map_handlers.SUBSCRIPTIONS], {}),
        job_runner=JobRunner({}),
        inline_drain=True,
    )


def _publish(uow: UnitOfWork, event: Event) -> None:
    uow.publish(event)


def _placed(order_id: str) -> OrderPlaced:
    return OrderPlaced(
        order_id=order_id,
        customer_id="c1",
        channel="web",
        payment_method="cod",
        line_ids=(f"{order_id}-l1",),
        total_vnd=100_000,
    )


def _reserved(order_id: str) -> OrderReserved:
    return OrderReserved(order_id=order_id, reservation_ids=("r",), warehouse_ids=("w",))


def _shipped(order_id: str) -> OrderShipped:
    return OrderShipped(order_id=order_id, shipment_id="s", complete=True)


def _edge(found: ProcessMap, source: str, target: str) -> EdgeView:
    return next(e for e in found.edges if (e.source, e.target) == (source, target))


def _play(runtime: Runtime, clock: SimulatedClock, steps: list[tuple[int, Event]]) -> None:
    """Publish each event after waiting the given hours."""
    for hours, event in steps:
        clock.advance(timedelta(hours=hours))
        runtime.run(_publish, event)


def test_hand_built_log_gives_edges_waits_variants_rework_and_bottlenecks(
    database: Database, clock: SimulatedClock
) -> None:
    # Given three orders: two straight through, one backordered, reserved twice, returned and
    # shipped again (rework and a loop back)
    runtime = _map_only_runtime(database, clock)
    _play(runtime, clock, [(0, _placed("A")), (1, _reserved("A")), (2, _shipped("A"))])
    _play(runtime, clock, [(0, _placed("B")), (3, _reserved("B")), (4, _shipped("B"))])
    _play(
        runtime,
        clock,
        [
            (0, _placed("C")),
            (0, OrderBackordered(order_id="C", line_ids=("l",), quantities=(1,))),
            (24, _reserved("C")),
            (1, _reserved("C")),
            (2, _shipped("C")),
            (30, OrderReturned(order_id="C", shipment_id="s", complete=False)),
            (5, _shipped("C")),
            (20, OrderDelivered(order_id="C", customer_id="c1")),
        ],
    )
    _play(runtime, clock, [(48, OrderDelivered(order_id="A", customer_id="c1"))])

    # When the map is read from the running counts
    found = runtime.read(process_map)

    # Then the edges carry counts and the waits of their transitions
    assert found.orders == 3
    placed_reserved = _edge(found, "OrderPlaced", "OrderReserved")
    assert placed_reserved.transitions == 2
    assert placed_reserved.median_wait_seconds == bucket_value(wait_bucket(1 * HOUR))
    assert placed_reserved.p90_wait_seconds == bucket_value(wait_bucket(3 * HOUR))
    assert placed_reserved.mean_wait_seconds == 2 * HOUR
    reserved_shipped = _edge(found, "OrderReserved", "OrderShipped")
    assert reserved_shipped.transitions == 3
    assert reserved_shipped.median_wait_seconds == bucket_value(wait_bucket(2 * HOUR))
    assert _edge(found, "OrderShipped", "OrderDelivered").transitions == 2
    # ...the rework: C reserved twice (a repeat) and shipped again after the return (loop back)
    assert _edge(found, "OrderReserved", "OrderReserved").transitions == 1
    assert _edge(found, "OrderReserved", "OrderReserved").loop_backs == 1
    assert _edge(found, "OrderReturned", "OrderShipped").loop_backs == 1
    assert _edge(found, "OrderPlaced", "OrderReserved").loop_backs == 0
    rework = {a.activity: (a.repeating, a.repeats) for a in found.rework}
    assert rework == {"OrderReserved": (1, 1), "OrderShipped": (1, 1)}
    # ...three variants, one order each
    shares = {variant.activities: variant.share for variant in found.variants}
    assert shares[("OrderPlaced", "OrderReserved", "OrderShipped", "OrderDelivered")] == 1 / 3
    assert shares[("OrderPlaced", "OrderReserved", "OrderShipped")] == 1 / 3
    assert found.variant_count == 3
    # ...starts and ends: every order starts placed; A and C end delivered, B shipped
    activities = {a.activity: a for a in found.activities}
    assert activities["OrderPlaced"].starting == 3
    assert activities["OrderDelivered"].ending == 2
    assert activities["OrderShipped"].ending == 1
    # ...and orders wait longest before a return (30 h), then for stock (24 h), then for the
    # courier (median of C's 20 h and A's 137 h: A was shipped at 3 h, delivered at 140 h)
    assert [(e.source, e.target) for e in found.bottlenecks(3)] == [
        ("OrderShipped", "OrderReturned"),
        ("OrderBackordered", "OrderReserved"),
        ("OrderShipped", "OrderDelivered"),
    ]
    assert _edge(found, "OrderShipped", "OrderDelivered").p90_wait_seconds == bucket_value(
        wait_bucket(137 * HOUR)
    )
    # And the recompute from the log gives exactly the same map
    assert runtime.read(recompute_process_map) == found


def test_an_event_delivered_twice_or_late_counts_once_in_its_place(
    database: Database, clock: SimulatedClock
) -> None:
    # Given an order placed, then reserved; the projection is run again by hand
    runtime = _map_only_runtime(database, clock)
    _play(runtime, clock, [(0, _placed("A")), (2, _reserved("A"))])
    before = runtime.read(process_map)
    from lienmach.analytics.process_map_projector import project_order

    changed = runtime.run(lambda uow: project_order(uow.connection, "A"))
    # Then nothing is counted twice
    assert changed is False
    assert runtime.read(process_map) == before
    # When a cancellation arrives that happened before the reservation (logged late)
    clock.advance(timedelta(hours=-1))
    runtime.run(_publish, OrderCancelled(order_id="A", reason="x", line_ids=()))
    # Then it takes its place in time: placed → cancelled → reserved
    found = runtime.read(process_map)
    assert {(e.source, e.target) for e in found.edges} == {
        ("OrderPlaced", "OrderCancelled"),
        ("OrderCancelled", "OrderReserved"),
    }
    assert found == runtime.read(recompute_process_map)


def test_real_journeys_map_equals_recompute_and_rebuild(  # type: ignore[no-untyped-def]
    runtime: Runtime, clock: SimulatedClock, carrier_sandbox
) -> None:
    # Given real orders: three delivered, one failed delivery, one cancelled
    carrier_sandbox.clock = clock
    company = seed_company(runtime)
    lan = company.customers["Lan"]
    orders = []
    for index in range(5):
        clock.advance(timedelta(minutes=30))
        placed = runtime.run(
            place_order,
            customer_id=lan,
            lines=[{"product_id": company.products["AO-001"], "quantity": 1 + index % 2}],
            payment_method="cod",
        )
        orders.append(placed.order_id)
    runtime.run(cancel_order, order_id=orders[4], reason="Khách đổi ý")
    for order_id in orders[:4]:
        clock.advance(timedelta(hours=2))
        pick_and_pack(runtime, order_id)
    for order_id in orders[:3]:
        courier_reports(runtime, carrier_sandbox, clock, order_id, DELIVERED)
    courier_reports(runtime, carrier_sandbox, clock, orders[3], FAILED)
    assert runtime.read(get_order, orders[0]).state == "delivered"  # type: ignore[union-attr]

    # When the map is read
    found = runtime.read(process_map)

    # Then every order is on it, with the journey's steps as edges
    assert found.orders == 5
    activities = {a.activity: a for a in found.activities}
    assert activities["OrderPlaced"].starting == 5
    assert activities["OrderDelivered"].events == 3
    assert activities["OrderCancelled"].events == 1
    assert activities["ShipmentFailed"].events == 1
    assert "UnitScanned" not in activities  # per-unit details are not steps
    edges = {(e.source, e.target): e for e in found.edges}
    assert sum(e.transitions for (s, _t), e in edges.items() if s == "OrderShipped") == 4
    delivered_in = [e for (_s, t), e in edges.items() if t == "OrderDelivered"]
    assert sum(e.transitions for e in delivered_in) == 3
    assert sum(v.orders for v in found.variants) == 5
    assert abs(sum(v.share for v in found.variants) - 1.0) < 1e-9
    # ...and the running counts equal the recompute from the log and a rebuild
    assert runtime.read(recompute_process_map) == found
    assert runtime.run(rebuild_process_map) == 5
    assert runtime.read(process_map) == found


def test_svg_draws_boxes_and_arrows_with_counts_and_waits(
    database: Database, clock: SimulatedClock
) -> None:
    runtime = _map_only_runtime(database, clock)
    _play(runtime, clock, [(0, _placed("A")), (1, _reserved("A")), (2, _shipped("A"))])
    _play(runtime, clock, [(0, _placed("B")), (3, _reserved("B"))])

    svg = process_map_svg(runtime.read(process_map))

    root = ElementTree.fromstring(svg)
    texts = [element.text or "" for element in root.iter("{http://www.w3.org/2000/svg}text")]
    assert {"OrderPlaced", "OrderReserved", "OrderShipped"} <= set(texts)
    boxes = [r for r in root.iter("{http://www.w3.org/2000/svg}rect") if r.get("class") == "node"]
    arrows = [p for p in root.iter("{http://www.w3.org/2000/svg}path") if p.get("marker-end")]
    assert len(boxes) == 3
    assert len(arrows) == 2
    assert any(text.startswith("2 ·") for text in texts)  # placed → reserved, twice
    # ...layered top to bottom: placed above reserved above shipped
    y = {
        t.text: float(t.get("y", "0"))
        for t in root.iter("{http://www.w3.org/2000/svg}text")
        if t.get("class") == "label"
    }
    assert y["OrderPlaced"] < y["OrderReserved"] < y["OrderShipped"]
