"""Carrier callback signatures: good, tampered, wrong secret, stale, from the future."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest

from lienmach.kernel.errors import InvalidInput
from lienmach.shipping.webhooks import (
    InvalidSignature,
    parse_callback,
    sign,
    signed_headers,
    verify_callback,
)

pytestmark = pytest.mark.unit

SECRET = "test-carrier-secret"
NOW = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
STAMP = str(int(NOW.timestamp()))
BODY = b'{"OrderCode":"GHN123456789","Status":"picked","Time":"2026-11-02T01:00:00+00:00"}'


def test_the_signature_is_hmac_sha256_over_timestamp_dot_body() -> None:
    expected = hmac.new(SECRET.encode(), f"{STAMP}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert sign(SECRET, STAMP, BODY) == expected
    assert len(expected) == 64


def test_a_good_callback_gives_its_payload() -> None:
    payload = verify_callback(
        SECRET, timestamp=STAMP, signature=sign(SECRET, STAMP, BODY), body=BODY, now=NOW
    )
    assert payload["OrderCode"] == "GHN123456789"
    assert payload["Status"] == "picked"


def test_a_tampered_body_does_not_match() -> None:
    signature = sign(SECRET, STAMP, BODY)
    with pytest.raises(InvalidSignature, match="signature does not match"):
        verify_callback(
            SECRET,
            timestamp=STAMP,
            signature=signature,
            body=BODY.replace(b"picked", b"delivered"),
            now=NOW,
        )


def test_another_secret_does_not_match() -> None:
    with pytest.raises(InvalidSignature, match="signature does not match"):
        verify_callback(
            SECRET,
            timestamp=STAMP,
            signature=sign("not-the-secret", STAMP, BODY),
            body=BODY,
            now=NOW,
        )


def test_a_replayed_timestamp_cannot_be_swapped() -> None:
    older = str(int(NOW.timestamp()) - 10)
    with pytest.raises(InvalidSignature, match="signature does not match"):
        verify_callback(
            SECRET, timestamp=older, signature=sign(SECRET, STAMP, BODY), body=BODY, now=NOW
        )


def test_an_old_callback_is_refused_even_when_signed() -> None:
    signature = sign(SECRET, STAMP, BODY)
    later = NOW + timedelta(seconds=301)
    with pytest.raises(InvalidSignature, match="timestamp too old"):
        verify_callback(SECRET, timestamp=STAMP, signature=signature, body=BODY, now=later)
    # and within the tolerance it passes
    verify_callback(
        SECRET, timestamp=STAMP, signature=signature, body=BODY, now=NOW + timedelta(seconds=300)
    )


def test_a_callback_from_the_future_is_refused() -> None:
    signature = sign(SECRET, STAMP, BODY)
    earlier = NOW - timedelta(minutes=10)
    with pytest.raises(InvalidSignature, match="future"):
        verify_callback(SECRET, timestamp=STAMP, signature=signature, body=BODY, now=earlier)


def test_a_signed_body_that_is_not_json_is_bad_input() -> None:
    body = b"not json"
    with pytest.raises(InvalidInput) as raised:
        verify_callback(
            SECRET, timestamp=STAMP, signature=sign(SECRET, STAMP, body), body=body, now=NOW
        )
    assert "body" in raised.value.errors


def test_a_callback_becomes_a_carrier_update_with_its_event_id() -> None:
    headers = signed_headers(SECRET, int(STAMP), BODY)
    lower = {key.lower(): value for key, value in headers.items()}  # header names vary in case
    update = parse_callback(SECRET, headers=lower, body=BODY, now=NOW)
    assert update.tracking_code == "GHN123456789"
    assert update.carrier_status == "picked"
    assert update.carrier_event_id == "GHN123456789:picked:2026-11-02T01:00:00+00:00"
    assert update.occurred_at == NOW
    assert update.note == ""


def test_an_unsigned_callback_is_refused() -> None:
    with pytest.raises(InvalidSignature, match="X-Lienmach-Timestamp header missing"):
        parse_callback(SECRET, headers={}, body=BODY, now=NOW)


def test_a_signed_callback_without_its_fields_is_bad_input() -> None:
    body = b'{"OrderCode":"GHN123456789"}'
    with pytest.raises(InvalidInput) as raised:
        parse_callback(SECRET, headers=signed_headers(SECRET, int(STAMP), body), body=body, now=NOW)
    assert set(raised.value.errors) == {"Status", "Time"}
