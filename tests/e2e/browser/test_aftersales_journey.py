"""After-sales in Chromium: a delivered order's survey link, taken from the e-mail the SMTP
sandbox caught, answered 3 (a detractor); support finds the ticket it opened, resolves it, and
the resolution shows on the customer's one timeline."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from lienmach.aftersales.queries import survey_for_order
from lienmach.notifications.sandbox_smtp import SmtpSandboxProcess
from lienmach.orders.queries import get_order, order_timeline
from lienmach.shipping.sandbox import CarrierSandbox
from tests.e2e.browser.conftest import BackOffice
from tests.e2e.browser.work_fixtures import (
    carrier_reports_over_http,
    link_in_email,
    tracking_code_of,
)
from tests.steps import pick_and_pack

pytestmark = pytest.mark.e2e

RESOLUTION = "Đã gọi xin lỗi chị Lan và đổi nồi mới"


def test_a_detractors_answer_becomes_a_ticket_support_resolves(
    back_office: BackOffice,
    page: Page,
    carrier_sandbox: CarrierSandbox,
    smtp_server: SmtpSandboxProcess,
) -> None:
    office = back_office
    order_id = office.orders["lan"]
    pick_and_pack(office.runtime, order_id)
    code = tracking_code_of(office, order_id)
    carrier_reports_over_http(
        office, carrier_sandbox, code, "picked", "transporting", "delivering", "delivered"
    )
    order = office.runtime.read(get_order, order_id)
    assert order is not None and order.state == "delivered"

    path = link_in_email(smtp_server, "lan@example.vn", "survey")
    page.goto(f"{office.url}{path}")
    expect(page.locator("h1")).to_have_text("Bạn thấy chúng tôi thế nào?")
    page.locator("input[name=score][value='3']").check()
    page.locator("textarea[name=comment]").fill("Nồi bị móp một góc khi nhận")
    page.locator("form button[type=submit]").click()

    expect(page.locator("[data-survey=thanks]")).to_contain_text("3/10")
    survey = office.runtime.read(survey_for_order, order_id)
    assert survey is not None and (survey.score, survey.category) == (3, "detractor")
    page.goto(f"{office.url}{path}")
    expect(page.locator("[data-survey=already]")).to_be_visible()

    office.clock.advance(timedelta(minutes=30))  # support reads the ticket half an hour later
    office.log_in(page, "support", path="/app/tickets")
    row = page.locator("tr[data-ticket]", has_text=order.number)
    expect(row).to_have_count(1)
    expect(row.locator(".countdown")).to_have_text("còn 23 giờ 30 phút")
    row.locator("a").first.click()

    expect(page.locator("[data-ticket-state]")).to_have_text("Đang mở")
    page.locator("textarea[name=resolution]").fill(RESOLUTION)
    page.locator(".resolve button[type=submit]").click()

    expect(page.locator("[data-ticket-state]")).to_have_text("Đã xử lý")
    expect(page.locator("[data-resolution]")).to_have_text(RESOLUTION)
    page.locator("a[href^='/app/customers/']").click()
    expect(page.locator("h1")).to_have_text("Nguyễn Thị Lan")
    items = page.locator("#customer-timeline li")
    resolved = page.locator("li[data-kind=ticket_resolved]")
    expect(resolved).to_contain_text(RESOLUTION)
    expect(page.locator("li[data-kind=survey]")).to_contain_text("3/10")
    expect(page.locator("li[data-kind=survey]")).to_contain_text("Nồi bị móp một góc khi nhận")
    expect(page.locator("li[data-kind=order]")).to_have_count(2)  # delivered and cancelled
    assert items.count() >= 6
    # Newest first: the resolution (and its e-mail) lead, the first order comes last.
    kinds = items.evaluate_all("rows => rows.map(row => row.dataset.kind)")
    assert "ticket_resolved" in kinds[:2] and kinds[-1] == "order"
    assert "TicketResolved" in [
        entry.type for entry in office.runtime.read(order_timeline, order_id)
    ]
