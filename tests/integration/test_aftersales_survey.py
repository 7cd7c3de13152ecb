"""Surveys on both databases: a delivered order gets a survey e-mail with its warranty; a
detractor's answer opens a ticket due in 24 h; a promoter's does not; bad answers write nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from lienmach.aftersales.queries import (
    nps_summary,
    survey_for_order,
    tickets_for_order,
)
from lienmach.aftersales.surveys import answer_survey
from lienmach.aftersales.tables import surveys, tickets
from lienmach.catalog.services import create_product
from lienmach.customers.services import register_customer
from lienmach.kernel.clock import SimulatedClock
from lienmach.kernel.errors import DomainError, InvalidInput, NotFound
from lienmach.kernel.runtime import Runtime
from lienmach.kernel.tables import event_log
from lienmach.kernel.uow import UnitOfWork
from lienmach.notifications.sandbox_smtp import SmtpSandboxProcess
from lienmach.orders.events import OrderDelivered
from lienmach.orders.placing import place_order
from lienmach.orders.queries import get_order
from lienmach.shipping.events import ShipmentFailed

pytestmark = pytest.mark.integration

EMAIL = "lan.nguyen@example.vn"


def _customer(runtime: Runtime, email: str = EMAIL, language: str = "vi") -> str:
    customer_id: str = runtime.run(
        register_customer,
        name="Nguyễn Thị Lan",
        email=email,
        phone="0901234567",
        province="01",
        ward="Phường Hoàn Kiếm",
        street="12 Hàng Bài",
        language=language,
    )
    return customer_id


def _product(runtime: Runtime, sku: str, name_vi: str, warranty_months: int) -> str:
    product_id: str = runtime.run(
        create_product,
        sku=sku,
        barcode=f"893{abs(hash(sku)) % 10**10:010d}",
        name_vi=name_vi,
        name_en=name_vi,
        price_vnd=450_000,
        cost_vnd=300_000,
        weight_grams=1200,
        warranty_months=warranty_months,
    )
    return product_id


def _deliver(uow: UnitOfWork, *, order_id: str, customer_id: str) -> None:
    # Stands in for shipping + orders.record_delivered: the fact after-sales reacts to.
    uow.publish(OrderDelivered(order_id=order_id, customer_id=customer_id))


def _delivered_order(runtime: Runtime, customer_id: str) -> Any:
    fan = _product(runtime, "FAN-01", "Quạt đứng", 12)
    kettle = _product(runtime, "KET-01", "Ấm siêu tốc", 0)
    placed = runtime.run(
        place_order,
        customer_id=customer_id,
        lines=[{"product_id": fan, "quantity": 1}, {"product_id": kettle, "quantity": 2}],
    )
    order = runtime.read(get_order, placed.order_id)
    runtime.run(_deliver, order_id=order.id, customer_id=customer_id)
    return order


def _count(runtime: Runtime, table: Any) -> int:
    with runtime.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def _events(runtime: Runtime, type_name: str) -> list[dict[str, Any]]:
    with runtime.engine.connect() as connection:
        rows = connection.execute(select(event_log.c.payload).where(event_log.c.type == type_name))
        return [dict(row.payload) for row in rows]


def _survey_token(runtime: Runtime, order_id: str) -> str:
    survey = runtime.read(survey_for_order, order_id)
    assert survey is not None
    return survey.token


def test_delivered_order_gets_survey_email_with_link_and_warranty(
    runtime: Runtime, smtp_server: SmtpSandboxProcess
) -> None:
    # given a customer whose order was delivered
    customer_id = _customer(runtime)
    smtp_server.clear()  # only after-sales mail matters here
    order = _delivered_order(runtime, customer_id)

    # then one survey exists for the order and one survey e-mail arrived at the SMTP server
    survey = runtime.read(survey_for_order, order.id)
    assert survey is not None and survey.answered_at is None
    caught = smtp_server.wait_for(lambda message: "/survey/" in message["body"])
    assert len(caught) == 1
    email = caught[0]
    assert email["to"] == [EMAIL]
    assert email["subject"] == f"Quý khách hài lòng với đơn hàng {order.number} chứ?"
    assert f"http://shop.test/survey/{survey.token}" in email["body"]
    assert "- Quạt đứng: 12 tháng" in email["body"]
    assert "Ấm siêu tốc" not in email["body"]  # no warranty, no warranty line
    assert _events(runtime, "SurveySent") == [
        {"survey_id": survey.id, "order_id": order.id, "customer_id": customer_id}
    ]


def test_delivered_twice_sends_one_survey(
    runtime: Runtime, smtp_server: SmtpSandboxProcess
) -> None:
    customer_id = _customer(runtime)
    order = _delivered_order(runtime, customer_id)

    runtime.run(_deliver, order_id=order.id, customer_id=customer_id)

    assert _count(runtime, surveys) == 1
    assert len(smtp_server.wait_for(lambda message: "/survey/" in message["body"])) == 1
    assert len(_events(runtime, "SurveySent")) == 1


def test_detractor_answer_opens_ticket_due_in_24_hours(
    runtime: Runtime, smtp_server: SmtpSandboxProcess, clock: SimulatedClock
) -> None:
    customer_id = _customer(runtime)
    order = _delivered_order(runtime, customer_id)
    token = _survey_token(runtime, order.id)
    clock.advance(timedelta(hours=2))

    # when the customer scores 3
    runtime.run(answer_survey, token=token, score=3, comment="Hộp bị móp")

    # then a ticket is open for that order, from the survey, due 24 h after it opened
    [ticket] = runtime.read(tickets_for_order, order.id, clock.now())
    assert (ticket.source, ticket.state, ticket.stage) == ("survey", "open", "unknown")
    assert ticket.customer_id == customer_id
    assert ticket.opened_at == clock.now()
    assert ticket.due_at == clock.now() + timedelta(hours=24)
    assert ticket.number.startswith("TK-") and len(ticket.number) == 9
    assert ticket.body == "Hộp bị móp"
    assert (ticket.sla_state, ticket.time_left) == ("on_track", timedelta(hours=24))
    assert len(_events(runtime, "TicketOpened")) == 1
    assert _events(runtime, "SurveyAnswered")[0]["category"] == "detractor"
    # and the customer was told the ticket number
    assert smtp_server.wait_for(lambda message: ticket.number in message["subject"])
    summary = runtime.read(nps_summary)
    assert (summary.detractors, summary.answered, summary.score) == (1, 1, -100.0)


def test_promoter_answer_opens_no_ticket(runtime: Runtime, clock: SimulatedClock) -> None:
    customer_id = _customer(runtime)
    order = _delivered_order(runtime, customer_id)

    runtime.run(answer_survey, token=_survey_token(runtime, order.id), score=10)

    assert _count(runtime, tickets) == 0
    assert _events(runtime, "TicketOpened") == []
    summary = runtime.read(nps_summary)
    assert (summary.promoters, summary.passives, summary.detractors) == (1, 0, 0)
    assert summary.score == 100.0


def test_answering_twice_is_refused_and_changes_nothing(
    runtime: Runtime, clock: SimulatedClock
) -> None:
    customer_id = _customer(runtime)
    order = _delivered_order(runtime, customer_id)
    token = _survey_token(runtime, order.id)
    runtime.run(answer_survey, token=token, score=9, comment="Tốt")
    answered_at = clock.now()
    clock.advance(timedelta(hours=1))

    with pytest.raises(DomainError, match="already answered"):
        runtime.run(answer_survey, token=token, score=2, comment="Đổi ý")

    survey = runtime.read(survey_for_order, order.id)
    assert survey is not None
    assert (survey.score, survey.comment, survey.category) == (9, "Tốt", "promoter")
    assert survey.answered_at == answered_at
    assert len(_events(runtime, "SurveyAnswered")) == 1
    assert _count(runtime, tickets) == 0


@pytest.mark.parametrize("score", [11, -1])
def test_bad_score_is_refused_and_nothing_is_written(runtime: Runtime, score: int) -> None:
    customer_id = _customer(runtime)
    order = _delivered_order(runtime, customer_id)

    with pytest.raises(InvalidInput) as refused:
        runtime.run(answer_survey, token=_survey_token(runtime, order.id), score=score)

    assert set(refused.value.errors) == {"score"}
    survey = runtime.read(survey_for_order, order.id)
    assert survey is not None and survey.answered_at is None and survey.score is None
    assert _events(runtime, "SurveyAnswered") == []


def test_unknown_survey_token_is_not_found(runtime: Runtime) -> None:
    with pytest.raises(NotFound):
        runtime.run(answer_survey, token="no-such-token", score=8)


def test_detractor_after_a_failed_delivery_blames_the_delivery_stage(
    runtime: Runtime, clock: SimulatedClock
) -> None:
    # given an order whose first delivery attempt failed (only the log entry matters here)
    customer_id = _customer(runtime)
    order = _delivered_order(runtime, customer_id)
    with UnitOfWork(runtime.engine, clock=clock, subscribers_of=lambda _: []) as uow:
        uow.publish(ShipmentFailed(shipment_id="shp_1", order_id=order.id, reason="no one home"))
        uow.commit()

    # when the customer answers 6
    runtime.run(answer_survey, token=_survey_token(runtime, order.id), score=6)

    # then the ticket names the delivery stage
    [ticket] = runtime.read(tickets_for_order, order.id, clock.now())
    assert (ticket.source, ticket.stage) == ("survey", "delivery")
