"""Checkout: the delivery address, the shipping options with their price and promised day, and
cash on delivery or paying online; the order is placed through the orders context."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Query
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Connection

from lienmach.customers.geography import PROVINCES, find_province
from lienmach.customers.queries import get_customer
from lienmach.kernel.errors import InvalidInput
from lienmach.orders.model import PaymentMethod, ServiceLevel
from lienmach.orders.placing import PlacedOrder, place_order
from lienmach.shipping.checkout import quote_for_draft
from lienmach.web.deps import perform
from lienmach.web.pages.security import PageContext
from lienmach.web.shop import cart
from lienmach.web.shop.guard import Customer, CustomerForm, customer_id_of
from lienmach.web.shop.payments import gateway_url_for
from lienmach.web.shop.rendering import current_cart, error_keys, settings_of, shop_render
from lienmach.web.shop.views import CartView, cart_view

router = APIRouter(prefix="/shop/checkout", include_in_schema=False)

ADDRESS_FIELDS = ("name", "phone", "province", "ward", "street")
FIELDS = {*ADDRESS_FIELDS, "service_level", "payment_method", "note", "cart"}
Text = Annotated[str, Form(max_length=200)]
Asked = Annotated[str | None, Query(max_length=200)]


@dataclass(frozen=True)
class ShippingOption:
    service_level: str
    carrier_name: str
    fee_vnd: int
    promised_at: datetime
    total_vnd: int


def shipping_options(
    connection: Connection, *, province_code: str, view: CartView, now: datetime
) -> list[ShippingOption]:
    """One option per service level a carrier takes this parcel at, cheapest carrier each."""
    lines = [line.priced for line in view.lines]
    drafts = [{"product_id": line.product_id, "quantity": line.quantity} for line in lines]
    options = []
    for level in ServiceLevel:
        quote = quote_for_draft(
            connection, destination_province_code=province_code, lines=drafts, service_level=level
        )
        if quote is not None:
            options.append(
                ShippingOption(
                    service_level=level.value,
                    carrier_name=quote.carrier_name,
                    fee_vnd=quote.shipping_fee_vnd,
                    promised_at=now + timedelta(days=quote.promised_days),
                    total_vnd=view.total_with_shipping(quote.shipping_fee_vnd),
                )
            )
    return options


def _province_code(text: str) -> str | None:
    found = find_province(text) if text.strip() else None
    return found.code if found else None


def _page(
    page: PageContext,
    view: CartView,
    given: dict[str, str],
    *,
    errors: dict[str, str] | None = None,
) -> Response:
    code = _province_code(given["province"])
    now = page.runtime.clock.now()
    options = (
        page.runtime.read(shipping_options, province_code=code, view=view, now=now)
        if code and view.lines
        else []
    )
    return shop_render(
        page,
        "shop/checkout.html",
        status_code=422 if errors else 200,
        view=view,
        given=given,
        options=options,
        provinces=PROVINCES,
        errors=errors or {},
    )


@router.get("")
def checkout_page(
    page: Customer,
    name: Asked = None,
    phone: Asked = None,
    province: Asked = None,
    ward: Asked = None,
    street: Asked = None,
) -> Response:
    """The address starts as the customer's own; "show shipping options" quotes another one."""
    contents = current_cart(page)
    if not contents.items:
        return RedirectResponse("/shop/cart", 303)
    customer = page.runtime.read(get_customer, customer_id_of(page) or "")
    assert customer is not None
    given = {
        "name": name if name is not None else customer.name,
        "phone": phone if phone is not None else customer.phone,
        "province": province if province is not None else customer.province_code,
        "ward": ward if ward is not None else customer.ward,
        "street": street if street is not None else customer.street,
        "service_level": ServiceLevel.STANDARD.value,
        "payment_method": PaymentMethod.COD.value,
        "note": "",
    }
    return _page(page, page.runtime.read(cart_view, contents, page.locale), given)


@router.post("")
def place(
    page: CustomerForm,
    name: Text = "",
    phone: Text = "",
    province: Text = "",
    ward: Text = "",
    street: Text = "",
    service_level: Text = "",
    payment_method: Text = "",
    note: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Place the order at the fee quoted now (never one sent by the browser)."""
    contents = current_cart(page)
    view = page.runtime.read(cart_view, contents, page.locale)
    given = {"name": name, "phone": phone, "province": province, "ward": ward, "street": street}
    given |= {"service_level": service_level, "payment_method": payment_method, "note": note}
    errors: dict[str, str] = {}
    if not view.lines:
        errors["cart"] = "the cart is empty"
    if payment_method not in set(PaymentMethod):
        errors["payment_method"] = "choose cash on delivery or paying online"
    code = _province_code(province)
    if code is None:
        errors["province"] = "choose the province from the list"
    option = None
    if code and view.lines:
        now = page.runtime.clock.now()
        options = page.runtime.read(shipping_options, province_code=code, view=view, now=now)
        option = next((o for o in options if o.service_level == service_level), None)
        if option is None:
            errors["service_level"] = "choose one of the shipping options shown"
    try:
        if errors:
            raise InvalidInput(errors)
        assert option is not None
        placed = perform(
            page.runtime,
            page.actor,
            place_order,
            customer_id=customer_id_of(page) or "",
            lines=contents.lines(),
            channel="web",
            payment_method=payment_method,
            service_level=service_level,
            shipping_address={key: given[key] for key in ADDRESS_FIELDS},
            shipping_fee_vnd=option.fee_vnd,
            promised_at=option.promised_at,
            note=" ".join(note.split()),
        )
    except InvalidInput as refused:
        return _page(page, view, given, errors=error_keys(refused.errors, FIELDS))
    return _placed(page, placed, payment_method)


def _placed(page: PageContext, placed: PlacedOrder, payment_method: str) -> Response:
    target = f"/shop/orders/{placed.number}?placed=1"
    if payment_method == PaymentMethod.PREPAID:
        target = gateway_url_for(page, placed.number, placed.total_vnd)
    response = RedirectResponse(target, 303)
    cart.write(response, page.request, cart.Cart(), settings_of(page).cookie_secret)
    return response
