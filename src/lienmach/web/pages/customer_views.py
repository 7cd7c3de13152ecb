"""A customer's one timeline across channels (orders, e-mails and SMS, tickets, survey answers)
and what anyone holding a tracking link may see. Only reads live here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection

from lienmach.aftersales.queries import list_tickets, surveys_for_customer
from lienmach.customers.geography import Province
from lienmach.customers.queries import (
    CustomerView,
    get_customer,
    list_customers,
    search_customers,
)
from lienmach.kernel.clock import as_utc
from lienmach.notifications.queries import messages_for_customer
from lienmach.orders.queries import OrderView, get_order, list_orders, order_id_for_tracking_token
from lienmach.shipping.queries import ShipmentView, find_by_tracking_code, shipments_for_order
from lienmach.web.pages.views import PROVINCE_BY_CODE

TIMELINE_SIZE = 200
_RANK = {"order": 0, "email": 2, "sms": 2}


def customer_list(connection: Connection, text: str) -> list[CustomerView]:
    """Customers matching a name or phone search; the first page of all when none is given."""
    if text.strip():
        return search_customers(connection, text=text, limit=100)
    return list_customers(connection, limit=100)


@dataclass(frozen=True)
class TimelineItem:
    """One thing that happened with the customer; ``kind`` picks how the page shows it."""

    at: datetime
    kind: str  # order | email | sms | ticket_opened | ticket_resolved | survey
    title: str  # an order or ticket number, a message subject, a score
    detail: str = ""
    state: str = ""
    link_id: str | None = None  # the order or ticket it opens
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CustomerPage:
    customer: CustomerView
    orders: list[OrderView]
    timeline: list[TimelineItem]  # newest first


def customer_page(connection: Connection, customer_id: str, now: datetime) -> CustomerPage | None:
    """The customer with every order, message, ticket and survey answer, newest first."""
    customer = get_customer(connection, customer_id)
    if customer is None:
        return None
    orders = list_orders(connection, customer_id=customer_id, limit=TIMELINE_SIZE)
    numbers = {order.id: order.number for order in orders}
    items = [
        TimelineItem(
            as_utc(order.placed_at), "order", order.number, state=order.state, link_id=order.id
        )
        for order in orders
    ]
    recipients = [value for value in (customer.email, customer.phone) if value]
    for message in messages_for_customer(
        connection, order_ids=list(numbers), recipients=recipients, limit=TIMELINE_SIZE
    ):
        items.append(
            TimelineItem(
                message.sent_at or message.created_at,
                "sms" if message.channel == "sms" else "email",
                message.subject or (message.body or message.template)[:160],
                detail=numbers.get(message.order_id or "", ""),
                state=message.state,
                extra={"purpose": message.purpose},
            )
        )
    for ticket in list_tickets(connection, now=now, customer_id=customer_id, limit=TIMELINE_SIZE):
        order_number = numbers.get(ticket.order_id or "", "")
        items.append(
            TimelineItem(
                ticket.opened_at,
                "ticket_opened",
                ticket.number,
                detail=ticket.subject,
                state=ticket.state,
                link_id=ticket.id,
                extra={"order": order_number},
            )
        )
        if ticket.resolved_at is not None:
            items.append(
                TimelineItem(
                    ticket.resolved_at,
                    "ticket_resolved",
                    ticket.number,
                    detail=ticket.resolution or "",
                    state=ticket.sla_state,
                    link_id=ticket.id,
                    extra={"order": order_number},
                )
            )
    for survey in surveys_for_customer(connection, customer_id):
        if survey.answered_at is not None and survey.score is not None:
            items.append(
                TimelineItem(
                    survey.answered_at,
                    "survey",
                    str(survey.score),
                    detail=survey.comment or "",
                    state=survey.category or "",
                    link_id=survey.order_id,
                    extra={"order": numbers.get(survey.order_id, "")},
                )
            )
    # At one moment, what a thing caused (the e-mail about it) shows above the thing itself.
    items.sort(key=lambda item: (item.at, _RANK.get(item.kind, 1)), reverse=True)
    return CustomerPage(customer=customer, orders=orders, timeline=items)


def masked_phone(phone: str) -> str:
    """+84912345678 → "09xx xxx 678": the first two and last three digits of the national form."""
    digits = "".join(character for character in phone if character.isdigit())
    if digits.startswith("84") and len(digits) > 9:
        digits = "0" + digits[2:]
    if len(digits) < 6:
        return "x" * len(digits)
    middle = "x" * (len(digits) - 5)
    return f"{digits[:2]}{middle[:2]} {middle[2:]} {digits[-3:]}".replace("  ", " ")


def courier_name(name: str) -> str:
    """ "Nguyễn Thị Lan" → "N. T. Lan": the given name (last, in Vietnamese) and initials."""
    words = name.split()
    if len(words) < 2:
        return name
    return " ".join([*(word[0] + "." for word in words[:-1]), words[-1]])


@dataclass(frozen=True)
class TrackingPage:
    """A courier label's worth of the order and where its parcels are: no prices, no e-mail,
    no street, a masked phone."""

    order_number: str
    order_state: str
    promised_at: datetime | None
    recipient: str
    phone: str
    province: Province | None
    language: str
    shipments: list[ShipmentView]


def tracking_page(connection: Connection, code: str) -> TrackingPage | None:
    """``code`` is an order's tracking token or a shipment's tracking number; None: neither."""
    code = code.strip()
    order_id = order_id_for_tracking_token(connection, code) if code else None
    if order_id is None and code:
        shipment = find_by_tracking_code(connection, code)
        order_id = shipment.order_id if shipment else None
    order = get_order(connection, order_id) if order_id else None
    if order is None:
        return None
    return TrackingPage(
        order_number=order.number,
        order_state=order.state,
        promised_at=as_utc(order.promised_at) if order.promised_at else None,
        recipient=courier_name(order.ship_name),
        phone=masked_phone(order.ship_phone),
        province=PROVINCE_BY_CODE.get(order.ship_province_code),
        language=order.language,
        shipments=[
            shipment
            for shipment in shipments_for_order(connection, order.id)
            if shipment.tracking_code
        ],
    )
