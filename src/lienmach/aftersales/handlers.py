"""Subscriptions of this context: which published facts move it, and how."""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from sqlalchemy import and_, exists, select

from lienmach.aftersales.events import SurveyAnswered, SurveySent
from lienmach.aftersales.model import NpsCategory, Stage, TicketSource
from lienmach.aftersales.services import open_ticket_unchecked
from lienmach.aftersales.tables import surveys
from lienmach.catalog.queries import products_in
from lienmach.customers.queries import get_customer
from lienmach.kernel.bus import Handler
from lienmach.kernel.clock import as_utc
from lienmach.kernel.db import insert_ignoring_duplicates
from lienmach.kernel.ids import new_id
from lienmach.kernel.messages import Event
from lienmach.kernel.tables import event_log, event_objects
from lienmach.kernel.uow import UnitOfWork
from lienmach.notifications.services import send_email
from lienmach.orders.events import OrderDelivered
from lienmach.orders.queries import OrderView, order_in

# Shipping facts that show the delivery stage failed for an order.
DELIVERY_TROUBLE = ("ShipmentFailed", "ShipmentReturned")


def on_order_delivered_send_survey(uow: UnitOfWork, event: OrderDelivered) -> None:
    """Delivery closes the order: send the NPS survey with the warranty of what was bought."""
    order = order_in(uow, event.order_id)
    if order is None:
        return
    survey_id = new_id("sv_")
    token = secrets.token_urlsafe(24)
    # Counted through RETURNING rather than the driver's rowcount for an INSERT.
    inserted = insert_ignoring_duplicates(
        uow.connection,
        surveys,
        {
            "id": survey_id,
            "order_id": order.id,
            "customer_id": order.customer_id,
            "token": token,
            "sent_at": uow.now(),
        },
    )
    if inserted != 1:
        return  # a survey was already sent for this order (the order id is unique)
    customer = get_customer(uow.connection, order.customer_id)
    language = (customer.language if customer else None) or order.language or "vi"
    email = (customer.email if customer else None) or order.ship_email
    if email:
        send_email(
            uow,
            key=f"survey:{order.id}",
            to=email,
            template="survey_email",
            params={
                "order_number": order.number,
                "survey_url": f"/survey/{token}",
                "warranty_lines": _warranty_lines(
                    uow, [line.product_id for line in order.lines], language
                ),
            },
            order_id=order.id,
            purpose="survey",
            language=language,
        )
    uow.publish(SurveySent(survey_id=survey_id, order_id=order.id, customer_id=order.customer_id))


def on_detractor_answer_open_ticket(uow: UnitOfWork, event: SurveyAnswered) -> None:
    """A detractor (0–6) opens a ticket by itself, linked to the order and the failed stage."""
    if event.category != NpsCategory.DETRACTOR.value:
        return
    survey = uow.connection.execute(select(surveys).where(surveys.c.id == event.survey_id)).first()
    comment = (survey.comment if survey is not None else "") or ""
    order = order_in(uow, event.order_id)
    number = order.number if order is not None else event.order_id
    open_ticket_unchecked(
        uow,
        customer_id=event.customer_id,
        subject=f"NPS {event.score}/10 – {number}",
        body=comment or f"The customer scored order {number} {event.score}/10.",
        order_id=event.order_id,
        source=TicketSource.SURVEY,
        stage=_failed_stage(uow, order),
        survey_id=event.survey_id,
    )


def _warranty_lines(uow: UnitOfWork, product_ids: list[str], language: str) -> list[str]:
    products = products_in(uow, product_ids)
    lines: list[str] = []
    for product_id in dict.fromkeys(product_ids):
        product = products.get(product_id)
        if product is None or product.warranty_months <= 0:
            continue
        if language == "en":
            lines.append(f"{product.name_en or product.name_vi}: {product.warranty_months} months")
        else:
            lines.append(f"{product.name_vi}: {product.warranty_months} tháng")
    return lines


def _failed_stage(uow: UnitOfWork, order: OrderView | None) -> Stage:
    """Delivery when the order arrived late or a delivery attempt failed; else unknown."""
    if order is None:
        return Stage.UNKNOWN
    if (
        order.promised_at
        and order.closed_at
        and as_utc(order.closed_at) > as_utc(order.promised_at)
    ):
        return Stage.DELIVERY
    trouble = exists().where(
        and_(
            event_objects.c.object_type == "order",
            event_objects.c.object_id == order.id,
            event_objects.c.event_id == event_log.c.id,
            event_log.c.type.in_(DELIVERY_TROUBLE),
        )
    )
    had_trouble = uow.connection.execute(select(trouble)).scalar()
    return Stage.DELIVERY if had_trouble else Stage.UNKNOWN


SUBSCRIPTIONS: dict[type[Event], Sequence[Handler]] = {
    OrderDelivered: [on_order_delivered_send_survey],
    SurveyAnswered: [on_detractor_answer_open_ticket],
}
