"""The KPI pages and the process map in Chromium, as the owner uses them: switch the window and
the dimension, drill down from a slice to its order, read it in English, see the map."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from lienmach.orders.queries import get_order
from tests.e2e.browser.conftest import BackOffice

pytestmark = pytest.mark.e2e


def test_the_owner_slices_a_kpi_and_drills_down_to_an_order_then_reads_it_in_english(
    back_office: BackOffice, page: Page
) -> None:
    lan = back_office.runtime.read(get_order, back_office.orders["lan"])
    assert lan is not None
    back_office.log_in(page, "owner")
    page.locator("[data-nav='kpi.nav']").click()
    expect(page).to_have_url(re.compile(r"/app/kpis$"))
    expect(page.locator("article.kpi-card")).to_have_count(5)
    expect(page.locator("button[data-days='30']")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("article.kpi-card svg.target-chart")).to_have_count(5)

    page.locator("button[data-days='7']").click()

    expect(page).to_have_url(re.compile(r"days=7"))
    expect(page.locator("button[data-days='7']")).to_have_attribute("aria-pressed", "true")
    page.locator("article[data-kpi='error_rate'] h2 a").click()
    expect(page.locator("h1")).to_have_text("Tỷ lệ lỗi quy trình")
    expect(page.locator("table.slice-table")).to_have_attribute("data-dimension", "channel")
    expect(page.locator("tr[data-slice-value]")).to_have_count(3)  # web, api, marketplace

    page.locator("a[data-dimension='product']").click()

    expect(page.locator("table.slice-table")).to_have_attribute("data-dimension", "product")
    expect(page.locator("table.slice-table")).to_contain_text("NOI-002 · Nồi cơm điện 1.8L")
    page.locator("a[data-dimension='channel']").click()
    page.locator("a[data-drill='web']").click()

    expect(page.locator("table.drilled-orders tbody tr")).to_have_count(1)
    page.locator(f"table.drilled-orders a[href='/app/orders/{lan.id}']").click()
    expect(page).to_have_url(re.compile(f"/app/orders/{lan.id}$"))
    expect(page.locator("h1")).to_contain_text(lan.number)

    page.go_back()
    page.locator("form.language button[value=en]").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_contain_text("Process error rate")
    expect(page.locator("section.drill-down h2")).to_have_text("Orders of Web shop")
    expect(page.locator("table.drilled-orders tbody tr")).to_have_count(1)


def test_the_process_map_shows_the_journey_as_an_svg(back_office: BackOffice, page: Page) -> None:
    back_office.log_in(page, "accountant")

    page.locator("[data-nav='process.nav']").click()

    expect(page.locator("h1")).to_have_text("Bản đồ quy trình đơn hàng")
    drawing = page.locator("svg.process-map")
    expect(drawing).to_be_visible()
    expect(drawing.locator("g.activity")).not_to_have_count(0)
    expect(drawing).to_contain_text("Đặt hàng")
    expect(page.locator("table.variant-table tbody tr")).not_to_have_count(0)
    # ...within the 1280 px window: nothing to scroll sideways for
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
