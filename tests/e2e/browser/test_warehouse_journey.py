"""The warehouse's day in Chromium: the pick queue, a confirmed pick, the packing station fed by
a scanner (one wrong code refused in red), the parcel closed and booked with the carrier
sandbox, the carrier's signed status updates, and the customer's tracking link showing them."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from lienmach.fulfilment.queries import tasks_for_order
from lienmach.notifications.sandbox_smtp import SmtpSandboxProcess
from lienmach.orders.queries import get_order
from lienmach.shipping.sandbox import CarrierSandbox
from tests.e2e.browser.conftest import BackOffice
from tests.e2e.browser.work_fixtures import (
    carrier_reports_over_http,
    link_in_email,
    tracking_code_of,
)

pytestmark = pytest.mark.e2e

SHIRT = "8930000000011"  # AO-001: Minh ordered 3
RICE_COOKER = "8930000000028"  # NOI-002: not in Minh's parcel


def _scan(page: Page, code: str) -> None:
    field = page.locator("#scan-code")
    expect(field).to_be_focused()
    field.fill(code)
    field.press("Enter")


def test_pick_scan_pack_ship_and_track(
    back_office: BackOffice,
    page: Page,
    carrier_sandbox: CarrierSandbox,
    smtp_server: SmtpSandboxProcess,
) -> None:
    office = back_office
    order = office.runtime.read(get_order, office.orders["minh"])
    assert order is not None
    office.log_in(page, "warehouse", path="/app/warehouse")
    expect(page.locator("h1")).to_have_text("Hàng chờ soạn")
    row = page.locator(f"tr[data-order='{order.number}']")
    expect(row.locator("td").nth(3)).to_have_text("AO-001 ×3")

    row.locator("[data-action=confirm-pick]").click()

    expect(page).to_have_url(re.compile(r"/app/warehouse/pack/PT"))
    answer = page.locator("#scan-answer")
    verified = page.locator("#verified")
    close = page.locator("#close-button")
    expect(page.locator("#to-verify")).to_have_text("3")
    expect(close).to_be_disabled()

    _scan(page, SHIRT)
    expect(answer).to_have_text("Đúng ✓ AO-001: 1/3")
    expect(answer).to_have_class(re.compile(r"\bok\b"))
    expect(verified).to_have_text("1")

    _scan(page, RICE_COOKER)
    expect(answer).to_have_text(f"Mã {RICE_COOKER} không thuộc kiện này. Để riêng sản phẩm này ra.")
    expect(answer).to_have_class(re.compile(r"\berror\b"))
    expect(answer).to_have_attribute("role", "alert")
    color = answer.evaluate("element => getComputedStyle(element).color")
    assert color == "rgb(180, 35, 24)", color  # the page's red
    expect(verified).to_have_text("1")
    expect(close).to_be_disabled()

    _scan(page, SHIRT)
    expect(verified).to_have_text("2")
    _scan(page, "ao-001")  # the SKU typed by hand counts too
    expect(answer).to_have_text("Đúng ✓ AO-001: 3/3")
    expect(verified).to_have_text("3")
    expect(close).to_be_enabled()
    [task] = office.runtime.read(tasks_for_order, order.id)
    assert (task.state, task.scanned_units) == ("picked", 3)

    page.locator("input[name=weight_grams]").fill("900")
    close.click()

    expect(page.locator("[data-packed=true]")).to_contain_text("Đã đóng kiện (900 g)")
    tracking_code = tracking_code_of(office, order.id)
    assert tracking_code in carrier_sandbox.orders  # booked with the carrier's API
    expect(page.locator("[data-shipment]")).to_contain_text(tracking_code)

    carrier_reports_over_http(
        office, carrier_sandbox, tracking_code, "picked", "transporting", "delivering"
    )

    # The customer follows the link of the e-mail that told them the tracking number.
    path = link_in_email(smtp_server, "minh@example.vn", "track")
    assert path == f"/track/{tracking_code}"
    page.locator("form.logout button").click()
    page.goto(f"{office.url}{path}")
    # Minh reads English: the page speaks the order's language until the visitor switches.
    expect(page.locator("h1")).to_have_text(f"Order {order.number}")
    parcel = page.locator(f"[data-tracking-code='{tracking_code}']")
    expect(parcel.locator("[data-shipment-state]")).to_have_text("In transit")
    statuses = parcel.locator("ol.history li")
    expect(statuses).to_have_count(4)
    expect(statuses.first).to_contain_text("Out for delivery")
    expect(statuses.last).to_contain_text("Waiting for pickup")
    expect(page.locator("[data-phone]")).to_have_text("09xx xxx 321")
    expect(page.locator("body")).not_to_contain_text("minh@example.vn")
    expect(page.locator("body")).not_to_contain_text("45 Lê Thánh Tôn")

    page.locator("a[data-lang=vi]").click()
    expect(page.locator("h1")).to_have_text(f"Đơn hàng {order.number}")
    expect(parcel.locator("[data-shipment-state]")).to_have_text("Đang vận chuyển")
    expect(statuses.first).to_contain_text("Đang giao hàng")
    expect(statuses.last).to_contain_text("Chờ lấy hàng")
