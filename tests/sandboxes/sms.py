"""Fixture ``sms_gateway``: a local HTTP SMS gateway that stores texts, deduped by id."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lienmach.notifications.sandbox_sms import SmsSandbox


@pytest.fixture
def sms_gateway() -> Iterator[SmsSandbox]:
    """A fresh SMS gateway for this test, stopped afterwards."""
    gateway = SmsSandbox().start()
    try:
        yield gateway
    finally:
        gateway.stop()
