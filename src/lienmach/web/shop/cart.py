"""The cart, kept in a signed cookie.

Why a cookie: a guest fills a cart before having an account, and no table may be added for it
(no migration); the cookie holds only product ids and quantities, signed with HMAC-SHA256 so
what comes back is what the shop wrote. Prices are never in it: every page prices the cart from
the catalog again, so a changed price or a withdrawn product shows at once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass, field

from fastapi import Request, Response

from lienmach.web.pages.security import is_https

COOKIE = "lm_cart"
MAX_LINES = 30
MAX_QUANTITY = 99
LIFETIME_SECONDS = 30 * 24 * 3600
_PRODUCT_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


@dataclass
class Cart:
    """Product id → quantity, in the order the products were added."""

    items: dict[str, int] = field(default_factory=dict)

    @property
    def units(self) -> int:
        return sum(self.items.values())

    def add(self, product_id: str, quantity: int) -> None:
        total = min(self.items.get(product_id, 0) + quantity, MAX_QUANTITY)
        if product_id in self.items or len(self.items) < MAX_LINES:
            self.items[product_id] = total

    def set(self, product_id: str, quantity: int) -> None:
        if quantity <= 0:
            self.items.pop(product_id, None)
        elif product_id in self.items:
            self.items[product_id] = min(quantity, MAX_QUANTITY)

    def lines(self) -> list[dict[str, object]]:
        return [{"product_id": pid, "quantity": qty} for pid, qty in self.items.items()]


def _signature(secret: str, payload: str) -> str:
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()


def encode(cart: Cart, secret: str) -> str:
    text = "|".join(f"{pid}*{qty}" for pid, qty in cart.items.items())
    payload = base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")
    return f"{payload}.{_signature(secret, payload)}"


def decode(value: str | None, secret: str) -> Cart:
    """The cart in the cookie; an empty cart when it is missing, altered or malformed."""
    if not value or "." not in value:
        return Cart()
    payload, _, signature = value.rpartition(".")
    if not hmac.compare_digest(signature.encode(), _signature(secret, payload).encode()):
        return Cart()
    try:
        text = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
    except ValueError:
        return Cart()
    cart = Cart()
    for part in filter(None, text.split("|")):
        product_id, _, quantity = part.partition("*")
        if _PRODUCT_ID.match(product_id) and quantity.isdigit():
            cart.add(product_id, int(quantity))
    return cart


def read(request: Request, secret: str) -> Cart:
    return decode(request.cookies.get(COOKIE), secret)


def write(response: Response, request: Request, cart: Cart, secret: str) -> None:
    if not cart.items:
        response.delete_cookie(COOKIE, path="/shop", httponly=True, samesite="lax")
        return
    response.set_cookie(
        COOKIE,
        encode(cart, secret),
        max_age=LIFETIME_SECONDS,
        path="/shop",
        httponly=True,
        samesite="lax",
        secure=is_https(request),
    )
