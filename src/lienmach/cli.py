"""The ``lienmach`` command: demo, serve, worker, migrate."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from lienmach.settings import Settings

app = typer.Typer(help="Lienmach: the whole order chain of a small business in one place.")
console = Console()


@app.command()
def migrate(
    database_url: Annotated[
        str | None, typer.Option(help="defaults to LIENMACH_DATABASE_URL")
    ] = None,
) -> None:
    """Upgrade the database schema to the latest version."""
    from lienmach.migrate import upgrade

    url = database_url or Settings().database_url
    upgrade(url)
    console.print(f"[green]Database is up to date:[/green] {url}")


@app.command()
def worker(
    batch: Annotated[int, typer.Option(help="deliveries claimed per transaction")] = 200,
    idle_sleep: Annotated[float, typer.Option(help="seconds to wait when nothing is due")] = 0.2,
    max_idle_seconds: Annotated[
        float, typer.Option(help="stop after this long with nothing to do (0: never)")
    ] = 0.0,
) -> None:
    """Process events and jobs; run as many as you like against PostgreSQL."""
    from lienmach.bootstrap import build_runtime

    runtime = build_runtime(inline_drain=False)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    idle_since = time.monotonic()
    console.print("[green]Worker started[/green]; Ctrl-C to stop.")
    try:
        while not stopping.is_set():
            worked = runtime.work_once(batch=batch)
            if worked:
                idle_since = time.monotonic()
                continue
            if max_idle_seconds and time.monotonic() - idle_since > max_idle_seconds:
                break
            stopping.wait(idle_sleep)
    except KeyboardInterrupt:
        pass
    console.print("Worker stopped.")


@app.command()
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
) -> None:
    """Serve the API (and, on SQLite, process events in the background)."""
    from lienmach.bootstrap import build_runtime
    from lienmach.simulator.background import background_worker
    from lienmach.web.server import serve as serve_http

    runtime = build_runtime(inline_drain=False)
    with background_worker(runtime, enabled=Settings().is_sqlite):
        serve_http(runtime, host=host, port=port)


@app.command()
def demo(
    orders: Annotated[int, typer.Option(help="orders to run through the journey")] = 500,
    customers: Annotated[int, typer.Option(help="customers to register")] = 220,
    seed: Annotated[int, typer.Option(help="random seed: the same seed, the same demo")] = 7,
    database: Annotated[Path, typer.Option(help="SQLite file (recreated)")] = Path(
        "lienmach-demo.db"
    ),
    serve_after: Annotated[
        bool, typer.Option("--serve/--no-serve", help="serve the API after")
    ] = True,
    port: Annotated[int, typer.Option()] = 8000,
) -> None:
    """Seed a Vietnamese demo company, run orders through the whole journey, then serve."""
    from lienmach.demo import run_demo

    run_demo(
        console,
        database=database,
        orders=orders,
        customers=customers,
        seed=seed,
        serve_after=serve_after,
        port=port,
    )


def main() -> None:
    app()


if __name__ == "__main__":
    main()
