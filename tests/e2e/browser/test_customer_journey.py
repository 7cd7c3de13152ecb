"""A customer in Chromium: registers, logs in, finds "Áo thun" by typing "ao thun", fills the
cart, checks out with a chosen shipping option, pays on the gateway sandbox's page, gets the
confirmation e-mail at the real SMTP server and follows its tracking link; and reads the shop
in English."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from lienmach.notifications.sandbox_smtp import SmtpSandboxProcess
from lienmach.orders.queries import get_order, list_orders
from tests.e2e.browser.shop_fixtures import Shop, shop  # noqa: F401  (the fixture)

pytestmark = pytest.mark.e2e

EMAIL = "thu.tran@example.vn"
PASSWORD = "mua-sam-vui-ve-2026"


def _register_and_log_in(shop: Shop, page: Page) -> None:  # noqa: F811
    page.goto(f"{shop.url}/shop/register")
    form = page.locator("form[action='/shop/register']")
    form.locator("input[name=name]").fill("Trần Thị Thu")
    form.locator("input[name=email]").fill(EMAIL)
    form.locator("input[name=phone]").fill("0938 765 432")
    form.locator("select[name=province]").select_option("01")
    form.locator("input[name=ward]").fill("phuong ba dinh")
    form.locator("input[name=street]").fill("8 Hoàng Diệu")
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    expect(page.locator(".notice")).to_contain_text("Tài khoản đã được tạo")
    page.locator("form.logout button").click()
    expect(page.locator("a[href='/shop/login']")).to_be_visible()

    page.locator("a[href='/shop/login']").click()
    page.locator("input[name=email]").fill(EMAIL)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form[action='/shop/login'] button[type=submit]").click()
    expect(page.locator(".shop-top .who")).to_have_text("Trần Thị Thu")


def test_a_customer_buys_online_and_follows_the_order_from_the_email(
    shop: Shop,  # noqa: F811
    page: Page,
    smtp_server: SmtpSandboxProcess,
) -> None:
    _register_and_log_in(shop, page)

    page.locator("input[name=q]").fill("ao thun")
    page.locator("input[name=q]").press("Enter")
    results = page.locator("article.card")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("Áo thun cotton")
    expect(results.first.locator("[data-price]")).to_have_text("165.000\xa0₫")
    results.first.locator("button", has_text="Thêm vào giỏ").click()

    expect(page).to_have_url(re.compile(r"/shop/cart$"))
    expect(page.locator("[data-line='AO-001']")).to_be_visible()
    expect(page.locator("[data-cart-units]")).to_have_text("Giỏ hàng (1)")
    page.locator("a[href='/shop/checkout']").click()

    options = page.locator("[data-option]")
    expect(options).to_have_count(2)
    express = page.locator("[data-option=express]")
    fee = int(express.locator("[data-fee]").get_attribute("data-fee") or "0")
    assert fee > 0
    express.locator("input[type=radio]").check()
    page.locator("input[name=payment_method][value=prepaid]").check()
    page.locator("button[name=place]").click()

    expect(page).to_have_url(re.compile(re.escape(shop.gateway.url) + r"/pay\?"))
    [order] = shop.runtime.read(list_orders)
    expect(page.locator("[data-order]")).to_have_text(order.number)
    expect(page.locator("[data-amount]")).to_have_text(f"{order.total_vnd} VND")
    assert order.service_level == "express" and order.shipping_fee_vnd == fee
    page.locator("button[name=pay]").click()

    expect(page).to_have_url(re.compile(f"/shop/orders/{order.number}\\?payment=paid"))
    expect(page.locator("[data-notice]")).to_have_text("Đã nhận thanh toán. Cảm ơn bạn!")
    expect(page.locator("[data-paid]")).to_have_attribute("data-paid", "yes")
    paid = shop.runtime.read(get_order, order.id)
    assert paid is not None and paid.paid_vnd == order.total_vnd
    assert [p["callback_status"] for p in shop.gateway.payments] == [200]

    [mail] = smtp_server.wait_for(lambda message: message["to"] == [EMAIL])
    assert order.number in mail["body"]
    link = re.search(r"https?://\S+/track/\S+", mail["body"])
    assert link is not None
    assert link.group(0) == f"{shop.url}/track/{order.tracking_token}"
    tracking = page.goto(link.group(0))
    assert tracking is not None and tracking.status == 200
    expect(page.locator("body")).to_contain_text(order.number)


def test_the_shop_speaks_english_after_the_switch_with_vnd_prices(
    shop: Shop,  # noqa: F811
    page: Page,
) -> None:
    page.goto(f"{shop.url}/shop?q=NOI")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator("article.card [data-price]")).to_have_text("979.000\xa0₫")
    expect(page.locator("h1")).to_have_text("Kết quả cho “NOI”")

    page.locator("form.language button[value=en]").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/shop\?q=NOI$"))
    expect(page.locator("h1")).to_have_text("Results for “NOI”")
    expect(page.locator("article.card [data-price]")).to_have_text("₫979,000")
    expect(page.locator("article.card button")).to_have_text("Add to cart")


def test_a_payment_cancelled_on_the_gateway_can_be_made_again_from_the_order_page(
    shop: Shop,  # noqa: F811
    page: Page,
) -> None:
    _register_and_log_in(shop, page)
    page.goto(f"{shop.url}/shop/products/{shop.company.products['SACH-003']}")
    page.locator("form.add input[name=quantity]").fill("2")
    page.locator("form.add button").click()
    page.goto(f"{shop.url}/shop/checkout")
    page.locator("input[name=payment_method][value=prepaid]").check()
    page.locator("button[name=place]").click()
    [order] = shop.runtime.read(list_orders)

    tampered = page.request.get(page.url.replace(f"amount={order.total_vnd}", "amount=1000"))
    assert tampered.status == 400
    page.locator("button[name=cancel]").click()

    expect(page).to_have_url(re.compile(f"/shop/orders/{order.number}\\?payment=cancelled"))
    expect(page.locator("[data-notice]")).to_contain_text("Bạn đã hủy thanh toán")
    expect(page.locator("[data-paid]")).to_have_attribute("data-paid", "no")
    assert shop.gateway.payments == []
    page.locator("[data-pay]").click()
    page.locator("button[name=pay]").click()

    expect(page.locator("[data-paid]")).to_have_attribute("data-paid", "yes")
    expect(page.locator("[data-pay]")).to_have_count(0)
    paid = shop.runtime.read(get_order, order.id)
    assert paid is not None and paid.paid_vnd == order.total_vnd == 2 * 126_000 + (
        paid.shipping_fee_vnd + paid.shipping_vat_vnd
    )
