"""Subscriptions of this context: which published facts move it, and how."""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from sqlalchemy import bindparam, select

from lienmach.aftersales.events import SurveyAnswered, SurveySent
from lienmach.aftersales.model import NpsCategory, Stage, TicketSource
from lienmach.aftersales.tables import surveys, tickets
from lienmach.aftersales.tickets import NewTicket, open_tickets_unchecked
from lienmach.catalog.queries import products_in
from lienmach.customers.queries import CustomerView, get_customers
from lienmach.kernel.bus import Handler, handles_batches
from lienmach.kernel.clock import as_utc
from lienmach.kernel.db import inserted_keys
from lienmach.kernel.ids import new_id
from lienmach.kernel.messages import Event
from lienmach.kernel.prepared import prepared
from lienmach.kernel.tables import event_log, event_objects
from lienmach.kernel.uow import UnitOfWork
from lienmach.notifications.services import send_email
from lienmach.orders.events import OrderDelivered
from lienmach.orders.queries import OrderView, order_in

# Shipping facts that show the delivery stage failed for an order.
DELIVERY_TROUBLE = ("ShipmentFailed", "ShipmentReturned")


@handles_batches
def on_order_delivered_send_survey(uow: UnitOfWork, events: list[OrderDelivered]) -> None:
    """Delivery closes the order: send the NPS survey with the warranty of what was bought.

    One survey per order (the order id is unique): a redelivered fact sends nothing more.
    """
    orders = _orders_named(uow, [event.order_id for event in events])
    sent_at = uow.now()
    planned = {
        order.id: (new_id("sv_"), secrets.token_urlsafe(24), order) for order in orders.values()
    }
    rows = [
        {
            "id": survey_id,
            "order_id": order.id,
            "customer_id": order.customer_id,
            "token": token,
            "sent_at": sent_at,
        }
        # Sorted, so concurrent inserts of the same orders wait in one order (no deadlock).
        for survey_id, token, order in sorted(planned.values(), key=lambda plan: plan[2].id)
    ]
    inserted = inserted_keys(uow.connection, surveys, rows)
    sent = [plan for plan in planned.values() if plan[0] in inserted]
    if not sent:
        return
    customers = get_customers(uow.connection, {order.customer_id for _, _, order in sent})
    # Every warranty read in one statement; _warranty_lines then finds them remembered.
    products_in(uow, [line.product_id for _, _, order in sent for line in order.lines])
    for survey_id, token, order in sent:
        _send_survey(uow, order, token, customers.get(order.customer_id))
        uow.publish(
            SurveySent(survey_id=survey_id, order_id=order.id, customer_id=order.customer_id)
        )


def _orders_named(uow: UnitOfWork, order_ids: list[str]) -> dict[str, OrderView]:
    """The orders found among ``order_ids``, once each, in the order first named."""
    found: dict[str, OrderView] = {}
    for order_id in order_ids:
        if order_id not in found and (order := order_in(uow, order_id)) is not None:
            found[order_id] = order
    return found


def _send_survey(
    uow: UnitOfWork, order: OrderView, token: str, customer: CustomerView | None
) -> None:
    language = (customer.language if customer else None) or order.language or "vi"
    email = (customer.email if customer else None) or order.ship_email
    if not email:
        return
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


@handles_batches
def on_detractor_answer_open_ticket(uow: UnitOfWork, events: list[SurveyAnswered]) -> None:
    """A detractor (0–6) opens a ticket by itself, linked to the order and the failed stage.

    One ticket per survey: an answer whose survey has a ticket already opens nothing more.
    """
    first_answers: dict[str, SurveyAnswered] = {}
    for event in events:
        if event.category == NpsCategory.DETRACTOR.value:
            first_answers.setdefault(event.survey_id, event)
    detractors = list(first_answers.values())
    if not detractors:
        return
    surveys_found = {
        row.id: row
        for row in _SURVEYS_WITH_TICKET.run(
            uow.connection, {"survey_ids": sorted(event.survey_id for event in detractors)}
        )
    }
    detractors = [
        event
        for event in detractors
        if (found := surveys_found.get(event.survey_id)) is None or found.ticket_id is None
    ]
    orders = _orders_named(uow, [event.order_id for event in detractors])
    stages = _failed_stages(uow, list(orders.values()))
    new_tickets = []
    for event in detractors:
        found = surveys_found.get(event.survey_id)
        comment = (found.comment if found is not None else "") or ""
        order = orders.get(event.order_id)
        number = order.number if order is not None else event.order_id
        new_tickets.append(
            NewTicket(
                customer_id=event.customer_id,
                subject=f"NPS {event.score}/10 – {number}",
                body=comment or f"The customer scored order {number} {event.score}/10.",
                order_id=event.order_id,
                source=TicketSource.SURVEY,
                stage=stages.get(event.order_id, Stage.UNKNOWN),
                survey_id=event.survey_id,
            )
        )
    open_tickets_unchecked(uow, new_tickets)


# The answered surveys' comments, and the ticket each one opened already, if any.
_SURVEYS_WITH_TICKET = prepared(
    select(surveys.c.id, surveys.c.comment, tickets.c.id.label("ticket_id"))
    .select_from(surveys.outerjoin(tickets, tickets.c.survey_id == surveys.c.id))
    .where(surveys.c.id.in_(bindparam("survey_ids", expanding=True)))
)
# The orders among some that had a failed or returned delivery attempt.
_ORDERS_WITH_DELIVERY_TROUBLE = prepared(
    select(event_objects.c.object_id)
    .distinct()
    .join(event_log, event_log.c.id == event_objects.c.event_id)
    .where(
        event_objects.c.object_type == "order",
        event_objects.c.object_id.in_(bindparam("order_ids", expanding=True)),
        event_log.c.type.in_(DELIVERY_TROUBLE),
    )
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


def _failed_stages(uow: UnitOfWork, orders: list[OrderView]) -> dict[str, Stage]:
    """Each order's failed stage: delivery when it arrived late or a delivery attempt failed
    (looked up in one statement for all of them); else unknown."""
    stages = {order.id: Stage.UNKNOWN for order in orders}
    on_time: list[str] = []
    for order in orders:
        if (
            order.promised_at
            and order.closed_at
            and as_utc(order.closed_at) > as_utc(order.promised_at)
        ):
            stages[order.id] = Stage.DELIVERY
        else:
            on_time.append(order.id)
    if on_time:
        troubled = _ORDERS_WITH_DELIVERY_TROUBLE.run(
            uow.connection, {"order_ids": sorted(on_time)}
        ).scalars()
        stages.update(dict.fromkeys(troubled, Stage.DELIVERY))
    return stages


SUBSCRIPTIONS: dict[type[Event], Sequence[Handler]] = {
    OrderDelivered: [on_order_delivered_send_survey],
    SurveyAnswered: [on_detractor_answer_open_ticket],
}
