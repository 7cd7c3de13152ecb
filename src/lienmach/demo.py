"""``lienmach demo``: sandboxes, a fresh Vietnamese demo company, orders through the journey,
and a summary."""

from __future__ import annotations

import contextlib
import dataclasses
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import event

from lienmach.access.roles import STAFF_ROLES
from lienmach.access.services import create_api_key, create_user
from lienmach.aftersales.queries import list_tickets, nps_summary
from lienmach.billing.queries import count_invoices, trial_balance
from lienmach.billing.sandbox_gateway import PaymentGatewaySandbox
from lienmach.bootstrap import build_runtime
from lienmach.inventory.queries import list_warehouses, stock_totals
from lienmach.kernel.clock import SimulatedClock
from lienmach.kernel.db import make_engine
from lienmach.kernel.money import format_vnd
from lienmach.kernel.runtime import Runtime
from lienmach.migrate import upgrade
from lienmach.notifications.queries import count_sent
from lienmach.notifications.sandbox_sms import SmsSandbox
from lienmach.notifications.sandbox_smtp import SmtpSandboxProcess
from lienmach.orders.queries import count_by_state
from lienmach.settings import Settings
from lienmach.shipping.sandbox import CarrierSandbox
from lienmach.simulator.plans import month_ending
from lienmach.simulator.settings import SimulationSettings
from lienmach.simulator.simulation import SimulationReport, simulate

MAILBOX = "demo-mail.jsonl"  # what the demo's mail server caught, next to its database


@dataclass
class Sandboxes:
    smtp: SmtpSandboxProcess
    sms: SmsSandbox
    carriers: CarrierSandbox
    payments: PaymentGatewaySandbox


@contextlib.contextmanager
def sandboxes(folder: Path) -> Iterator[Sandboxes]:
    """The remote sides the demo talks to: mail server, SMS gateway, carriers, payment gateway."""
    smtp = SmtpSandboxProcess(folder / MAILBOX).start()
    sms = SmsSandbox()
    sms.start()
    carriers = CarrierSandbox(secret="demo-carrier-secret")
    carriers.start()
    payments = PaymentGatewaySandbox(secret="demo-payment-secret").start()
    try:
        yield Sandboxes(smtp, sms, carriers, payments)
    finally:
        payments.stop()
        carriers.stop()
        sms.stop()
        smtp.stop()


def demo_settings(database: Path, boxes: Sandboxes, port: int) -> Settings:
    return Settings(
        database_url=f"sqlite:///{database}",
        smtp_host="127.0.0.1",
        smtp_port=boxes.smtp.port,
        sms_gateway_url=boxes.sms.url,
        carrier_api_url=boxes.carriers.url,
        carrier_secret=boxes.carriers.secret,
        payment_gateway_url=boxes.payments.url,
        payment_gateway_secret=boxes.payments.secret,
        public_base_url=f"http://127.0.0.1:{port}",
    )


def run_demo(
    console: Console,
    *,
    database: Path,
    orders: int,
    customers: int,
    seed: int,
    serve_after: bool,
    port: int,
) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    # A new database starts a new mailbox, so "sent / caught" compares the same run.
    (database.resolve().parent / MAILBOX).unlink(missing_ok=True)
    with sandboxes(database.resolve().parent) as boxes:
        settings = demo_settings(database, boxes, port)
        upgrade(settings.database_url)
        plan = month_ending(
            datetime.now(UTC),
            orders=orders,
            customers=customers,
            seed=seed,
            settle_days=DEMO_SETTLE_DAYS,
        )
        runtime = simulation_runtime(settings, plan)
        report = play(console, runtime, boxes, plan, settle_days=DEMO_SETTLE_DAYS)
        company = report.company
        console.print(
            f"[green]Seeded[/green] {len(company.products)} products,"
            f" {len(company.warehouses)} warehouses, 3 carriers,"
            f" {len(company.customers)} customers; {report.tally.get('orders placed', 0)}"
            f" orders over {plan.days} days."
        )
        _key_id, api_key = runtime.run(create_api_key, name="demo", scopes=["*"])
        staff = seed_staff_accounts(runtime)
        print_summary(console, runtime, boxes)
        print_staff_accounts(console, staff, port)
        runtime.engine.dispose()
        if serve_after:
            _serve(console, settings, port, api_key)


VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
DEMO_SETTLE_DAYS = 4  # after the month, the chain finishes what was started


def simulation_runtime(settings: Settings, plan: SimulationSettings) -> Runtime:
    """A runtime on the plan's simulated clock over a throwaway database."""
    engine = make_engine(settings.database_url)
    if settings.is_sqlite:
        # The database is recreated on every run: its commits need not survive a power cut,
        # and waiting for the disk on each one would be most of the run's time.
        @event.listens_for(engine, "connect")
        def _no_disk_waits(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.execute("PRAGMA synchronous=OFF")

    # Carriers report every status here, so asking them about quiet parcels every two hours
    # of simulated time would only repeat what is known.
    quiet = dataclasses.replace(settings, carrier_poll_after_hours=24)
    return build_runtime(quiet, engine=engine, clock=SimulatedClock(plan.start), inline_drain=True)


def play(
    console: Console,
    runtime: Runtime,
    boxes: Sandboxes,
    plan: SimulationSettings,
    *,
    settle_days: int,
) -> SimulationReport:
    """Run the plan with a progress bar, one step per simulated day."""
    with _progress(console) as progress:
        task = progress.add_task("Days of business", total=plan.days + settle_days)

        def day_done(day: date, orders: int) -> None:
            progress.update(
                task, advance=1, description=f"{day.isoformat()}: {orders} orders placed"
            )

        report = simulate(runtime, boxes.carriers, plan, settle_days=settle_days, on_day=day_done)
        progress.update(task, completed=plan.days + settle_days)
    return report


def run_simulation(
    console: Console,
    *,
    database_url: str | None,
    days: int,
    orders_per_day: int,
    seed: int,
    start: date | None,
) -> None:
    """``lienmach simulate``: days of business on a simulated clock into a new database."""
    if database_url is None:
        database = Path("lienmach-simulation.db")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        database_url = f"sqlite:///{database}"
    first_day = start or (datetime.now(UTC) - timedelta(days=days)).date()
    plan = SimulationSettings(
        days=days,
        orders_per_day=orders_per_day,
        seed=seed,
        start=datetime.combine(first_day, time(), VIETNAM),
    )
    with tempfile.TemporaryDirectory() as folder, sandboxes(Path(folder)) as boxes:
        settings = dataclasses.replace(
            demo_settings(Path("unused.db"), boxes, 8000), database_url=database_url
        )
        upgrade(database_url)
        runtime = simulation_runtime(settings, plan)
        if runtime.read(list_warehouses):
            runtime.engine.dispose()
            console.print(
                "[red]--database[/red]: this database already has a company;"
                " simulate into a new, empty one"
            )
            raise SystemExit(2)
        report = play(console, runtime, boxes, plan, settle_days=0)
        runtime.engine.dispose()
    table = Table(title=f"{days} simulated days, seed {seed}: what happened", show_header=False)
    for name, count in report.tally.items():
        table.add_row(name, str(count))
    for state, count in sorted(report.order_states.items()):
        table.add_row(f"orders {state}", str(count))
    table.add_row("NPS", f"{report.nps.score:.0f} ({report.nps.answered} answers)")
    console.print(table)
    console.print(f"Database: {database_url}")


DEMO_PASSWORD = "lienmach-demo"  # printed on purpose: a demo has no secrets
DEMO_STAFF_NAMES = {
    "owner": "Nguyễn Văn An (chủ cửa hàng)",
    "sales": "Trần Thị Bình",
    "warehouse": "Lê Văn Cường",
    "support": "Phạm Thị Dung",
    "accountant": "Hoàng Văn Em",
}


def seed_staff_accounts(runtime: Runtime) -> dict[str, str]:
    """One back-office account per staff role, all with ``DEMO_PASSWORD``; role → e-mail."""
    accounts = {}
    for role in STAFF_ROLES:
        email = f"{role.value}@demo.lienmach.vn"
        runtime.run(
            create_user,
            email=email,
            display_name=DEMO_STAFF_NAMES.get(role.value, role.value),
            password=DEMO_PASSWORD,
            role=role.value,
        )
        accounts[role.value] = email
    return accounts


def print_staff_accounts(console: Console, staff: dict[str, str], port: int) -> None:
    table = Table(
        title=f"Back office / Trang quản trị: http://127.0.0.1:{port}/app",
        show_header=True,
    )
    table.add_column("role / vai trò")
    table.add_column("e-mail")
    table.add_column("password / mật khẩu")
    for role, email in staff.items():
        table.add_row(role, email, DEMO_PASSWORD)
    console.print(table)


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )


def print_summary(console: Console, runtime: Runtime, boxes: Sandboxes) -> None:
    states = runtime.read(count_by_state)
    on_hand, reserved = runtime.read(stock_totals)
    balance = runtime.read(trial_balance)
    nps = runtime.read(nps_summary)
    tickets = runtime.read(list_tickets, now=runtime.clock.now(), limit=10_000)
    table = Table(title="Lienmach demo: what happened", show_header=True)
    table.add_column("")
    table.add_column("", justify="right")
    for state, count in sorted(states.items()):
        table.add_row(f"orders {state}", str(count))
    table.add_row("stock on hand / reserved", f"{on_hand} / {reserved}")
    table.add_row("invoices", str(runtime.read(count_invoices)))
    table.add_row(
        "trial balance (debit = credit)",
        f"{format_vnd(balance.total_debit)} = {format_vnd(balance.total_credit)}"
        + (" ✓" if balance.balanced else " ✗"),
    )
    table.add_row(
        "e-mails sent / caught by the mail server",
        f"{runtime.read(count_sent, channel='email')} / {len(boxes.smtp.messages())}",
    )
    table.add_row("SMS sent", str(runtime.read(count_sent, channel="sms")))
    table.add_row("NPS", f"{nps.score:.0f} ({nps.answered} answers)")
    open_tickets = sum(1 for ticket in tickets if ticket.state != "resolved")
    table.add_row("tickets open / total", f"{open_tickets} / {len(tickets)}")
    console.print(table)


def _serve(console: Console, settings: Settings, port: int, api_key: str) -> None:
    from lienmach.simulator.background import background_worker
    from lienmach.web.server import serve

    runtime = build_runtime(settings, inline_drain=False)
    console.print(
        f"Serving on [bold]http://127.0.0.1:{port}[/bold]:"
        f" back office at [bold]http://127.0.0.1:{port}/app[/bold]"
        f" (log in as owner@demo.lienmach.vn / {DEMO_PASSWORD}),"
        f" API at http://127.0.0.1:{port}/api/v1 (docs at /docs),"
        f" API key (all scopes): [bold]{api_key}[/bold]. Ctrl-C to stop."
    )
    with background_worker(runtime):
        serve(runtime, host="127.0.0.1", port=port)
