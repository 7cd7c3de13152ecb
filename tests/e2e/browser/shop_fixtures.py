"""Fixture ``shop``: Lienmach served for real with the payment gateway sandbox beside it.

Like the back office's fixture (conftest.py): uvicorn on a free 127.0.0.1 port in a thread, over
a SQLite file seeded with the test company, events drained inline. The gateway sandbox signs its
callbacks with the runtime's clock and the shop's secret, and Lienmach's public address is the
served one, so the links in e-mails open in the browser.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
import uvicorn

from lienmach.billing.sandbox_gateway import PaymentGatewaySandbox
from lienmach.bootstrap import build_runtime, create_schema
from lienmach.kernel.clock import SimulatedClock
from lienmach.kernel.db import make_engine
from lienmach.kernel.runtime import Runtime
from lienmach.settings import Settings
from lienmach.web.app import create_app
from tests.factories import Company, seed_company

STARTUP_ROUNDS = 200  # × 50 ms
GATEWAY_SECRET = "e2e-payment-secret"


@dataclass
class Shop:
    url: str
    runtime: Runtime
    company: Company
    gateway: PaymentGatewaySandbox


@pytest.fixture
def shop(tmp_path: Path, settings: Settings, clock: SimulatedClock) -> Iterator[Shop]:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    gateway = PaymentGatewaySandbox(GATEWAY_SECRET, clock=clock).start()
    database = f"sqlite:///{tmp_path / 'shop.db'}"
    engine = make_engine(database)
    create_schema(engine)
    served = replace(
        settings,
        database_url=database,
        public_base_url=url,
        payment_gateway_url=gateway.url,
        payment_gateway_secret=GATEWAY_SECRET,
    )
    runtime = build_runtime(served, engine=engine, clock=clock, inline_drain=True)
    company = seed_company(runtime)
    server = uvicorn.Server(
        uvicorn.Config(create_app(runtime), log_level="warning", lifespan="off")
    )
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [listener]}, name="shop", daemon=True
    )
    thread.start()
    for _ in range(STARTUP_ROUNDS):
        if server.started:
            break
        time.sleep(0.05)
    assert server.started, "the shop did not start listening"
    try:
        yield Shop(url, runtime, company, gateway)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()
        gateway.stop()
        engine.dispose()
