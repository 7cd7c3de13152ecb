"""Talking to an online payment gateway: signed pay requests out, signed callbacks in. Pure.

The shop sends the customer's browser to the gateway with a pay request (order number, amount,
where to come back to, where to send the callback) signed with the shared secret, so nobody can
change the amount on the way. When the customer pays, the gateway POSTs a callback signed with
HMAC-SHA256 over ``"<timestamp>." + body`` (the same scheme as the carriers' callbacks).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from lienmach.kernel.errors import InvalidInput
from lienmach.shipping.webhooks import (
    InvalidSignature,
    required_header,
    sign,
    signed_headers,
    verify_callback,
)

GATEWAY = "sandbox-pay"
TIMESTAMP_HEADER = "X-Gateway-Timestamp"
SIGNATURE_HEADER = "X-Gateway-Signature"
REQUEST_FIELDS = ("order", "amount", "return_url", "notify_url")
MAX_REFERENCE_LENGTH = 80

__all__ = ["InvalidSignature", "PaymentCallback", "parse_payment_callback", "sign"]


def _canonical(fields: Mapping[str, str]) -> bytes:
    return urlencode([(name, str(fields.get(name, ""))) for name in REQUEST_FIELDS]).encode()


def sign_request(secret: str, fields: Mapping[str, str]) -> str:
    """Hex HMAC-SHA256 of the pay request's fields, in a fixed order."""
    return hmac.new(secret.encode(), _canonical(fields), hashlib.sha256).hexdigest()


def request_is_signed(secret: str, fields: Mapping[str, str]) -> bool:
    expected = sign_request(secret, fields)
    given = str(fields.get("signature", ""))
    return hmac.compare_digest(expected.encode(), given.encode())


def pay_url(
    gateway_url: str,
    secret: str,
    *,
    order_number: str,
    amount_vnd: int,
    return_url: str,
    notify_url: str,
) -> str:
    """Where the browser pays: the gateway's page with the signed request in its query."""
    fields = {
        "order": order_number,
        "amount": str(amount_vnd),
        "return_url": return_url,
        "notify_url": notify_url,
    }
    signed = {**fields, "signature": sign_request(secret, fields)}
    return f"{gateway_url.rstrip('/')}/pay?{urlencode(signed)}"


def callback_headers(secret: str, timestamp: int, body: bytes) -> dict[str, str]:
    return signed_headers(secret, timestamp, body, names=(TIMESTAMP_HEADER, SIGNATURE_HEADER))


@dataclass(frozen=True)
class PaymentCallback:
    order_number: str
    amount_vnd: int
    reference: str


def _header(headers: Mapping[str, str], name: str) -> str:
    missing = f"the {name} header is missing; the gateway signs every callback"
    return required_header(headers, name, missing=missing)


def parse_payment_callback(
    secret: str, *, headers: Mapping[str, str], body: bytes, now: datetime
) -> PaymentCallback:
    """The verified callback ``{"order_number", "amount_vnd", "reference", "status": "paid"}``.

    InvalidSignature for a wrong or missing signature or a timestamp more than five minutes
    off; InvalidInput naming the field for a signed but malformed payload.
    """
    payload = verify_callback(
        secret,
        timestamp=_header(headers, TIMESTAMP_HEADER),
        signature=_header(headers, SIGNATURE_HEADER),
        body=body,
        now=now,
    )
    errors: dict[str, str] = {}
    number = payload.get("order_number")
    amount = payload.get("amount_vnd")
    reference = payload.get("reference")
    if not isinstance(number, str) or not number.strip():
        errors["order_number"] = "give the order number the payment is for"
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        errors["amount_vnd"] = "a payment is a whole number of đồng, more than 0"
    if not isinstance(reference, str) or not 0 < len(reference) <= MAX_REFERENCE_LENGTH:
        errors["reference"] = f"the gateway's reference, 1 to {MAX_REFERENCE_LENGTH} characters"
    if payload.get("status") != "paid":
        errors["status"] = "only a 'paid' callback records a payment"
    if errors:
        raise InvalidInput(errors)
    assert isinstance(number, str) and isinstance(amount, int) and isinstance(reference, str)
    return PaymentCallback(number.strip(), amount, reference)
