"""The storefront over HTTP on SQLite and PostgreSQL: register, log in, search, cart, checkout
(cash on delivery and online), the gateway's signed callback, customers' isolation, CSRF."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from lienmach.access.queries import find_user_by_email
from lienmach.access.services import create_user
from lienmach.access.tables import users
from lienmach.aftersales.queries import list_tickets
from lienmach.billing.payment_gateway import callback_headers, request_is_signed
from lienmach.customers.queries import find_customer_by_email
from lienmach.kernel.runtime import Runtime
from lienmach.orders.placing import place_order
from lienmach.orders.queries import get_order, list_orders, order_id_for_number
from lienmach.web.app import create_app
from lienmach.web.pages.security import SESSION_COOKIE
from lienmach.web.shop.cart import COOKIE as CART_COOKIE
from tests.api_client import row_counts
from tests.factories import Company, seed_company

pytestmark = pytest.mark.integration

PASSWORD = "ao-thun-mua-he-2026"
SECRET = "payment-dev-secret"  # Settings' default; the test settings do not change it
HOA = {
    "name": "Phạm Thị Hoa",
    "email": "hoa@example.vn",
    "phone": "0903 123 456",
    "province": "01",
    "ward": "Phường Ba Đình",
    "street": "5 Điện Biên Phủ",
    "password": PASSWORD,
}


def _client(runtime: Runtime) -> TestClient:
    return TestClient(create_app(runtime), follow_redirects=False)


def _token(client: TestClient, path: str = "/shop") -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found, f"no form with a CSRF token on {path}"
    return found.group(1)


def _post(client: TestClient, path: str, data: dict[str, Any], *, page: str = "/shop") -> Any:
    return client.post(path, data={**data, "csrf_token": _token(client, page)})


def _register(client: TestClient, **changes: str) -> Any:
    return _post(client, "/shop/register", {**HOA, **changes}, page="/shop/register")


def _shopper(runtime: Runtime) -> tuple[TestClient, Company]:
    company = seed_company(runtime)
    client = _client(runtime)
    assert _register(client).status_code == 303
    return client, company


def _add(client: TestClient, product_id: str, quantity: int = 1) -> Any:
    return _post(client, "/shop/cart/add", {"product_id": product_id, "quantity": str(quantity)})


def _checkout(client: TestClient, **changes: str) -> Any:
    form = {
        "name": HOA["name"],
        "phone": HOA["phone"],
        "province": "01",
        "ward": HOA["ward"],
        "street": HOA["street"],
        "service_level": "standard",
        "payment_method": "cod",
    }
    return _post(client, "/shop/checkout", {**form, **changes}, page="/shop/checkout")


def _order_of(runtime: Runtime, location: str) -> Any:
    number = re.search(r"DH\d{7}", location)
    assert number, location
    order = runtime.read(get_order, runtime.read(order_id_for_number, number.group(0)))
    assert order is not None
    return order


def _callback(client: TestClient, payload: dict[str, Any], *, secret: str = SECRET, at: int):
    body = json.dumps(payload).encode()
    return client.post(
        "/shop/payments/callback", content=body, headers=callback_headers(secret, at, body)
    )


def test_registering_makes_a_customer_with_a_customer_login_that_never_opens_the_back_office(
    runtime: Runtime,
) -> None:
    seed_company(runtime)
    client = _client(runtime)

    answer = _register(client)

    assert answer.status_code == 303 and SESSION_COOKIE in client.cookies
    customer = runtime.read(find_customer_by_email, "hoa@example.vn")
    user = runtime.read(find_user_by_email, "hoa@example.vn")
    assert customer is not None and user is not None
    assert (customer.name, customer.phone, customer.province_code) == (
        HOA["name"],
        "+84903123456",
        "01",
    )
    assert (user.role, user.customer_id, user.permissions) == (
        "customer",
        customer.id,
        user.permissions,
    )
    assert [permission.value for permission in user.permissions] == ["shop:own-orders"]
    with runtime.engine.connect() as connection:
        stored = connection.execute(select(users.c.password_hash).where(users.c.id == user.id))
        assert stored.scalar_one().startswith("$argon2id$")
    assert "Chào mừng" in client.get("/shop?welcome=1").text
    for staff_page in ("/app", "/app/orders", "/app/ledger", "/app/settings/users"):
        assert client.get(staff_page).status_code == 403, staff_page
    assert client.get("/shop/orders").status_code == 200


def test_a_bad_registration_names_every_field_and_writes_nothing(runtime: Runtime) -> None:
    seed_company(runtime)
    client = _client(runtime)
    before = row_counts(runtime)

    answer = _register(
        client, email="hoa-at-example", phone="123", ward="Phường Không Có", password="ngan"
    )

    assert answer.status_code == 422
    shown = set(re.findall(r'data-field-error="(\w+)"', answer.text))
    assert shown == {"email", "phone", "ward", "password"}
    assert "Số điện thoại Việt Nam không hợp lệ" in answer.text
    assert row_counts(runtime) == before
    assert SESSION_COOKIE not in client.cookies


def test_login_errors_name_what_to_fix_and_open_no_session(runtime: Runtime) -> None:
    seed_company(runtime)
    first = _client(runtime)
    _register(first)
    runtime.run(
        create_user,
        email="kho@shop.test",
        display_name="Kho",
        password=PASSWORD,
        role="warehouse",
    )
    client = _client(runtime)
    client.cookies.set("lm_lang", "en")

    empty = _post(client, "/shop/login", {"email": "", "password": ""}, page="/shop/login")
    wrong = _post(client, "/shop/login", {"email": HOA["email"], "password": "sai-mat-khau-1"})
    staff = _post(client, "/shop/login", {"email": "kho@shop.test", "password": PASSWORD})

    assert empty.status_code == 422
    assert set(re.findall(r'data-field-error="(\w+)"', empty.text)) == {"email", "password"}
    assert wrong.status_code == 401 and "The e-mail or the password is wrong" in wrong.text
    assert staff.status_code == 403 and "staff account" in staff.text
    assert SESSION_COOKIE not in client.cookies
    right = _post(
        client, "/shop/login", {"email": HOA["email"], "password": PASSWORD, "next": "/shop/orders"}
    )
    assert right.status_code == 303 and right.headers["location"] == "/shop/orders"
    assert client.get("/shop/orders").status_code == 200
    assert _post(client, "/shop/logout", {}).status_code == 303
    assert client.get("/shop/orders").headers["location"].startswith("/shop/login")


def test_search_finds_products_with_or_without_diacritics(runtime: Runtime) -> None:
    seed_company(runtime)
    client = _client(runtime)

    def found(query: str) -> list[str]:
        return re.findall(r'data-product="([\w-]+)"', client.get("/shop", params={"q": query}).text)

    assert found("ao thun") == ["AO-001"]
    assert found("ÁO THUN") == ["AO-001"]
    assert found("noi com dien") == ["NOI-002"]
    assert found("lich su viet") == ["SACH-003"]
    assert found("ao noi") == []  # every word must match
    assert sorted(found("")) == ["AO-001", "NOI-002", "SACH-003"]


def test_the_product_page_shows_the_price_with_vat_and_the_stock(runtime: Runtime) -> None:
    company = seed_company(runtime, stock={"NOI-002": (2, 1), "SACH-003": (0, 0)})
    client = _client(runtime)

    rice_cooker = client.get(f"/shop/products/{company.products['NOI-002']}")
    book = client.get(f"/shop/products/{company.products['SACH-003']}")

    assert rice_cooker.status_code == 200
    assert "979.000\xa0₫" in rice_cooker.text  # 890.000 + 10 % VAT
    assert (
        'data-stock="shop.stock.few"' in rice_cooker.text
        and "Chỉ còn 3 sản phẩm" in rice_cooker.text
    )
    assert "126.000\xa0₫" in book.text and 'data-stock="shop.stock.out"' in book.text
    assert client.get("/shop/products/P-nope").status_code == 404


def test_the_cart_adds_changes_and_removes_lines_with_vat_totals(runtime: Runtime) -> None:
    company = seed_company(runtime)
    client = _client(runtime)
    shirt, cooker = company.products["AO-001"], company.products["NOI-002"]

    assert _add(client, shirt, 2).status_code == 303
    assert _add(client, cooker).status_code == 303
    cart = client.get("/shop/cart").text
    # 2 × 150.000 + 890.000 = 1.190.000 before VAT; 10 % VAT = 119.000
    assert re.search(r"data-subtotal>1\.190\.000\xa0₫", cart)
    assert re.search(r"data-vat>119\.000\xa0₫", cart)
    assert re.search(r"data-goods-total>1\.309\.000\xa0₫", cart)

    _post(client, "/shop/cart/update", {"product_id": shirt, "quantity": "3"})
    _post(client, "/shop/cart/remove", {"product_id": cooker})
    cart = client.get("/shop/cart").text
    assert re.findall(r'data-line="([\w-]+)"', cart) == ["AO-001"]
    assert re.search(r"data-goods-total>495\.000\xa0₫", cart)

    refused = _add(client, shirt, 0)
    assert refused.status_code == 422 and 'data-field-error="quantity"' in refused.text
    assert re.search(r"data-goods-total>495\.000\xa0₫", client.get("/shop/cart").text)
    tampered = client.cookies[CART_COOKIE].replace(".", "x.", 1)
    client.cookies.delete(CART_COOKIE)  # replaced, not sent beside the genuine one
    client.cookies.set(CART_COOKIE, tampered, path="/shop")
    assert "data-cart-empty" in client.get("/shop/cart").text


def test_cash_on_delivery_checkout_places_a_web_order_at_the_quoted_fee(
    runtime: Runtime, smtp_server: Any
) -> None:
    client, company = _shopper(runtime)
    _add(client, company.products["AO-001"], 2)
    page = client.get("/shop/checkout")
    fees = dict(re.findall(r'data-option="(\w+)".*?data-fee="(\d+)"', page.text, re.S))
    assert set(fees) == {"standard", "express"}

    answer = _checkout(client, service_level="express")

    assert answer.status_code == 303 and answer.headers["location"].endswith("?placed=1")
    order = _order_of(runtime, answer.headers["location"])
    customer = runtime.read(find_customer_by_email, HOA["email"])
    assert (order.customer_id, order.channel, order.payment_method) == (customer.id, "web", "cod")
    assert (order.service_level, order.shipping_fee_vnd) == ("express", int(fees["express"]))
    assert order.subtotal_vnd == 300_000 and order.vat_vnd == 30_000
    assert order.total_vnd == 330_000 + order.shipping_fee_vnd + order.shipping_vat_vnd
    assert order.ship_province_code == "01" and order.promised_at is not None
    assert "data-cart-empty" in client.get("/shop/cart").text
    shown = client.get(answer.headers["location"]).text
    assert "Đặt hàng thành công" in shown and f"/track/{order.tracking_token}" in shown
    [mail] = smtp_server.wait_for(lambda message: message["to"] == [HOA["email"]])
    assert order.number in mail["body"] and f"/track/{order.tracking_token}" in mail["body"]


def test_a_checkout_with_a_bad_address_names_the_field_and_places_nothing(runtime: Runtime) -> None:
    client, company = _shopper(runtime)
    _add(client, company.products["AO-001"])

    answer = _checkout(client, ward="Phường Không Có", phone="12")

    assert answer.status_code == 422
    assert set(re.findall(r'data-field-error="(\w+)"', answer.text)) == {"ward", "phone"}
    assert runtime.read(list_orders) == []


def test_paying_online_goes_through_the_gateway_and_its_signed_callback_records_it_once(
    runtime: Runtime,
) -> None:
    client, company = _shopper(runtime)
    _add(client, company.products["NOI-002"])

    answer = _checkout(client, payment_method="prepaid")

    location = urlsplit(answer.headers["location"])
    fields = dict(parse_qsl(location.query))
    order = _order_of(runtime, fields["order"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == "http://127.0.0.1:8028/pay"
    assert request_is_signed(SECRET, fields) and fields["amount"] == str(order.total_vnd)
    assert fields["return_url"] == f"http://shop.test/shop/orders/{order.number}"
    assert fields["notify_url"] == "http://shop.test/shop/payments/callback"
    assert not order.paid

    now = int(runtime.clock.now().timestamp())
    payload = {
        "order_number": order.number,
        "amount_vnd": order.total_vnd,
        "reference": "SBX1",
        "status": "paid",
    }
    first = _callback(client, payload, at=now)
    again = _callback(client, payload, at=now)

    assert first.status_code == 200 and first.json()["status"] == "recorded"
    assert again.status_code == 200 and again.json()["status"] == "already recorded"
    paid = runtime.read(get_order, order.id)
    assert paid is not None and paid.paid_vnd == order.total_vnd
    shown = client.get(f"/shop/orders/{order.number}?payment=paid").text
    assert "Đã nhận thanh toán" in shown and 'data-paid="yes"' in shown


def test_a_callback_with_a_bad_signature_or_an_old_timestamp_is_refused_and_writes_nothing(
    runtime: Runtime,
) -> None:
    client, company = _shopper(runtime)
    _add(client, company.products["AO-001"])
    order = _order_of(runtime, _checkout(client, payment_method="prepaid").headers["location"])
    payload = {
        "order_number": order.number,
        "amount_vnd": order.total_vnd,
        "reference": "SBX2",
        "status": "paid",
    }
    now = int(runtime.clock.now().timestamp())
    before = row_counts(runtime)

    forged = _callback(client, payload, secret="not-the-secret", at=now)
    stale = _callback(client, payload, at=now - 3600)
    unsigned = client.post("/shop/payments/callback", content=json.dumps(payload).encode())

    assert forged.status_code == stale.status_code == unsigned.status_code == 401
    assert row_counts(runtime) == before
    assert runtime.read(get_order, order.id).paid_vnd == 0


def test_a_callback_for_another_amount_is_refused_and_writes_nothing(runtime: Runtime) -> None:
    client, company = _shopper(runtime)
    _add(client, company.products["AO-001"])
    order = _order_of(runtime, _checkout(client, payment_method="prepaid").headers["location"])
    now = int(runtime.clock.now().timestamp())
    before = row_counts(runtime)

    answer = _callback(
        client,
        {
            "order_number": order.number,
            "amount_vnd": order.total_vnd - 1,
            "reference": "SBX3",
            "status": "paid",
        },
        at=now,
    )

    assert answer.status_code == 409 and "amount_vnd" in answer.json()["message"]
    assert row_counts(runtime) == before
    assert runtime.read(get_order, order.id).paid_vnd == 0


def test_a_customer_never_sees_another_customers_order(runtime: Runtime) -> None:
    client, company = _shopper(runtime)
    theirs = runtime.run(
        place_order,
        customer_id=company.customers["Minh"],
        lines=[{"product_id": company.products["AO-001"], "quantity": 1}],
        shipping_fee_vnd=30_000,
    )
    before = row_counts(runtime)

    page = client.get(f"/shop/orders/{theirs.number}")
    pay = client.get(f"/shop/orders/{theirs.number}/pay")
    support = _post(
        client, f"/shop/orders/{theirs.number}/support", {"subject": "Xem đơn", "body": "?"}
    )

    assert page.status_code == pay.status_code == support.status_code == 404
    assert "data-total" not in page.text and "Lê Thánh Tôn" not in page.text
    assert 'data-page="not-found"' in page.text
    assert theirs.number not in client.get("/shop/orders").text
    assert row_counts(runtime) == before


def test_a_support_request_on_an_order_opens_a_ticket_and_is_confirmed(runtime: Runtime) -> None:
    client, company = _shopper(runtime)
    _add(client, company.products["AO-001"])
    order = _order_of(runtime, _checkout(client).headers["location"])

    missing = _post(client, f"/shop/orders/{order.number}/support", {"subject": " ", "body": "x"})
    answer = _post(
        client,
        f"/shop/orders/{order.number}/support",
        {"subject": "Đổi size áo", "body": "Cho tôi đổi sang size L."},
    )

    assert missing.status_code == 422 and 'data-field-error="subject"' in missing.text
    [ticket] = runtime.read(list_tickets, now=runtime.clock.now())
    assert (ticket.order_id, ticket.customer_id, ticket.subject) == (
        order.id,
        order.customer_id,
        "Đổi size áo",
    )
    assert answer.status_code == 303
    shown = client.get(answer.headers["location"]).text
    assert f'data-ticket="{ticket.number}"' in shown and f"Đã nhận yêu cầu {ticket.number}" in shown


def test_forms_without_the_csrf_token_are_refused_and_write_nothing(runtime: Runtime) -> None:
    client, company = _shopper(runtime)
    _add(client, company.products["AO-001"])
    cart_cookie = client.cookies[CART_COOKIE]
    before = row_counts(runtime)

    adds = client.post("/shop/cart/add", data={"product_id": company.products["NOI-002"]})
    places = client.post(
        "/shop/checkout",
        data={
            "province": "01",
            "ward": HOA["ward"],
            "street": "x",
            "service_level": "standard",
            "payment_method": "cod",
            "csrf_token": "forged",
        },
    )
    registers = client.post("/shop/register", data={**HOA, "email": "khac@example.vn"})

    assert adds.status_code == places.status_code == registers.status_code == 403
    # The refusal is a shop page that leads back into the shop, not to the back office.
    assert 'data-page="csrf"' in adds.text and 'href="/shop"' in adds.text
    assert 'href="/app"' not in adds.text
    assert client.cookies[CART_COOKIE] == cart_cookie
    assert row_counts(runtime) == before


def test_guests_are_sent_to_the_login_for_their_orders_and_the_checkout(runtime: Runtime) -> None:
    seed_company(runtime)
    client = _client(runtime)

    for path in ("/shop/orders", "/shop/checkout", "/shop/orders/DH0000001"):
        answer = client.get(path)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/shop/login?next=%2Fshop%2F"), path
