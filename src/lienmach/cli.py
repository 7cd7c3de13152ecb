"""The ``lienmach`` command: demo, serve, worker, migrate, api-key, user, analytics."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from lienmach.cli_access import api_key_app, user_app
from lienmach.kernel.gc_tuning import tune_for_long_run
from lienmach.settings import Settings

app = typer.Typer(help="Lienmach: the whole order chain of a small business in one place.")
console = Console()


@app.command()
def migrate(
    database_url: Annotated[
        str | None, typer.Option(help="defaults to LIENMACH_DATABASE_URL")
    ] = None,
) -> None:
    """Upgrade the database schema to the latest version; when an upgrade adds KPI tables
    to an existing event log, rebuild the KPIs and process map from it."""
    from lienmach.migrate import needs_analytics_rebuild, upgrade

    url = database_url or Settings().database_url
    applied = upgrade(url)
    console.print(f"[green]Database is up to date:[/green] {url}")
    if needs_analytics_rebuild(url, applied):
        console.print(
            "Rebuilding the KPIs from the event log / Đang tính lại KPI từ nhật ký sự kiện"
        )
        _recompute(url, from_log=True)


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
    tune_for_long_run()
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
    # Record the I/O still in flight rather than leave it to be done again once leases expire.
    runtime.job_runner.finish_inflight(runtime.engine, runtime.clock, runtime.uow)
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
    tune_for_long_run()
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

    tune_for_long_run()
    run_demo(
        console,
        database=database,
        orders=orders,
        customers=customers,
        seed=seed,
        serve_after=serve_after,
        port=port,
    )


@app.command()
def simulate(
    days: Annotated[int, typer.Option(min=1, help="days of business to play")] = 30,
    orders_per_day: Annotated[int, typer.Option(min=1, help="orders on an ordinary Monday")] = 20,
    seed: Annotated[int, typer.Option(help="the same seed plays the same business")] = 7,
    database_url: Annotated[
        str | None, typer.Option("--database", help="an empty database (default: a new file)")
    ] = None,
    start: Annotated[
        str | None, typer.Option(help="first day, YYYY-MM-DD (default: DAYS days ago)")
    ] = None,
) -> None:
    """Play days of business (demand, stock-outs, carriers, complaints) on a simulated clock."""
    from datetime import date

    from lienmach.demo import run_simulation

    try:
        first_day = date.fromisoformat(start) if start else None
    except ValueError:
        console.print("[red]--start[/red]: give the first day as YYYY-MM-DD")
        raise typer.Exit(2) from None
    tune_for_long_run()
    run_simulation(
        console,
        database_url=database_url,
        days=days,
        orders_per_day=orders_per_day,
        seed=seed,
        start=first_day,
    )


@app.command("export-ocel")
def export_ocel(
    output: Annotated[Path, typer.Option(help="the file to write (replaced)")],
    file_format: Annotated[str, typer.Option("--format", help="json or sqlite")] = "json",
    since: Annotated[str | None, typer.Option(help="first day, YYYY-MM-DD (Việt Nam time)")] = None,
    until: Annotated[str | None, typer.Option(help="last day, included")] = None,
    database_url: Annotated[str | None, typer.Option("--database")] = None,
) -> None:
    """Export the object-centric event log as OCEL 2.0 for process-mining tools."""
    from lienmach.analytics.ocel import count_events, parse_window
    from lienmach.analytics.ocel_export import export_ocel as write
    from lienmach.kernel.db import make_engine, read_connection
    from lienmach.kernel.errors import InvalidInput

    engine = make_engine(database_url or Settings().database_url)
    try:
        start, end = parse_window(since, until)
        with read_connection(engine) as connection, _bar() as bar:
            task = bar.add_task("OCEL 2.0", total=count_events(connection, start, end))
            events, objects = write(
                connection,
                file_format=file_format,
                path=output,
                since=start,
                until=end,
                progress=lambda done: bar.advance(task, done),
            )
    except InvalidInput as refused:
        for field, message in refused.errors.items():
            console.print(f"[red]{field}[/red]: {escape(message)}")
        raise typer.Exit(2) from None
    finally:
        engine.dispose()
    console.print(f"[green]Wrote[/green] {events} events, {objects} objects to {output}")


analytics_app = typer.Typer(help="KPIs and the process map / Chỉ số KPI và bản đồ quy trình.")
app.add_typer(analytics_app, name="analytics")


@analytics_app.command("recompute")
def analytics_recompute(
    from_log: Annotated[
        bool, typer.Option("--from-log", help="rebuild everything from the event log (slow)")
    ] = False,
    database_url: Annotated[str | None, typer.Option("--database")] = None,
) -> None:
    """Recompute every KPI's day sums from the per-object facts; with --from-log, rebuild the
    facts, sums, attribute history and process map from the whole event log."""
    from lienmach.analytics.recompute import CannotRecompute

    try:
        counts = _recompute(database_url or Settings().database_url, from_log=from_log)
    except CannotRecompute as refused:
        console.print(f"[red]database[/red]: {escape(str(refused))}")
        raise typer.Exit(2) from None
    summary = ", ".join(f"{name} {count:,}" for name, count in counts.items())
    console.print(f"[green]Recomputed / Đã tính lại:[/green] {summary}")


def _recompute(url: str, *, from_log: bool) -> dict[str, int]:
    """The KPIs recomputed in the database at ``url``, with a progress bar."""
    from lienmach.analytics.recompute import open_database, run_recompute

    engine = open_database(url)
    try:
        with _bar() as bar:
            return run_recompute(
                engine,
                from_log=from_log,
                start=lambda name, total: bar.add_task(name, total=total),
                advance=lambda task, done: bar.advance(task, done),
            )
    finally:
        engine.dispose()


def _bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )


app.add_typer(api_key_app, name="api-key")
app.add_typer(user_app, name="user")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
