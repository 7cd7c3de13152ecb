"""Signed carrier callbacks: HMAC-SHA256 over ``"<timestamp>." + body``, constant-time check."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lienmach.kernel.errors import DomainError, InvalidInput

TIMESTAMP_HEADER = "X-Lienmach-Timestamp"
SIGNATURE_HEADER = "X-Lienmach-Signature"


class InvalidSignature(DomainError):
    """The callback is not from the carrier, or is too old to trust; nothing was written."""

    code = "invalid_signature"


def sign(secret: str, timestamp: str | int, body: bytes) -> str:
    """Hex HMAC-SHA256 of ``f"{timestamp}.".encode() + body`` with ``secret``."""
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_headers(
    secret: str,
    timestamp: int,
    body: bytes,
    *,
    names: tuple[str, str] = (TIMESTAMP_HEADER, SIGNATURE_HEADER),
) -> dict[str, str]:
    """The headers of a signed JSON callback; ``names`` are the timestamp's and signature's."""
    timestamp_name, signature_name = names
    return {
        "Content-Type": "application/json",
        timestamp_name: str(timestamp),
        signature_name: sign(secret, timestamp, body),
    }


def required_header(headers: Mapping[str, str], name: str, *, missing: str) -> str:
    """A header's value whatever the case of its name; InvalidSignature(``missing``) without."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    raise InvalidSignature(missing)


def verify_callback(
    secret: str,
    *,
    timestamp: str,
    signature: str,
    body: bytes,
    now: datetime,
    tolerance_seconds: int = 300,
) -> dict[str, Any]:
    """The callback's JSON payload, once its signature and timestamp are checked."""
    expected = sign(secret, timestamp, body)
    if not hmac.compare_digest(expected.encode(), (signature or "").strip().lower().encode()):
        raise InvalidSignature("signature does not match")
    try:
        sent_at = int(str(timestamp).strip())
    except ValueError as error:
        raise InvalidSignature("timestamp is not a number of seconds") from error
    age = now.timestamp() - sent_at
    if age > tolerance_seconds:
        raise InvalidSignature("timestamp too old")
    if age < -tolerance_seconds:
        raise InvalidSignature("timestamp is in the future")
    try:
        payload = json.loads(body)
    except ValueError as error:
        raise InvalidInput({"body": "is not JSON; send the carrier's JSON payload"}) from error
    if not isinstance(payload, dict):
        raise InvalidInput({"body": "must be a JSON object"})
    return payload


@dataclass(frozen=True)
class CarrierUpdate:
    tracking_code: str
    carrier_status: str
    carrier_event_id: str
    occurred_at: datetime
    note: str


def _header(headers: Mapping[str, str], name: str) -> str:
    return required_header(
        headers, name, missing=f"{name} header missing; the carrier must sign its callbacks"
    )


def parse_callback(
    secret: str, *, headers: Mapping[str, str], body: bytes, now: datetime
) -> CarrierUpdate:
    """A verified GHN-like status callback ``{"OrderCode", "Status", "Time", "Reason"}``."""
    payload = verify_callback(
        secret,
        timestamp=_header(headers, TIMESTAMP_HEADER),
        signature=_header(headers, SIGNATURE_HEADER),
        body=body,
        now=now,
    )
    errors = {
        field: "missing from the callback"
        for field in ("OrderCode", "Status", "Time")
        if not str(payload.get(field) or "").strip()
    }
    if errors:
        raise InvalidInput(errors)
    try:
        occurred_at = datetime.fromisoformat(str(payload["Time"]).replace("Z", "+00:00"))
    except ValueError as error:
        raise InvalidInput({"Time": "must be an ISO 8601 moment"}) from error
    code, status, time = (str(payload[field]) for field in ("OrderCode", "Status", "Time"))
    return CarrierUpdate(
        tracking_code=code,
        carrier_status=status,
        carrier_event_id=f"{code}:{status}:{time}",
        occurred_at=occurred_at,
        note=str(payload.get("Reason") or ""),
    )
