#!/usr/bin/env python
"""Screenshots for the README: the back office's dashboard, order list, order page, KPIs,
process map, packing station and a ticket; the shop's search; a public tracking page.

    python scripts/screenshots.py [--orders 150] [--out docs/screenshots]

Builds a small demo company in a scratch SQLite file (the demo's own sandboxes and simulator),
serves it on a free 127.0.0.1 port, logs in as the owner in Debian's Chromium
(/usr/bin/chromium) and saves PNGs. Everything it starts, it stops.
"""

from __future__ import annotations

import argparse
import random
import socket
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright
from rich.console import Console

from lienmach.aftersales.queries import list_tickets
from lienmach.bootstrap import build_runtime
from lienmach.demo import DEMO_PASSWORD, demo_settings, sandboxes, seed_staff_accounts
from lienmach.fulfilment.queries import pick_queue
from lienmach.kernel.clock import SimulatedClock
from lienmach.kernel.runtime import Runtime
from lienmach.migrate import upgrade
from lienmach.orders.queries import list_orders
from lienmach.shipping.queries import shipments_for_order
from lienmach.simulator.journey import place_random_order, run_orders, settle
from lienmach.simulator.people import People
from lienmach.simulator.seed import seed_demo_company
from lienmach.web.app import create_app

ROOT = Path(__file__).resolve().parents[1]


def _more_pages(runtime: Runtime, order_id: str, queued_task: str) -> list[tuple[str, str]]:
    """(name, path) of the pages beyond the first three: KPIs, map, packing, ticket, shop,
    tracking (the ones whose object is missing from this run are left out)."""
    pages = [("kpis", "/app/kpis"), ("kpi", "/app/kpis/cycle_time?dimension=carrier")]
    pages += [
        ("process-map", "/app/process-map"),
        ("packing", f"/app/warehouse/pack/{queued_task}"),
    ]
    tickets = runtime.read(list_tickets, now=runtime.clock.now(), limit=1)
    if tickets:
        pages.append(("ticket", f"/app/tickets/{tickets[0].id}"))
    pages.append(("shop-search", "/shop?q=ao"))
    shipments = runtime.read(shipments_for_order, order_id)
    if shipments:
        pages.append(("tracking", f"/track/{shipments[0].tracking_code}"))
    return pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=150)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    arguments = parser.parse_args()
    arguments.out.mkdir(parents=True, exist_ok=True)
    console = Console()
    with tempfile.TemporaryDirectory() as folder, sandboxes(Path(folder)) as boxes:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("127.0.0.1", 0))
        port = listener.getsockname()[1]
        settings = demo_settings(Path(folder) / "screens.db", boxes, port)
        upgrade(settings.database_url)
        rng = random.Random(7)
        clock = SimulatedClock(datetime.now(UTC).replace(microsecond=0) - timedelta(days=6))
        runtime = build_runtime(settings, clock=clock, inline_drain=True)
        with console.status("Seeding and running orders…"):
            company = seed_demo_company(runtime, rng=rng, customers=80)
            staff = seed_staff_accounts(runtime)
            people = People(runtime, rng=rng, carriers=boxes.carriers)
            run_orders(runtime, company, people, orders=arguments.orders, rng=rng, clock=clock)
            settle(runtime, company, people, clock=clock, rounds=6)
            # A fresh order whose pick task waits, for the packing station's picture.
            place_random_order(runtime, company, rng, pay_rate=1.0)
        [queued] = runtime.read(pick_queue, limit=1)
        [order] = runtime.read(list_orders, state="delivered", limit=1) or runtime.read(
            list_orders, limit=1
        )
        server = uvicorn.Server(
            uvicorn.Config(create_app(runtime), log_level="warning", lifespan="off")
        )
        thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path="/usr/bin/chromium", headless=True
                )
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.goto(f"{base}/app/login")
                page.fill("input[name=email]", staff["owner"])
                page.fill("input[name=password]", DEMO_PASSWORD)
                page.click("form[action='/app/login'] button[type=submit]")
                page.wait_for_selector(".who")
                for name, path in (
                    ("dashboard", "/app"),
                    ("orders", "/app/orders"),
                    ("order", f"/app/orders/{order.id}"),
                    *_more_pages(runtime, order.id, queued.id),
                ):
                    page.goto(f"{base}{path}")
                    target = arguments.out / f"{name}.png"
                    page.screenshot(path=str(target), full_page=True)
                    console.print(f"saved {target.relative_to(ROOT)}")
                browser.close()
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            listener.close()
            runtime.engine.dispose()


if __name__ == "__main__":
    main()
