"""Guessing passwords is slowed down: too many failures lock the e-mail (or the client) out."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from lienmach.access.throttle import LIMITS, WINDOW
from lienmach.web.app import create_app
from lienmach.web.pages.security import SESSION_COOKIE
from tests.api_client import form_token, page_client
from tests.factories import STAFF_PASSWORD, seed_staff

pytestmark = pytest.mark.integration


def _log_in(client, email: str, password: str):  # type: ignore[no-untyped-def]
    token = form_token(client)
    return client.post(
        "/app/login", data={"email": email, "password": password, "csrf_token": token}
    )


def test_after_five_wrong_passwords_even_the_right_one_waits_until_the_window_ends(runtime, clock):
    staff = seed_staff(runtime)
    client = page_client(runtime)
    client.cookies.set("lm_lang", "en")
    for _ in range(LIMITS["email"]):
        assert _log_in(client, staff["sales"], "guess-" + STAFF_PASSWORD).status_code == 401

    locked = _log_in(client, staff["sales"], STAFF_PASSWORD)

    assert locked.status_code == 429
    assert "Too many failed logins. Try again in 15 minutes." in html.unescape(locked.text)
    assert SESSION_COOKIE not in locked.cookies
    # Another account is not locked by someone guessing this one.
    assert _log_in(client, staff["owner"], STAFF_PASSWORD).status_code == 303

    clock.advance(WINDOW + timedelta(seconds=1))
    fresh = page_client(runtime)
    assert _log_in(fresh, staff["sales"], STAFF_PASSWORD).status_code == 303


def test_a_successful_login_forgets_earlier_failures(runtime):
    staff = seed_staff(runtime)
    client = page_client(runtime)
    for _ in range(LIMITS["email"] - 1):
        _log_in(client, staff["warehouse"], "not-the-password")
    assert _log_in(client, staff["warehouse"], STAFF_PASSWORD).status_code == 303

    other = page_client(runtime)
    for _ in range(LIMITS["email"] - 1):
        assert _log_in(other, staff["warehouse"], "not-the-password").status_code == 401
    assert _log_in(other, staff["warehouse"], STAFF_PASSWORD).status_code == 303


def test_one_client_trying_many_e_mails_is_slowed_down_too(runtime, clock):
    staff = seed_staff(runtime)
    client = page_client(runtime)
    for number in range(LIMITS["client"]):
        _log_in(client, f"someone{number}@shop.test", "whatever-password")

    assert _log_in(client, staff["owner"], STAFF_PASSWORD).status_code == 429


def test_the_shop_login_is_throttled_the_same_way(runtime):
    customer = {
        "name": "Phạm Thị Hoa",
        "email": "hoa@example.vn",
        "phone": "0903 123 456",
        "province": "01",
        "ward": "Phường Ba Đình",
        "street": "5 Điện Biên Phủ",
        "password": "ao-thun-mua-he-2026",
    }
    shop = TestClient(create_app(runtime), follow_redirects=False)
    shop.cookies.set("lm_lang", "en")
    assert _shop_post(shop, "/shop/register", customer, page="/shop/register").status_code == 303
    _shop_post(shop, "/shop/logout", {})
    attempt = {"email": customer["email"], "password": "not-my-password"}
    for _ in range(LIMITS["email"]):
        assert _shop_post(shop, "/shop/login", attempt, page="/shop/login").status_code == 401

    right = {"email": customer["email"], "password": customer["password"]}
    locked = _shop_post(shop, "/shop/login", right, page="/shop/login")

    assert locked.status_code == 429
    assert "Too many failed logins" in html.unescape(locked.text)
    assert SESSION_COOKIE not in locked.cookies


def _shop_post(client: TestClient, path: str, data: dict[str, str], *, page: str = "/shop") -> Any:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(page).text)
    assert found is not None
    return client.post(path, data={**data, "csrf_token": found.group(1)})
