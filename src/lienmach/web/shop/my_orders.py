"""A customer's own orders: the list, one order's page, and asking for support about it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query
from fastapi.responses import RedirectResponse, Response

from lienmach.aftersales.queries import get_ticket
from lienmach.aftersales.tickets import open_ticket
from lienmach.customers.geography import PROVINCES
from lienmach.kernel.errors import InvalidInput
from lienmach.kernel.uow import UnitOfWork
from lienmach.orders.queries import list_orders
from lienmach.web.deps import perform
from lienmach.web.pages.security import PageContext
from lienmach.web.shop.guard import Customer, CustomerForm, ShopPageNotFound, customer_id_of
from lienmach.web.shop.rendering import error_keys, shop_render
from lienmach.web.shop.views import CustomerOrder, customer_order

router = APIRouter(prefix="/shop/orders", include_in_schema=False)

PROVINCE_NAMES = {item.code: item for item in PROVINCES}
SUPPORT_FIELDS = {"subject", "body"}
Flag = Annotated[str | None, Query(max_length=20)]


@router.get("")
def my_orders(page: Customer) -> Response:
    found = page.runtime.read(list_orders, customer_id=customer_id_of(page), limit=100)
    return shop_render(page, "shop/orders.html", orders=found)


def _order(page: PageContext, number: str) -> CustomerOrder:
    found = page.runtime.read(
        customer_order, number, customer_id_of(page) or "", page.runtime.clock.now()
    )
    if found is None:
        raise ShopPageNotFound("shop.order.noun")
    return found


def _order_page(
    page: PageContext,
    found: CustomerOrder,
    *,
    notice: str | None = None,
    ticket_number: str | None = None,
    given: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    return shop_render(
        page,
        "shop/order.html",
        status_code=422 if errors else 200,
        view=found,
        order=found.order,
        province=PROVINCE_NAMES.get(found.order.ship_province_code),
        notice=notice,
        ticket_number=ticket_number,
        given=given or {"subject": "", "body": ""},
        errors=errors or {},
    )


@router.get("/{number}")
def order_page(
    number: str,
    page: Customer,
    placed: Flag = None,
    payment: Flag = None,
    ticket: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    found = _order(page, number)
    notice = None
    if payment in ("paid", "failed", "cancelled"):
        notice = f"shop.payment.{payment}"
        if payment == "paid" and not found.order.paid:
            notice = "shop.payment.pending"
    elif placed:
        notice = "shop.order.placed"
    known = {t.number for t in found.tickets}
    return _order_page(
        page, found, notice=notice, ticket_number=ticket if ticket in known else None
    )


def _open_ticket(
    uow: UnitOfWork, *, customer_id: str, order_id: str, subject: str, body: str
) -> str:
    ticket_id = open_ticket(
        uow, customer_id=customer_id, subject=subject, body=body, order_id=order_id
    )
    ticket = get_ticket(uow.connection, ticket_id, uow.now())
    assert ticket is not None
    return ticket.number


@router.post("/{number}/support")
def ask_for_support(
    number: str,
    page: CustomerForm,
    subject: Annotated[str, Form(max_length=200)] = "",
    body: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    """Open a support ticket about this order; the page confirms it with the ticket's number."""
    found = _order(page, number)
    try:
        ticket_number = perform(
            page.runtime,
            page.actor,
            _open_ticket,
            customer_id=found.order.customer_id,
            order_id=found.order.id,
            subject=subject,
            body=body,
        )
    except InvalidInput as refused:
        errors = error_keys(refused.errors, SUPPORT_FIELDS)
        given = {"subject": subject, "body": body}
        return _order_page(page, found, given=given, errors=errors)
    return RedirectResponse(f"/shop/orders/{number}?ticket={ticket_number}#support", 303)
