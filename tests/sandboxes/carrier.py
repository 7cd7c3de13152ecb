"""The carriers' local sandbox as a pytest fixture (all carriers on one local port)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lienmach.shipping.sandbox import CarrierSandbox

SECRET = "test-carrier-secret"


@pytest.fixture
def carrier_sandbox() -> Iterator[CarrierSandbox]:
    """A started sandbox signing callbacks with ``test-carrier-secret``; stopped after the test.

    Set ``carrier_sandbox.clock = clock`` when the test runs on a simulated clock, so the
    callbacks it signs are fresh in that clock's time.
    """
    sandbox = CarrierSandbox(SECRET)
    sandbox.start()
    try:
        yield sandbox
    finally:
        sandbox.stop()
