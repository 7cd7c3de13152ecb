"""The back office in Chromium, as staff use it: menus by role, a refused page, the language
switch, the order list's filters, the order page's timeline, and a dashboard that follows the
work without a reload."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from lienmach.access.roles import PERMISSIONS, STAFF_ROLES, Role
from lienmach.orders.queries import get_order
from lienmach.web.pages.rendering import NAVIGATION
from tests.e2e.browser.conftest import BackOffice
from tests.steps import pick_and_pack

pytestmark = pytest.mark.e2e


def _number(office: BackOffice, name: str) -> str:
    order = office.runtime.read(get_order, office.orders[name])
    assert order is not None
    return order.number


def _menu(page: Page) -> list[str]:
    return page.locator("nav .menu a").evaluate_all("links => links.map(a => a.dataset.nav)")


def test_each_role_sees_only_its_menu(back_office: BackOffice, page: Page) -> None:
    seen = {}
    for role in STAFF_ROLES:
        back_office.log_in(page, role.value)
        seen[role] = _menu(page)
        page.locator("form.logout button").click()
        expect(page).to_have_url(re.compile(r"/app/login"))

    for role in STAFF_ROLES:
        expected = [item.label_key for item in NAVIGATION if item.permission in PERMISSIONS[role]]
        assert seen[role] == expected, role
    assert "nav.users" in seen[Role.OWNER] and "nav.ledger" in seen[Role.OWNER]
    assert "nav.ledger" in seen[Role.ACCOUNTANT]
    assert "nav.ledger" not in seen[Role.WAREHOUSE] and "nav.users" not in seen[Role.SALES]
    assert all("nav.orders" in menu for menu in seen.values())


def test_a_warehouse_user_is_refused_the_ledger_in_the_page_and_on_the_server(
    back_office: BackOffice, page: Page
) -> None:
    back_office.log_in(page, "warehouse")
    assert "nav.ledger" not in _menu(page)

    response = page.goto(f"{back_office.url}/app/ledger")

    assert response is not None and response.status == 403
    expect(page.locator("h1")).to_have_text("Không có quyền truy cập")
    expect(page.locator("[data-page=forbidden]")).to_contain_text("ask the shop's owner")
    expect(page.locator("table.trial-balance")).to_have_count(0)
    # The same request without the page around it: the server itself says no.
    direct = page.request.get(f"{back_office.url}/app/ledger")
    assert direct.status == 403 and "131" not in direct.text()


def test_the_language_switch_turns_the_pages_to_english_with_vnd_amounts(
    back_office: BackOffice, page: Page
) -> None:
    order = back_office.runtime.read(get_order, back_office.orders["minh"])
    assert order is not None
    back_office.log_in(page, "sales", path=f"/app/orders/{order.id}")
    total = page.locator("[data-total]")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(total).to_have_text(f"{order.total_vnd:,}".replace(",", ".") + "\xa0₫")
    expect(page.locator("[data-nav='nav.orders']")).to_have_text("Đơn hàng")

    page.locator("form.language button[value=en]").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(f"/app/orders/{order.id}$"))
    expect(total).to_have_text(f"₫{order.total_vnd:,}")
    expect(page.locator("h1")).to_have_text(f"Order {order.number}")
    # The choice is remembered on the next page.
    page.locator("[data-nav='nav.dashboard']").click()
    expect(page.locator("h1")).to_have_text("Dashboard")
    expect(page.locator("[data-kpi=today-orders] .label")).to_have_text("Orders today")


def test_the_order_list_filters_by_province_state_and_date(
    back_office: BackOffice, page: Page
) -> None:
    back_office.log_in(page, "sales", path="/app/orders")
    rows = page.locator("table.orders tbody tr[data-order]")
    expect(rows).to_have_count(3)

    page.locator("select[name=province]").select_option("79")
    page.locator("form.filters button[type=submit]").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-order", _number(back_office, "minh"))
    expect(page.locator("select[name=province]")).to_have_value("79")

    page.locator("a.reset").click()
    page.locator("select[name=state]").select_option("cancelled")
    page.locator("form.filters button[type=submit]").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-order", _number(back_office, "cancelled"))

    page.locator("a.reset").click()
    page.locator("select[name=channel]").select_option("web")
    page.locator("input[name=placed_from]").fill("2026-11-03")
    page.locator("form.filters button[type=submit]").click()
    expect(rows).to_have_count(0)
    expect(page.locator("table.orders")).to_contain_text("Không có đơn nào khớp bộ lọc")
    page.locator("input[name=placed_from]").fill("2026-11-02")
    page.locator("input[name=placed_to]").fill("2026-11-02")
    page.locator("form.filters button[type=submit]").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-order", _number(back_office, "lan"))


def test_the_order_page_tells_the_whole_story(back_office: BackOffice, page: Page) -> None:
    order_id = back_office.orders["lan"]
    pick_and_pack(back_office.runtime, order_id)
    back_office.log_in(page, "owner", path="/app/orders")
    page.locator(f"tr[data-order='{_number(back_office, 'lan')}'] a").click()

    timeline = page.locator("ol.timeline li")
    expect(timeline.first).to_have_attribute("data-event", "OrderPlaced")
    expect(timeline.first).to_contain_text("Đặt hàng")
    events = timeline.evaluate_all("items => items.map(li => li.dataset.event)")
    for step in ("OrderReserved", "InvoiceIssued", "PickTaskPicked", "ParcelPacked"):
        assert step in events, events
    assert events.index("OrderPlaced") < events.index("ParcelPacked")
    expect(page.locator("ol.timeline")).to_contain_text("picker")  # who did it
    expect(page.locator("#lines")).to_contain_text("NOI-002")
    expect(page.locator("#lines")).to_contain_text("HN1")
    expect(page.locator("#invoice")).to_contain_text("131")  # the owner sees the journal
    expect(page.locator("#shipments .shipment")).to_have_count(1)
    expect(page.locator("#shipments")).to_contain_text("Lý do chọn hãng")


def test_the_dashboard_follows_new_orders_without_a_reload(
    back_office: BackOffice, page: Page
) -> None:
    back_office.log_in(page, "owner")
    today = page.locator("[data-kpi=today-orders] .value")
    expect(today).to_have_text("2")  # the cancelled order does not count
    expect(page.locator("svg.bar-chart")).to_have_count(1)
    expect(page.locator("svg.bar-chart g[data-label='Đã hủy']")).to_have_attribute(
        "data-value", "1"
    )

    back_office.place("Minh", "SACH-003")

    expect(today).to_have_text("3", timeout=20_000)
