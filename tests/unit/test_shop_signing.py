"""What the shop signs: the cart cookie, and the pay request sent to the gateway."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from lienmach.billing.payment_gateway import pay_url, request_is_signed
from lienmach.web.shop.cart import MAX_QUANTITY, Cart, decode, encode

pytestmark = pytest.mark.unit


def test_a_cart_comes_back_as_it_was_written_and_altered_ones_are_empty() -> None:
    cart = Cart()
    cart.add("P_abc", 2)
    cart.add("P_def", 1)
    cart.add("P_abc", 1)
    value = encode(cart, "secret")

    assert decode(value, "secret").items == {"P_abc": 3, "P_def": 1}
    assert decode(value, "other-secret").items == {}
    payload, _, signature = value.rpartition(".")
    assert decode(f"{payload}A.{signature}", "secret").items == {}
    assert decode("garbage", "secret").items == {} and decode(None, "secret").items == {}


def test_quantities_are_capped_and_zero_removes_a_line() -> None:
    cart = Cart()
    cart.add("P_abc", 500)
    cart.set("P_abc", 0)
    cart.add("P_def", 1)
    cart.set("P_unknown", 5)  # only lines already in the cart change

    assert cart.items == {"P_def": 1}
    cart.add("P_def", 1000)
    assert cart.items == {"P_def": MAX_QUANTITY}


def test_a_pay_request_changed_on_the_way_is_no_longer_signed() -> None:
    url = pay_url(
        "http://gateway.test/",
        "secret",
        order_number="DH0000007",
        amount_vnd=1_309_000,
        return_url="http://shop.test/shop/orders/DH0000007",
        notify_url="http://shop.test/shop/payments/callback",
    )
    fields = dict(parse_qsl(urlsplit(url).query))

    assert url.startswith("http://gateway.test/pay?")
    assert request_is_signed("secret", fields)
    assert not request_is_signed("secret", {**fields, "amount": "1000"})
    assert not request_is_signed("another", fields)
