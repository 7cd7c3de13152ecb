"""Pick tasks, surveys and detractor tickets for many orders in one delivery batch, on both
databases: each order gets what it would alone, written in one statement for the batch, and
a redelivered batch adds nothing."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, event, func, select

from lienmach.aftersales.events import SurveyAnswered
from lienmach.aftersales.handlers import on_detractor_answer_open_ticket
from lienmach.aftersales.queries import survey_for_order, tickets_for_order
from lienmach.aftersales.surveys import answer_survey
from lienmach.aftersales.tables import surveys, tickets
from lienmach.catalog import services as catalog
from lienmach.fulfilment import queries
from lienmach.fulfilment.handlers import on_order_reserved_queue_pick_task
from lienmach.fulfilment.tables import pick_task_lines, pick_tasks
from lienmach.inventory import services as inventory
from lienmach.kernel.clock import SimulatedClock
from lienmach.kernel.runtime import Runtime
from lienmach.kernel.tables import event_log
from lienmach.kernel.uow import UnitOfWork
from lienmach.notifications.tables import outbound_messages
from lienmach.orders import services as orders
from lienmach.orders.events import OrderDelivered, OrderReserved
from lienmach.orders.queries import get_order
from lienmach.shipping.events import ShipmentFailed
from tests.factories import customer_in_saigon, order_of, warehouse_in
from tests.steps import pay

pytestmark = pytest.mark.integration

WRITES = re.compile(r"^\s*INSERT INTO (\w+)")


# --- given ------------------------------------------------------------------------------------


def _product(runtime: Runtime, sku: str, warranty_months: int = 0) -> str:
    product_id: str = runtime.run(
        catalog.create_product,
        sku=sku,
        barcode=f"893{abs(hash(sku)) % 10**10:010d}",
        name_vi=f"Sản phẩm {sku}",
        name_en=f"Product {sku}",
        price_vnd=150_000,
        cost_vnd=90_000,
        weight_grams=500,
        warranty_months=warranty_months,
    )
    return product_id


def _stock(runtime: Runtime, warehouse_id: str, product_id: str) -> None:
    runtime.run(
        inventory.receive_stock,
        warehouse_id=warehouse_id,
        product_id=product_id,
        quantity=20,
        unit_cost_vnd=90_000,
    )


def _customer(runtime: Runtime, name: str, *, tier: str = "standard", language: str = "vi") -> str:
    return customer_in_saigon(runtime, f"{name}@example.vn", tier=tier, language=language)


def _count(runtime: Runtime, table: Any) -> int:
    return int(runtime.read(lambda c: c.execute(select(func.count()).select_from(table)).scalar()))


def _payloads(runtime: Runtime, kind: str) -> list[dict[str, Any]]:
    def read(connection: Connection) -> list[dict[str, Any]]:
        rows = connection.execute(
            select(event_log.c.payload).where(event_log.c.type == kind).order_by(event_log.c.id)
        )
        return [dict(row.payload) for row in rows]

    return list(runtime.read(read))


@contextmanager
def _inserts(engine: Engine) -> Iterator[Counter[str]]:
    """Counts INSERT statements sent to the database, by table."""
    counted: Counter[str] = Counter()

    def seen(*args: Any) -> None:
        if found := WRITES.match(str(args[2])):
            counted[found.group(1)] += 1

    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield counted
    finally:
        event.remove(engine, "before_cursor_execute", seen)


def _publish(uow: UnitOfWork, events: list[Any]) -> None:
    for fact in events:
        uow.publish(fact)


# --- pick tasks -------------------------------------------------------------------------------


def test_one_batch_queues_the_pick_tasks_of_many_orders(runtime: Runtime) -> None:
    # given two warehouses, and orders placed while no worker runs
    hcm, hanoi = warehouse_in(runtime, "HCM1", "79"), warehouse_in(runtime, "HN1", "01")
    kettle, mug, lamp = (
        _product(runtime, "SKU-1"),
        _product(runtime, "SKU-7"),
        _product(runtime, "SKU-9"),
    )
    _stock(runtime, hcm, kettle)
    _stock(runtime, hcm, mug)
    _stock(runtime, hanoi, lamp)
    standard, gold = _customer(runtime, "an"), _customer(runtime, "binh", tier="gold")
    runtime.inline_drain = False
    cod = order_of(runtime, standard, {kettle: 2})
    split = order_of(runtime, gold, {lamp: 1, mug: 3})
    prepaid = order_of(runtime, standard, {mug: 1}, payment_method="prepaid")
    cancelled = order_of(runtime, standard, {kettle: 1})
    runtime.run(orders.cancel_order, order_id=cancelled, reason="khách đổi ý")

    # when one worker round handles them all
    with _inserts(runtime.engine) as inserted:
        runtime.work_once()

    # then each order got what it would alone, in one insert of tasks and one of lines
    assert (inserted["pick_tasks"], inserted["pick_task_lines"]) == (1, 1)
    (cod_task,) = runtime.read(queries.tasks_for_order, cod)
    assert (cod_task.warehouse_id, cod_task.units, cod_task.priority) == (hcm, 2, 0)
    split_tasks = runtime.read(queries.tasks_for_order, split)
    assert sorted((t.warehouse_id, t.units, t.priority) for t in split_tasks) == sorted(
        [(hanoi, 1, 300), (hcm, 3, 300)]  # a gold customer's tasks come first
    )
    assert runtime.read(queries.tasks_for_order, prepaid) == []  # waits for its payment
    assert runtime.read(queries.tasks_for_order, cancelled) == []
    queued = {(e["order_id"], e["pick_task_id"]) for e in _payloads(runtime, "PickTaskQueued")}
    tasks = {(t.order_id, t.id) for t in [cod_task, *split_tasks]}
    assert queued == tasks
    started = _payloads(runtime, "OrderFulfilmentStarted")
    assert {(e["order_id"], e["pick_task_id"]) for e in started} == tasks
    for order_id in (cod, split):
        order = runtime.read(get_order, order_id)
        assert order is not None and order.state == "fulfilling"

    # when the same facts are delivered again, as one batch
    reserved = [OrderReserved.from_payload(p) for p in _payloads(runtime, "OrderReserved")]
    runtime.run(on_order_reserved_queue_pick_task, reserved)

    # then nothing more is queued
    assert (_count(runtime, pick_tasks), _count(runtime, pick_task_lines)) == (3, 3)
    assert len(_payloads(runtime, "PickTaskQueued")) == 3

    # and the prepaid order is queued once paid
    pay(runtime, prepaid)
    runtime.drain()
    (prepaid_task,) = runtime.read(queries.tasks_for_order, prepaid)
    assert (prepaid_task.warehouse_id, prepaid_task.units) == (hcm, 1)


def test_two_facts_naming_the_same_reservations_queue_them_once(runtime: Runtime) -> None:
    hcm = warehouse_in(runtime, "HCM1", "79")
    kettle = _product(runtime, "SKU-1")
    _stock(runtime, hcm, kettle)
    runtime.inline_drain = False
    order_id = order_of(runtime, _customer(runtime, "an"), {kettle: 1})
    (fact,) = [OrderReserved.from_payload(p) for p in _payloads(runtime, "OrderReserved")]

    runtime.run(on_order_reserved_queue_pick_task, [fact, fact])

    assert (_count(runtime, pick_tasks), _count(runtime, pick_task_lines)) == (1, 1)
    assert [e["order_id"] for e in _payloads(runtime, "PickTaskQueued")] == [order_id]


# --- surveys and tickets ----------------------------------------------------------------------


def _delivered_orders(runtime: Runtime, count: int) -> list[tuple[str, str]]:
    """(order id, customer id) of orders placed and carried to the door, surveys not sent."""
    hcm = warehouse_in(runtime, "HCM1", "79")
    fan, kettle = _product(runtime, "FAN-01", warranty_months=12), _product(runtime, "KET-01")
    _stock(runtime, hcm, fan)
    _stock(runtime, hcm, kettle)
    placed = []
    for number in range(count):
        language = "en" if number == 1 else "vi"
        customer_id = _customer(runtime, f"khach{number}", language=language)
        placed.append((order_of(runtime, customer_id, {fan: 1, kettle: 1}), customer_id))
    return placed


def test_one_batch_sends_the_surveys_of_many_delivered_orders(runtime: Runtime) -> None:
    # given four orders, the first already surveyed
    placed = _delivered_orders(runtime, 4)
    delivered = [OrderDelivered(order_id=o, customer_id=c) for o, c in placed]
    runtime.run(_publish, delivered[:1])
    first = runtime.read(survey_for_order, placed[0][0])
    assert first is not None
    runtime.inline_drain = False
    # when all four are delivered in one batch, the second one twice
    runtime.run(_publish, [*delivered, delivered[1]])
    with _inserts(runtime.engine) as inserted:
        runtime.work_once()

    # then each order has one survey, sent once, in its customer's language
    assert inserted["surveys"] == 1
    assert _count(runtime, surveys) == 4
    again = runtime.read(survey_for_order, placed[0][0])
    assert again is not None and again.token == first.token
    sent = _payloads(runtime, "SurveySent")
    assert sorted(e["order_id"] for e in sent) == sorted(o for o, _ in placed)
    for (order_id, customer_id), payload in zip(placed, sent, strict=True):
        survey = runtime.read(survey_for_order, order_id)
        assert survey is not None
        assert payload == {"survey_id": survey.id, "order_id": order_id, "customer_id": customer_id}

    def messages(connection: Connection) -> dict[str, tuple[str, str]]:
        rows = connection.execute(
            select(
                outbound_messages.c.order_id,
                outbound_messages.c.recipient,
                outbound_messages.c.language,
            ).where(outbound_messages.c.purpose == "survey")
        )
        return {row.order_id: (row.recipient, row.language) for row in rows}

    assert runtime.read(messages) == {
        order_id: (f"khach{number}@example.vn", "en" if number == 1 else "vi")
        for number, (order_id, _) in enumerate(placed)
    }

    # when the batch is delivered again
    runtime.run(_publish, delivered)
    runtime.work_once()
    # then nothing more is sent
    assert _count(runtime, surveys) == 4
    assert len(_payloads(runtime, "SurveySent")) == 4


def test_one_batch_opens_a_ticket_for_each_detractor(
    runtime: Runtime, clock: SimulatedClock
) -> None:
    # given three surveyed orders, the second after a failed delivery attempt
    placed = _delivered_orders(runtime, 3)
    runtime.run(_publish, [OrderDelivered(order_id=o, customer_id=c) for o, c in placed])
    runtime.run(
        _publish, [ShipmentFailed(shipment_id="shp_1", order_id=placed[1][0], reason="vắng nhà")]
    )
    tokens = []
    for order_id, _ in placed:
        survey = runtime.read(survey_for_order, order_id)
        assert survey is not None
        tokens.append(survey.token)
    runtime.inline_drain = False

    # when two customers score low and one high, handled in one batch
    runtime.run(answer_survey, token=tokens[0], score=3, comment="Hộp bị móp")
    runtime.run(answer_survey, token=tokens[1], score=6)
    runtime.run(answer_survey, token=tokens[2], score=9)
    with _inserts(runtime.engine) as inserted:
        runtime.work_once()

    # then each detractor has one ticket, in one insert, naming the failed stage
    assert inserted["tickets"] == 1
    [low] = runtime.read(tickets_for_order, placed[0][0], clock.now())
    [failed] = runtime.read(tickets_for_order, placed[1][0], clock.now())
    assert runtime.read(tickets_for_order, placed[2][0], clock.now()) == []
    assert (low.source, low.stage, low.body, low.customer_id) == (
        "survey",
        "unknown",
        "Hộp bị móp",
        placed[0][1],
    )
    assert (failed.source, failed.stage, failed.customer_id) == ("survey", "delivery", placed[1][1])
    order = runtime.read(get_order, placed[1][0])
    assert order is not None
    assert failed.body == f"The customer scored order {order.number} 6/10."
    assert failed.subject == f"NPS 6/10 – {order.number}"
    assert low.number != failed.number
    opened = _payloads(runtime, "TicketOpened")
    assert {e["ticket_id"] for e in opened} == {low.id, failed.id}

    def told(connection: Connection) -> set[str]:
        rows = connection.execute(
            select(outbound_messages.c.key).where(outbound_messages.c.purpose == "ticket_opened")
        )
        return set(rows.scalars())

    assert runtime.read(told) == {f"ticket-opened:{low.id}", f"ticket-opened:{failed.id}"}

    # when the answers are delivered again, as one batch
    answers = [SurveyAnswered.from_payload(p) for p in _payloads(runtime, "SurveyAnswered")]
    runtime.run(on_detractor_answer_open_ticket, answers)
    # then no ticket more is opened
    assert _count(runtime, tickets) == 2
    assert len(_payloads(runtime, "TicketOpened")) == 2
