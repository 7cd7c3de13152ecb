"""The back office's guards over HTTP: logins, CSRF, roles on every route, session expiry."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from fastapi.routing import APIRoute

from lienmach.access.credentials import SESSION_LIFETIME
from lienmach.access.queries import find_user_by_email
from lienmach.access.roles import Role, may
from lienmach.access.services import create_user, disable_user
from lienmach.web.app import create_app
from lienmach.web.pages.security import SESSION_COOKIE, guard_of
from tests.api_client import form_token, order_waiting_for_pick, page_client, row_counts
from tests.factories import STAFF_PASSWORD, seed_staff

pytestmark = pytest.mark.integration

# Pages anyone may reach: the login itself and the language switch (CSRF-checked all the same).
PUBLIC = {("GET", "/app/login"), ("POST", "/app/login"), ("POST", "/app/language")}


def _log_in(client, email: str, password: str):  # type: ignore[no-untyped-def]
    token = form_token(client)
    return client.post(
        "/app/login", data={"email": email, "password": password, "csrf_token": token}
    )


def test_a_wrong_password_or_unknown_email_is_refused_alike_and_opens_no_session(runtime):
    staff = seed_staff(runtime)
    client = page_client(runtime)
    before = row_counts(runtime)

    wrong = _log_in(client, staff["sales"], STAFF_PASSWORD + "x")
    unknown = _log_in(client, "nobody@shop.test", STAFF_PASSWORD)

    assert wrong.status_code == unknown.status_code == 401
    for answer in (wrong, unknown):
        assert "E-mail hoặc mật khẩu không đúng" in answer.text
        assert SESSION_COOKIE not in answer.cookies
    after = row_counts(runtime)
    # Only the failures are counted (per e-mail, and per client for both attempts).
    assert after.pop("login_failures") == before.pop("login_failures") + 3
    assert after == before
    assert client.get("/app").status_code == 303


def test_a_disabled_user_cannot_log_in_and_is_told_whom_to_ask(runtime):
    staff = seed_staff(runtime)
    user = runtime.read(find_user_by_email, staff["support"])
    runtime.run(disable_user, user_id=user.id)
    client = page_client(runtime)
    client.cookies.set("lm_lang", "en")

    answer = _log_in(client, staff["support"], STAFF_PASSWORD)

    assert answer.status_code == 403
    assert "This account is disabled. Ask the shop's owner" in html.unescape(answer.text)
    assert client.get("/app").status_code == 303


def test_a_login_sets_a_safe_session_cookie_and_a_logout_ends_it(runtime):
    staff = seed_staff(runtime)
    client = page_client(runtime)

    answer = _log_in(client, staff["sales"], STAFF_PASSWORD)

    assert answer.status_code == 303 and answer.headers["location"] == "/app"
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    token = client.cookies[SESSION_COOKIE]
    assert client.get("/app").status_code == 200

    assert (
        client.post("/app/logout", data={"csrf_token": form_token(client, "/app")}).status_code
        == 303
    )
    replayed = page_client(runtime)
    replayed.cookies.set(SESSION_COOKIE, token)
    assert replayed.get("/app").status_code == 303  # the old token opens nothing


def test_over_https_the_session_cookie_is_secure(runtime):
    staff = seed_staff(runtime)
    client = page_client(runtime, base_url="https://shop.test")

    answer = _log_in(client, staff["owner"], STAFF_PASSWORD)

    assert answer.status_code == 303
    assert "secure" in answer.headers["set-cookie"].lower()


def test_the_login_never_redirects_to_another_site(runtime):
    staff = seed_staff(runtime)
    client = page_client(runtime)
    token = form_token(client)
    answer = client.post(
        "/app/login",
        data={
            "email": staff["owner"],
            "password": STAFF_PASSWORD,
            "csrf_token": token,
            "next": "https://evil.example/steal",
        },
    )
    assert answer.headers["location"] == "/app"


def test_a_post_without_the_sessions_csrf_token_is_refused_and_writes_nothing(runtime):
    staff = seed_staff(runtime)
    owner = page_client(runtime, email=staff["owner"])
    other = page_client(runtime, email=staff["sales"])
    new_user = {
        "email": "moi@shop.test",
        "display_name": "Nhân viên mới",
        "role": "warehouse",
        "locale": "vi",
        "password": "mot-mat-khau-dai",
    }
    before = row_counts(runtime)

    for token in (None, "", "forged", form_token(other, "/app")):
        data = dict(new_user) if token is None else {**new_user, "csrf_token": token}
        answer = owner.post("/app/settings/users", data=data)
        assert answer.status_code == 403, token
        assert "Biểu mẫu không hợp lệ" in answer.text
    logout = owner.post("/app/logout", data={"csrf_token": "forged"})
    login = page_client(runtime).post(
        "/app/login", data={"email": staff["owner"], "password": STAFF_PASSWORD}
    )

    assert logout.status_code == login.status_code == 403
    assert row_counts(runtime) == before
    assert owner.get("/app").status_code == 200  # the session survived the forged logout
    # With the token of its own session the same form works.
    token = form_token(owner, "/app/settings/users")
    created = owner.post("/app/settings/users", data={**new_user, "csrf_token": token})
    assert created.status_code == 303
    assert runtime.read(find_user_by_email, "moi@shop.test") is not None


def _api_routes(routes):  # type: ignore[no-untyped-def]
    # Newer FastAPI keeps an included router as one entry that points at the router itself.
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):
            yield from _api_routes(route.original_router.routes)


def _routes(app) -> list[tuple[str, str, APIRoute]]:  # type: ignore[no-untyped-def]
    found = []
    for route in _api_routes(app.routes):
        if route.path.startswith("/app"):
            for method in sorted(route.methods):
                found.append((method, route.path, route))
    return found


def test_every_back_office_route_enforces_its_role_on_the_server(runtime):
    waiting = order_waiting_for_pick(runtime)
    staff = seed_staff(runtime)
    target = runtime.run(
        create_user,
        email="target@shop.test",
        display_name="Target",
        password=STAFF_PASSWORD,
        role="support",
    )
    customer_email = "khach@shop.test"
    runtime.run(
        create_user,
        email=customer_email,
        display_name="Khách",
        password=STAFF_PASSWORD,
        role="customer",
        customer_id=waiting.customer_id,
    )
    accounts = {**staff, "customer": customer_email}
    # Logging out ends the session the other routes are tried with: it goes last.
    routes = sorted(_routes(create_app(runtime)), key=lambda route: route[1] == "/app/logout")
    assert len(routes) >= 10
    values = {"order_id": waiting.order_id, "user_id": target}
    values |= {"pick_task_id": waiting.pick_task_id, "customer_id": waiting.customer_id}
    values |= {"shipment_id": "no-such-shipment", "ticket_id": "no-such-ticket"}
    values |= {"kpi": "nps"}

    anonymous = page_client(runtime)
    clients = {role: page_client(runtime, email=email) for role, email in accounts.items()}
    checked = 0
    for method, path, route in routes:
        guard = guard_of(route)
        if (method, path) in PUBLIC:
            continue
        assert guard is not None and guard.login_required, f"{method} {path} has no guard"
        url = path.format(**values)
        refused = anonymous.request(method, url, data={"csrf_token": form_token(anonymous)})
        if path.startswith("/app/live/"):
            assert refused.status_code == 401, url
        else:
            assert refused.status_code == 303, url
            assert refused.headers["location"].startswith("/app/login?next=")
        for role in Role:
            client = clients[role.value]
            data = {"csrf_token": form_token(client, "/app")} if method == "POST" else None
            answer = client.request(method, url, data=data)
            allowed = guard.permission is None or may(role.value, guard.permission)
            if allowed:
                assert answer.status_code not in (401, 403) and answer.status_code < 500, (
                    role,
                    method,
                    url,
                    answer.status_code,
                )
            else:
                assert answer.status_code == 403, (role, method, url, answer.status_code)
                assert 'data-page="forbidden"' in answer.text
            checked += 1
    assert checked >= 10 * len(Role)


def test_an_expired_session_sends_back_to_the_login_and_the_live_parts_stop(runtime, clock):
    staff = seed_staff(runtime)
    client = page_client(runtime, email=staff["sales"])
    assert client.get("/app/orders").status_code == 200

    clock.advance(SESSION_LIFETIME + timedelta(seconds=1))

    page = client.get("/app/orders?state=reserved")
    assert page.status_code == 303
    assert page.headers["location"] == (
        "/app/login?next=%2Fapp%2Forders%3Fstate%3Dreserved&expired=1"
    )
    assert "Phiên làm việc đã hết hạn" in client.get(page.headers["location"]).text
    assert client.get("/app/live/dashboard").status_code == 401


def test_the_language_comes_from_the_switch_then_the_users_preference(runtime):
    runtime.run(
        create_user,
        email="en@shop.test",
        display_name="English reader",
        password=STAFF_PASSWORD,
        role="sales",
        locale="en",
    )
    client = page_client(runtime, email="en@shop.test")
    assert "<h1>Dashboard</h1>" in client.get("/app").text

    token = form_token(client, "/app")
    switched = client.post(
        "/app/language", data={"locale": "vi", "next": "/app/orders", "csrf_token": token}
    )

    assert switched.status_code == 303 and switched.headers["location"] == "/app/orders"
    assert "<h1>Đơn hàng</h1>" in client.get("/app/orders").text
    # Nobody logged in and no switch used: Vietnamese.
    assert '<html lang="vi">' in page_client(runtime).get("/app/login").text
