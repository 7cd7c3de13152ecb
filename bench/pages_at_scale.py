"""Benchmark: the back office's busiest pages with 100,000 orders in the database.

    python bench/pages_at_scale.py --orders 100000            # builds bench-pages.db once
    python bench/pages_at_scale.py --orders 100000 --requests 300

How the 100,000 orders are made: ``lienmach demo --no-serve`` runs a few hundred real orders
through the whole journey (every table the pages read is filled by the real services); then
every row those orders own (order, lines, events and their objects, reservations, pick tasks,
parcels, shipments and their events, invoices, credit notes, journal entries, surveys,
tickets, messages) is copied with fresh ids and its moments moved back in time, copy after
copy, until the database holds the asked number of orders spread over a year. Master data
(products, customers, warehouses, carriers, accounts, users) is shared by the copies.

Then the pages are asked for as a logged-in owner, in-process (Starlette's test client: server
time without the network): the order list (no filter, each filter, a deep page), order pages
of random orders, and the dashboard. Reported: p50, p95 and max per page, in milliseconds.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from lienmach.kernel.ids import new_id

# Tables whose rows belong to an order; everything else is master data the copies share.
ORDER_TABLES = (
    "orders",
    "order_lines",
    "event_log",
    "event_objects",
    "reservations",
    "waves",
    "pick_tasks",
    "pick_task_lines",
    "parcels",
    "shipments",
    "shipment_events",
    "invoices",
    "invoice_lines",
    "credit_notes",
    "credit_note_lines",
    "journal_entries",
    "journal_lines",
    "surveys",
    "tickets",
    "ticket_notes",
    "outbound_messages",
)
# Unique values that are not ids: numbers and codes people read; a copy gets "-<copy>".
UNIQUE_TEXT = {
    "number",
    "tracking_token",
    "tracking_code",
    "token",
    "key",
    "carrier_event_id",
    "source_id",
    "gateway_reference",
}
YEAR = timedelta(days=365)
console = Console()


def build(database: Path, *, base: int) -> None:
    """The demo's real orders: the originals the copies are made from."""
    command = [sys.executable, "-c", "from lienmach.cli import app; app()", "demo", "--no-serve"]
    command += ["--orders", str(base), "--database", str(database)]
    console.print(f"Running {base} real orders through the journey (lienmach demo)…")
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


def _copy_until(connection: sqlite3.Connection, wanted: int) -> None:
    connection.execute("PRAGMA synchronous=OFF")  # building a benchmark database, not business
    tables = [name for name in ORDER_TABLES if _exists(connection, name)]
    originals = {name: _rows(connection, name) for name in tables}
    ids = {row[0] for name in tables if originals[name][0][0] == "id" for row in originals[name][1]}
    have = len(originals["orders"][1])
    copies = max(0, -(-(wanted - have) // have))
    step = YEAR / max(copies, 1)
    with Progress(console=console) as progress:
        task = progress.add_task("Copying orders", total=copies)
        for copy in range(1, copies + 1):
            fresh = {old: new_id(old[:-26]) for old in ids}  # keep each id's prefix
            for name in tables:
                columns, rows = originals[name]
                change = _changer(columns, fresh, copy, step * copy)
                marks = ",".join("?" * len(columns))
                connection.executemany(
                    f"INSERT INTO {name} ({','.join(columns)}) VALUES ({marks})",
                    [change(row) for row in rows],
                )
            connection.commit()
            progress.advance(task)
    connection.execute("ANALYZE")
    connection.commit()


def _count(connection: sqlite3.Connection) -> int:
    return int(connection.execute("SELECT count(*) FROM orders").fetchone()[0])


def _exists(connection: sqlite3.Connection, table: str) -> bool:
    query = "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?"
    return connection.execute(query, (table,)).fetchone() is not None


def _rows(connection: sqlite3.Connection, table: str) -> tuple[list[str], list[tuple[object, ...]]]:
    cursor = connection.execute(f"SELECT * FROM {table}")
    columns = [item[0] for item in cursor.description]
    rows = cursor.fetchall()
    if columns[0] == "id" and rows and isinstance(rows[0][0], int):
        # An integer key is the database's own counter: let the copies take new numbers.
        return columns[1:], [row[1:] for row in rows]
    return columns, rows


def _changer(
    columns: list[str], fresh: dict[str, str], copy: int, back: timedelta
) -> Callable[[tuple[object, ...]], tuple[object, ...]]:
    unique = [name in UNIQUE_TEXT for name in columns]

    def change(row: tuple[object, ...]) -> tuple[object, ...]:
        out = []
        for value, is_unique in zip(row, unique, strict=True):
            if isinstance(value, str):
                if value in fresh:
                    value = fresh[value]
                elif is_unique:
                    value = f"{value}-{copy}"
                elif len(value) >= 19 and value[4] == "-" and value[10] == " ":
                    value = _moved(value, back)
            out.append(value)
        return tuple(out)

    return change


def _moved(value: str, back: timedelta) -> str:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return (moment - back).isoformat(sep=" ")


def measure(database: Path, requests: int, seed: int) -> dict[str, list[float]]:
    """Ask for each page ``requests`` times as the demo's owner; milliseconds per answer."""
    from fastapi.testclient import TestClient

    from lienmach.bootstrap import build_runtime
    from lienmach.migrate import upgrade
    from lienmach.settings import Settings

    settings = Settings(database_url=f"sqlite:///{database}")
    upgrade(settings.database_url)  # a database built by an older version
    runtime = build_runtime(settings, inline_drain=False)
    client = TestClient(_app(runtime))
    _log_in(client)
    with sqlite3.connect(database) as connection:
        order_ids = [row[0] for row in connection.execute("SELECT id FROM orders")]
        found = connection.execute("SELECT DISTINCT ship_province_code FROM orders")
        provinces = [row[0] for row in found]
    rng = random.Random(seed)
    pages: dict[str, Callable[[], str]] = {
        "order list": lambda: "/app/orders",
        "order list, filtered": lambda: rng.choice(
            [
                "/app/orders?state=delivered",
                "/app/orders?channel=marketplace",
                f"/app/orders?province={rng.choice(provinces)}",
                "/app/orders?placed_from=2026-06-01&placed_to=2026-06-30",
            ]
        ),
        "order list, page 200": lambda: "/app/orders?page=200",
        "order page": lambda: f"/app/orders/{rng.choice(order_ids)}",
        "dashboard": lambda: "/app",
    }
    times: dict[str, list[float]] = {name: [] for name in pages}
    for name, path in pages.items():
        client.get(path())  # warm the caches once, as a running server would be
        for _ in range(requests):
            started = time.perf_counter()
            answer = client.get(path())
            times[name].append((time.perf_counter() - started) * 1000)
            if answer.status_code != 200:
                raise SystemExit(f"{name}: {answer.status_code} {answer.text[:200]}")
    runtime.engine.dispose()
    return times


def _app(runtime: object) -> object:
    from lienmach.web.app import create_app

    return create_app(runtime)  # type: ignore[arg-type]


def _log_in(client: object) -> None:
    import re

    from lienmach.demo import DEMO_PASSWORD

    page = client.get("/app/login")  # type: ignore[attr-defined]
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    answer = client.post(  # type: ignore[attr-defined]
        "/app/login",
        data={"email": "owner@demo.lienmach.vn", "password": DEMO_PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    if answer.status_code != 303:
        raise SystemExit(f"could not log in: {answer.status_code}")


def report(times: dict[str, list[float]], orders: int) -> None:
    table = Table(title=f"Back-office pages with {orders:,} orders (ms, in-process)")
    for column in ("page", "p50", "p95", "max", "requests"):
        table.add_column(column, justify="right" if column != "page" else "left")
    for name, values in times.items():
        ordered = sorted(values)
        p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
        table.add_row(
            name,
            f"{statistics.median(ordered):.1f}",
            f"{p95:.1f}",
            f"{ordered[-1]:.1f}",
            str(len(ordered)),
        )
    console.print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--base", type=int, default=250, help="real orders to copy from")
    parser.add_argument("--database", type=Path, default=Path("bench-pages.db"))
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args()
    started = time.perf_counter()
    if arguments.rebuild or not arguments.database.exists():
        build(arguments.database, base=arguments.base)
    with sqlite3.connect(arguments.database) as connection:
        if _count(connection) < arguments.orders:
            _copy_until(connection, arguments.orders)
            console.print(f"Built in {time.perf_counter() - started:.0f} s")
        count = _count(connection)
    report(measure(arguments.database, arguments.requests, arguments.seed), count)


if __name__ == "__main__":
    main()
