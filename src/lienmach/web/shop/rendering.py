"""Shop pages are rendered like the back office's (``t``, ``money``, ``when``), with the shop's
frame values added: the cart's size, who is logged in, the search text."""

from __future__ import annotations

from typing import Any

from fastapi.responses import HTMLResponse

from lienmach.settings import Settings
from lienmach.web.deps import get_settings
from lienmach.web.pages.rendering import render
from lienmach.web.pages.security import PageContext
from lienmach.web.shop import cart
from lienmach.web.shop.guard import customer_id_of


def settings_of(context: PageContext) -> Settings:
    return get_settings(context.runtime)


def current_cart(context: PageContext) -> cart.Cart:
    return cart.read(context.request, settings_of(context).cookie_secret)


def shop_render(
    context: PageContext, template: str, *, status_code: int = 200, **values: Any
) -> HTMLResponse:
    """``template`` (under templates/shop) in the viewer's language, inside the shop frame."""
    values.setdefault("cart_units", current_cart(context).units)
    values.setdefault("query", "")
    values.setdefault("errors", {})
    return render(
        context,
        template,
        status_code=status_code,
        customer_id=customer_id_of(context),
        **values,
    )


def error_keys(errors: dict[str, str], known: set[str]) -> dict[str, str]:
    """Each refused field → its message key ``shop.error.<field>``; others under ``form``.

    Services name fields like ``shipping_address.ward`` or ``lines[0].quantity``; the page
    shows each by the name of its own form field.
    """
    shown: dict[str, str] = {}
    for name in errors:
        field = name.removeprefix("shipping_address.")
        if field.startswith("lines"):
            field = "cart"
        shown[field if field in known else "form"] = (
            f"shop.error.{field}" if field in known else "shop.error.form"
        )
    return shown
