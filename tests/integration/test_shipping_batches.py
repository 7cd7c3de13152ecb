"""Shipping's journey handlers take their whole batch: several packed parcels get their carriers
and shipments together, several booked shipments issue their stock and ship their orders
together, each as it would alone, and a redelivered batch changes nothing."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from lienmach.bootstrap import build_runtime, create_schema
from lienmach.fulfilment.events import ParcelPacked
from lienmach.inventory.queries import stock_levels_for
from lienmach.kernel.errors import NotFound
from lienmach.kernel.runtime import Runtime
from lienmach.kernel.tables import event_log, jobs
from lienmach.kernel.uow import UnitOfWork
from lienmach.notifications.tables import outbound_messages
from lienmach.orders import services as order_services
from lienmach.orders.placing import place_order
from lienmach.orders.queries import get_order
from lienmach.shipping import handlers
from lienmach.shipping.events import ShipmentBooked
from lienmach.shipping.queries import shipments_for_order
from lienmach.shipping.tables import shipments
from tests.factories import Company, seed_company
from tests.steps import pick_and_pack

pytestmark = pytest.mark.integration

# (customer, {sku: units}): four orders, one of them with two lines.
ORDERS = [
    ("Lan", {"AO-001": 2}),
    ("Minh", {"SACH-003": 1, "AO-001": 1}),
    ("Lan", {"NOI-002": 1}),
    ("Minh", {"SACH-003": 3}),
]


# What a statement does and to which table (and for an UPDATE, the first column it sets).
SHAPE = re.compile(r"(INSERT INTO \w+|UPDATE \w+ SET \w+|DELETE FROM \w+|\w+)")


class Statements:
    """Counts the statements sent to the database, by shape."""

    def __init__(self, engine: sa.Engine) -> None:
        self.seen: Counter[str] = Counter()
        self.engine = engine
        sa.event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, *args: Any) -> None:
        shape = SHAPE.match(str(args[2]).lstrip())
        self.seen[shape.group(1) if shape else str(args[2])] += 1

    def close(self) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self._count)


@pytest.fixture
def shop(database, settings, clock) -> Iterator[tuple[Runtime, Company, list[str]]]:  # type: ignore[no-untyped-def]
    """Four placed, picked and packed orders whose ParcelPacked events wait for the bus (no
    inline draining: the test runs each batch)."""
    create_schema(database.engine)
    runtime = build_runtime(settings, engine=database.engine, clock=clock, inline_drain=False)
    company = seed_company(runtime)
    runtime.drain()
    order_ids = [
        runtime.run(
            place_order,
            customer_id=company.customers[customer],
            lines=[
                {"product_id": company.products[sku], "quantity": units}
                for sku, units in lines.items()
            ],
            payment_method="cod",
        ).order_id
        for customer, lines in ORDERS
    ]
    runtime.drain()
    for order_id in order_ids:
        assert pick_and_pack(runtime, order_id)
    yield runtime, company, order_ids
    runtime.job_runner.close()


def _one_batch(runtime: Runtime) -> Counter[str]:
    """One journey batch of the bus (no jobs); the statements it sent."""
    statements = Statements(runtime.engine)
    try:
        outcome = runtime.bus.process_batch(runtime.engine, runtime.clock, limit=200)
    finally:
        statements.close()
    assert outcome.done > 0 and outcome.failed == outcome.dead == 0
    return statements.seen


def _run_jobs(runtime: Runtime) -> None:
    """Every due job (the carrier bookings among them) run and recorded; no bus batch."""
    runner = runtime.job_runner
    runner.run_due(runtime.engine, runtime.clock, runtime.uow)
    while runner.wait_for_inflight():
        runner.run_due(runtime.engine, runtime.clock, runtime.uow)


def _published(runtime: Runtime, event_type: str) -> list[dict[str, Any]]:
    with runtime.engine.connect() as connection:
        rows = connection.execute(
            sa.select(event_log.c.payload)
            .where(event_log.c.type == event_type)
            .order_by(event_log.c.id)
        )
        return [dict(row.payload) for row in rows]


def _count(runtime: Runtime, table: sa.Table, *where: Any) -> int:
    with runtime.engine.connect() as connection:
        query = sa.select(sa.func.count()).select_from(table).where(*where)
        return int(connection.execute(query).scalar_one())


def _stock(runtime: Runtime) -> dict[tuple[str, str], tuple[int, int]]:
    return {
        (level.product_id, level.warehouse_id): (level.on_hand, level.reserved)
        for level in runtime.read(stock_levels_for)
    }


def test_parcels_packed_together_are_booked_in_one_batch_once(
    shop: tuple[Runtime, Company, list[str]],
) -> None:
    runtime, _, order_ids = shop
    packed = _published(runtime, "ParcelPacked")
    assert len(packed) == len(ORDERS)

    # when the bus takes every ParcelPacked in one batch
    seen = _one_batch(runtime)

    # then each parcel has its shipment, all inserted by one statement, and a booking job
    assert seen["INSERT INTO shipments"] == 1
    for order_id in order_ids:
        (shipment,) = runtime.read(shipments_for_order, order_id)
        assert shipment.state == "booking"
        assert shipment.fee_vnd > 0
    chosen = _published(runtime, "CarrierChosen")
    assert sorted(event["parcel_id"] for event in chosen) == sorted(
        event["parcel_id"] for event in packed
    )
    assert _count(runtime, jobs, jobs.c.kind == "shipping.book") == len(ORDERS)

    # when the same events come again, in one batch, each twice
    events = [ParcelPacked.from_payload(payload) for payload in packed]
    runtime.run(handlers.on_parcel_packed_choose_carrier_and_book, events + events)

    # then nothing more was recorded, published or queued
    assert _count(runtime, shipments) == len(ORDERS)
    assert len(_published(runtime, "CarrierChosen")) == len(ORDERS)
    assert _count(runtime, jobs, jobs.c.kind == "shipping.book") == len(ORDERS)


def test_shipments_booked_together_issue_their_stock_and_ship_their_orders_once(
    shop: tuple[Runtime, Company, list[str]],
) -> None:
    runtime, company, order_ids = shop
    _one_batch(runtime)  # the parcels' shipments
    _run_jobs(runtime)  # their bookings with the carrier sandbox
    booked = _published(runtime, "ShipmentBooked")
    assert len(booked) == len(ORDERS)
    before = _stock(runtime)

    # when the bus takes every ShipmentBooked in one batch
    seen = _one_batch(runtime)

    # then the hand-overs were claimed, the reservations finished, the stock lowered and the
    # orders saved by one statement each
    assert seen["UPDATE shipments SET issued_at"] == 1
    assert seen["UPDATE reservations SET state"] == 1
    assert seen["UPDATE stock_levels SET on_hand"] == 1
    assert seen["UPDATE orders SET state"] == seen["UPDATE order_lines SET reserved_quantity"] == 1
    # and every order shipped all of its units, its stock gone from the warehouse
    units: Counter[tuple[str, str]] = Counter()
    for (_, lines), order_id in zip(ORDERS, order_ids, strict=True):
        order = runtime.read(get_order, order_id)
        assert order is not None
        assert order.state == "shipped"
        assert {line.product_id: line.shipped_quantity for line in order.lines} == {
            company.products[sku]: quantity for sku, quantity in lines.items()
        }
        assert all(line.reserved_quantity == 0 for line in order.lines)
        (shipment,) = runtime.read(shipments_for_order, order_id)
        for sku, quantity in lines.items():
            units[(company.products[sku], shipment.warehouse_id)] += quantity
    after = _stock(runtime)
    for key, (on_hand, reserved) in before.items():
        assert after[key] == (on_hand - units[key], reserved - units[key])
    # and each order was told once, each customer got its tracking number by e-mail and SMS
    shipped = _published(runtime, "OrderShipped")
    assert sorted(event["order_id"] for event in shipped) == sorted(order_ids)
    assert all(event["complete"] for event in shipped)
    issued = _published(runtime, "StockIssued")
    assert sum(event["quantity"] for event in issued) == sum(units.values())
    tracking = outbound_messages.c.purpose == "tracking"
    assert _count(runtime, outbound_messages, tracking) == 2 * len(ORDERS)

    # when the same events come again, in one batch, each twice
    events = [ShipmentBooked.from_payload(payload) for payload in booked]
    runtime.run(handlers.on_shipment_booked_issue_stock_and_tell_customer, events + events)

    # then no stock moved again, no order was told again, no message was added
    assert _stock(runtime) == after
    assert len(_published(runtime, "OrderShipped")) == len(ORDERS)
    assert len(_published(runtime, "StockIssued")) == len(issued)
    assert _count(runtime, outbound_messages, tracking) == 2 * len(ORDERS)


def test_two_shipments_of_one_order_in_one_batch_are_two_steps_written_once(
    shop: tuple[Runtime, Company, list[str]],
) -> None:
    runtime, _, order_ids = shop
    _one_batch(runtime)
    order = runtime.read(get_order, order_ids[1])  # two lines, one unit each
    assert order is not None and len(order.lines) == 2
    first, second = order.lines

    # when both lines leave in shipments of their own, told together
    statements = Statements(runtime.engine)
    try:
        runtime.run(
            order_services.record_shipped_many,
            [
                order_services.Shipment(order.id, "shp_first", {first.id: first.quantity}),
                order_services.Shipment(order.id, "shp_second", {second.id: second.quantity}),
            ],
        )
    finally:
        statements.close()

    # then the order was written once, and told of each shipment as it would be alone
    assert statements.seen["UPDATE orders SET state"] == 1
    shipped = _published(runtime, "OrderShipped")
    assert [(event["shipment_id"], event["complete"]) for event in shipped] == [
        ("shp_first", False),
        ("shp_second", True),
    ]
    after = runtime.read(get_order, order.id)
    assert after is not None
    assert after.state == "shipped"
    assert after.version == order.version + 1
    assert [line.shipped_quantity for line in after.lines] == [1, 1]


def test_a_booked_event_for_no_shipment_fails(
    shop: tuple[Runtime, Company, list[str]],
) -> None:
    runtime, _, _ = shop
    _one_batch(runtime)
    _run_jobs(runtime)
    (first, *_) = _published(runtime, "ShipmentBooked")
    unknown = ShipmentBooked.from_payload({**first, "shipment_id": "shp_nothing"})

    with pytest.raises(NotFound):
        runtime.run(
            handlers.on_shipment_booked_issue_stock_and_tell_customer,
            [ShipmentBooked.from_payload(first), unknown],
        )

    # and the batch's other shipment was left as it was (the whole unit of work undone)
    assert len(_published(runtime, "OrderShipped")) == 0


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
def test_a_batch_of_booked_shipments_holds_their_stock_rows_before_its_handlers_run(
    shop: tuple[Runtime, Company, list[str]],
) -> None:
    """The worker's read-ahead takes, in order, every stock row the batch will lower: its
    handlers then never hold one row while waiting for another (no crosswise deadlock with
    another worker or with a group of orders being placed)."""
    runtime, company, order_ids = shop
    _one_batch(runtime)
    _run_jobs(runtime)
    booked = [ShipmentBooked.from_payload(p) for p in _published(runtime, "ShipmentBooked")]
    first_two = [event for event in booked if event.order_id in order_ids[:2]]  # AO-001, SACH-003
    reserved = {company.products["AO-001"], company.products["SACH-003"]}
    untouched = company.products["NOI-002"]

    def can_lock(connection: sa.Connection, product_id: str) -> bool:
        try:
            with connection.begin_nested():
                connection.exec_driver_sql(
                    "SELECT 1 FROM stock_levels WHERE product_id = %(p)s FOR UPDATE NOWAIT",
                    {"p": product_id},
                )
        except sa.exc.OperationalError:
            return False
        return True

    other = runtime.engine.connect()
    try:
        other.begin()
        with runtime.engine.connect() as connection, connection.begin():
            uow = UnitOfWork(
                None, clock=runtime.clock, subscribers_of=lambda _: [], connection=connection
            )
            handlers.lock_stock_moved_by(uow, first_two)
            assert not any(can_lock(other, product_id) for product_id in reserved)
            assert can_lock(other, untouched)
        # once the batch's transaction ends, its rows are free again
        assert all(can_lock(other, product_id) for product_id in reserved)
    finally:
        other.close()
