"""The pieces behind deadlines, polling and refunds, without a database: the overdue rule, the
settings' bounds (and the jobs' I/O threads they set), the new e-mails in both languages, and
the carrier's status answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from lienmach.bootstrap import build_runtime
from lienmach.kernel.clock import SimulatedClock
from lienmach.notifications.templates import LANGUAGES, SPECS, missing_params, render
from lienmach.orders.model import payment_overdue
from lienmach.settings import Settings
from lienmach.shipping.gateway import HttpCarrierGateway
from lienmach.shipping.sandbox import CarrierSandbox

pytestmark = pytest.mark.unit

PLACED = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
DAY = timedelta(hours=24)


def overdue(**changes: object) -> bool:
    facts: dict[str, object] = {
        "payment_method": "prepaid",
        "paid_vnd": 0,
        "total_vnd": 100_000,
        "state": "reserved",
        "fulfilment_stage": "none",
        "placed_at": PLACED,
        "now": PLACED + DAY,
        "deadline": DAY,
    }
    return payment_overdue(**{**facts, **changes})  # type: ignore[arg-type]


def test_only_an_unpaid_cancellable_prepaid_order_past_its_deadline_is_overdue() -> None:
    assert overdue()
    assert overdue(paid_vnd=99_999)  # a part payment does not hold the order
    assert overdue(state="backordered")
    assert not overdue(now=PLACED + DAY - timedelta(seconds=1))
    assert not overdue(payment_method="cod")
    assert not overdue(paid_vnd=100_000)
    assert not overdue(state="cancelled")
    assert not overdue(state="shipped")
    assert not overdue(state="fulfilling", fulfilment_stage="packed")


@pytest.mark.parametrize(
    "name",
    ["payment_deadline_hours", "carrier_poll_after_hours", "sweep_every_minutes", "io_threads"],
)
def test_settings_refuse_a_deadline_or_count_that_is_not_positive(name: str) -> None:
    with pytest.raises(ValueError, match=f"LIENMACH_{name.upper()}.*số dương.*positive"):
        Settings(**{name: 0})  # type: ignore[arg-type]
    assert Settings().payment_deadline_hours == 24
    assert Settings().carrier_poll_after_hours == 2


def test_the_jobs_io_threads_come_from_the_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'io.db'}"
    assert build_runtime(Settings(database_url=url)).job_runner.io_threads == 32
    monkeypatch.setenv("LIENMACH_IO_THREADS", "6")
    runner = build_runtime(Settings(database_url=url)).job_runner
    assert runner.io_threads == 6 and runner.max_inflight == 12


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_deadline_and_refund_e_mails_render_in_both_languages(language: str) -> None:
    params = {"order_number": "DH0000042", "total": 1_990_400, "due_at": PLACED.isoformat()}
    subject, body = render("payment_deadline_cancelled", language, params)
    assert "DH0000042" in subject
    assert "1.990.400 ₫" in body and "08:00 02/11/2026" in body  # Vietnam time
    bodies = set()
    for cause in ("cancellation", "return", "late_payment"):
        params = {"order_number": "DH0000042", "amount": 495_000, "cause": cause}
        subject, body = render("refund_issued", language, params)
        assert "495.000 ₫" in subject and "DH0000042" in body
        bodies.add(body)
    assert len(bodies) == 3  # each cause is explained in its own words
    assert missing_params("refund_issued", {"order_number": "DH1"}) == ["amount", "cause"]
    assert SPECS["payment_deadline_cancelled"].channel == "email"


def test_the_gateway_reads_the_parcels_status_log_from_the_sandbox(
    carrier_sandbox: CarrierSandbox,
) -> None:
    clock = SimulatedClock(PLACED)
    carrier_sandbox.clock = clock
    gateway = HttpCarrierGateway(carrier_sandbox.url, timeout=5)
    try:
        code = gateway.create_order(
            carrier_id="vtp",
            client_order_code="shp_poll",
            to_name="Trần Văn Minh",
            to_phone="+84987654321",
            to_address="45 Lê Thánh Tôn, Phường Bến Thành, TP.HCM",
            to_province_code="79",
            weight_grams=800,
            cod_amount_vnd=0,
            service_level="standard",
        )["order_code"]
        clock.advance(timedelta(hours=2))
        carrier_sandbox.advance(code, "picked")

        report = gateway.order_status(carrier_id="vtp", order_code=code)
    finally:
        gateway.close()

    assert report == {
        "order_code": code,
        "status": "picked",
        "log": [
            {"status": "ready_to_pick", "updated_date": PLACED.isoformat()},
            {"status": "picked", "updated_date": (PLACED + timedelta(hours=2)).isoformat()},
        ],
    }
    assert carrier_sandbox.detail_calls == 1
