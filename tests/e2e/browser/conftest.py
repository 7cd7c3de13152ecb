"""The back office served for real, and Debian's Chromium driven by Playwright.

``back_office`` starts the app with uvicorn on a free 127.0.0.1 port in a background thread,
over a SQLite file in the test's tmp_path seeded with the test company (tests/factories.py),
one account per staff role and a few orders; events drain inline, so every call moves the
journey on before it returns. ``browser`` is Chromium at /usr/bin/chromium, headless: when it
is missing the tests fail (scripts/test installs it), they are never skipped.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect, sync_playwright

from lienmach.bootstrap import build_runtime, create_schema
from lienmach.kernel.clock import SimulatedClock
from lienmach.kernel.db import make_engine
from lienmach.kernel.runtime import Runtime
from lienmach.orders.placing import place_order
from lienmach.orders.services import cancel_order
from lienmach.settings import Settings
from lienmach.web.app import create_app
from tests.factories import STAFF_PASSWORD, Company, seed_company, seed_staff

CHROMIUM = Path("/usr/bin/chromium")
STARTUP_ROUNDS = 200  # × 50 ms: how long uvicorn may take to start listening


@dataclass
class BackOffice:
    """A served Lienmach: its base URL, the runtime behind it and what was seeded."""

    url: str
    runtime: Runtime
    clock: SimulatedClock
    company: Company
    staff: dict[str, str]  # role -> e-mail
    orders: dict[str, str]  # name -> order id

    def log_in(self, page: Page, role: str, *, path: str = "/app") -> None:
        """Log in through the login page as the account of ``role``; ends on ``path``."""
        page.goto(f"{self.url}{path}")
        expect(page).to_have_url(re.compile(r"/app/login"))
        page.locator("input[name=email]").fill(self.staff[role])
        page.locator("input[name=password]").fill(STAFF_PASSWORD)
        page.locator("form[action='/app/login'] button[type=submit]").click()
        expect(page.locator(".who")).to_be_visible()

    def place(self, customer: str, sku: str, *, channel: str = "web", quantity: int = 1) -> str:
        placed = self.runtime.run(
            place_order,
            customer_id=self.company.customers[customer],
            lines=[{"product_id": self.company.products[sku], "quantity": quantity}],
            channel=channel,
            shipping_fee_vnd=30_000,
        )
        return placed.order_id


def _seed_orders(office: BackOffice) -> None:
    office.orders["lan"] = office.place("Lan", "NOI-002", channel="web")
    office.orders["minh"] = office.place("Minh", "AO-001", channel="api", quantity=3)
    office.orders["cancelled"] = office.place("Lan", "SACH-003", channel="marketplace")
    office.runtime.run(
        cancel_order, order_id=office.orders["cancelled"], reason="khách đổi ý / changed mind"
    )


@pytest.fixture
def back_office(tmp_path: Path, settings: Settings, clock: SimulatedClock) -> Iterator[BackOffice]:
    url = f"sqlite:///{tmp_path / 'back-office.db'}"
    engine = make_engine(url)
    create_schema(engine)
    runtime = build_runtime(
        replace(settings, database_url=url), engine=engine, clock=clock, inline_drain=True
    )
    company = seed_company(runtime)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    office = BackOffice(
        url=f"http://127.0.0.1:{port}",
        runtime=runtime,
        clock=clock,
        company=company,
        staff=seed_staff(runtime),
        orders={},
    )
    _seed_orders(office)
    server = uvicorn.Server(
        uvicorn.Config(create_app(runtime), log_level="warning", lifespan="off")
    )
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [listener]}, name="back-office", daemon=True
    )
    thread.start()
    for _ in range(STARTUP_ROUNDS):
        if server.started:
            break
        time.sleep(0.05)
    assert server.started, "the back office did not start listening"
    try:
        yield office
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()
        engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is missing at {CHROMIUM}: run scripts/test (it installs Debian's"
            " chromium) or `apt-get install -y chromium`",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser profile (no cookies) per test."""
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()
