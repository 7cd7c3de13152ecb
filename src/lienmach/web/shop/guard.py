"""Who is shopping: anyone may browse; orders, checkout and support need a customer's login.

The storefront reuses the back office's sessions and CSRF tokens (``pages.security``). A
customer is a logged-in user granted ``OWN_ORDERS`` with a ``customer_id``; staff accounts are
not customers and are sent to the shop's login like anyone else. Forms are CSRF-checked before
anything runs.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from lienmach.access.roles import Permission
from lienmach.web.pages.security import PageContext, form, page_context

SHOP = "/shop"
LOGIN = "/shop/login"


class ShopLoginNeeded(Exception):
    """The page is a customer's own: log in first (the login page comes back here)."""


class ShopPageNotFound(Exception):
    """No such product or order, or it is someone else's: the shop's 404 page says so."""

    def __init__(self, what_key: str) -> None:
        super().__init__(what_key)
        self.what_key = what_key


def customer_id_of(context: PageContext) -> str | None:
    """The customer the viewer is logged in as, or None for guests and staff."""
    user = context.user
    if user is None or not user.may(Permission.OWN_ORDERS):
        return None
    return user.customer_id


def _shopper(request: Request) -> PageContext:
    return page_context(request)


def _customer(request: Request) -> PageContext:
    context = page_context(request)
    if customer_id_of(context) is None:
        raise ShopLoginNeeded()
    return context


_checked_form = form(login=False)


async def _shopper_form(request: Request) -> PageContext:
    return await _checked_form(request)


async def _customer_form(request: Request) -> PageContext:
    context = await _checked_form(request)
    if customer_id_of(context) is None:
        raise ShopLoginNeeded()
    return context


Shopper = Annotated[PageContext, Depends(_shopper)]
ShopperForm = Annotated[PageContext, Depends(_shopper_form)]
Customer = Annotated[PageContext, Depends(_customer)]
CustomerForm = Annotated[PageContext, Depends(_customer_form)]


def safe_shop_path(target: str | None) -> str:
    """Only a path inside the shop (or a tracking page): never another site."""
    if target and target.startswith(("/shop", "/track/")) and not target.startswith("//"):
        return target
    return SHOP
