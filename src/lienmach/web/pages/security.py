"""Who is looking at a page, in which language, and may they: sessions, roles, CSRF.

Every page route asks for a ``PageContext`` through one of these dependencies:

- ``public()`` — anyone (login, language switch);
- ``require(permission)`` — a logged-in user whose role grants ``permission``
  (``require(None)``: any logged-in user);
- ``form(...)`` — the same, for a POST: the form's ``csrf_token`` must be the token bound to the
  session (or, before login, the one in the ``lm_csrf`` cookie); otherwise 403 and nothing runs.

Not logged in → redirect to the login page (401 for the live fragments under /app/live/);
logged in without the permission → the 403 page. The session cookie is HttpOnly, SameSite=Lax,
and Secure when the request came over https.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.routing import APIRoute

from lienmach.access.credentials import SESSION_LIFETIME, new_csrf_token
from lienmach.access.queries import SessionView, UserView, session_of
from lienmach.access.roles import Permission
from lienmach.kernel.runtime import Runtime
from lienmach.web.pages import i18n

SESSION_COOKIE = "lm_session"
LOCALE_COOKIE = "lm_lang"
ANONYMOUS_CSRF_COOKIE = "lm_csrf"
LOGIN_PATH = "/app/login"
LIVE_PREFIX = "/app/live/"


class NotLoggedIn(Exception):
    """No live session; ``had_session`` when the browser sent one that expired or ended."""

    def __init__(self, had_session: bool) -> None:
        super().__init__("log in first")
        self.had_session = had_session


class AccessDenied(Exception):
    def __init__(self, permission: Permission | None) -> None:
        super().__init__(f"this needs the permission {permission}")
        self.permission = permission


class CsrfRefused(Exception):
    """A POST whose form did not carry the token of this session: refused, nothing written."""


@dataclass
class PageContext:
    """The request as the pages see it: runtime, session (if any), language, CSRF token."""

    request: Request
    runtime: Runtime
    session: SessionView | None
    locale: str
    csrf_token: str
    cookies_to_set: dict[str, str] = field(default_factory=dict)

    @property
    def user(self) -> UserView | None:
        return self.session.user if self.session else None

    @property
    def actor(self) -> str:
        return self.user.actor if self.user else "anonymous"

    def may(self, permission: Permission) -> bool:
        return self.user is not None and self.user.may(permission)

    def t(self, key: str, **values: object) -> str:
        return i18n.translate(self.locale, key, **values)

    def money(self, amount_vnd: int | None) -> str:
        return i18n.money(amount_vnd, self.locale)


def is_https(request: Request) -> bool:
    return request.url.scheme == "https"


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def page_context(request: Request) -> PageContext:
    cached = getattr(request.state, "page_context", None)
    if isinstance(cached, PageContext):
        return cached
    runtime = _runtime(request)
    token = request.cookies.get(SESSION_COOKIE, "")
    session = runtime.read(session_of, token, runtime.clock.now()) if token else None
    preference = session.user.locale if session else None
    locale = i18n.choose_locale(request.cookies.get(LOCALE_COOKIE), preference)
    cookies: dict[str, str] = {}
    if session is not None:
        csrf = session.csrf_token
    else:
        csrf = request.cookies.get(ANONYMOUS_CSRF_COOKIE, "")
        if not csrf:
            csrf = cookies[ANONYMOUS_CSRF_COOKIE] = new_csrf_token()
    context = PageContext(request, runtime, session, locale, csrf, cookies)
    request.state.page_context = context
    request.state.had_session_cookie = bool(token)
    return context


def public() -> Callable[[Request], PageContext]:
    """A page anyone may open."""

    def anyone(request: Request) -> PageContext:
        return page_context(request)

    return anyone


def require(permission: Permission | None) -> Callable[[Request], PageContext]:
    """A page for logged-in users whose role grants ``permission`` (None: any logged-in user)."""

    def viewer(request: Request) -> PageContext:
        context = page_context(request)
        if context.user is None:
            raise NotLoggedIn(had_session=bool(request.cookies.get(SESSION_COOKIE)))
        if permission is not None and not context.user.may(permission):
            raise AccessDenied(permission)
        return context

    viewer.permission = permission  # type: ignore[attr-defined]
    viewer.login_required = True  # type: ignore[attr-defined]
    return viewer


def form(
    permission: Permission | None = None, *, login: bool = True
) -> Callable[..., Awaitable[PageContext]]:
    """A POST form: the ``require``/``public`` checks, then the CSRF token must match."""
    check = require(permission) if login else public()

    async def checked(request: Request) -> PageContext:
        context = await run_in_threadpool(check, request)
        submitted = (await request.form()).get("csrf_token")
        expected = context.csrf_token if context.session else _anonymous_token(request)
        if not (
            isinstance(submitted, str)
            and expected
            and hmac.compare_digest(submitted.encode(), expected.encode())
        ):
            raise CsrfRefused()
        return context

    checked.permission = permission  # type: ignore[attr-defined]
    checked.login_required = login  # type: ignore[attr-defined]
    checked.csrf = True  # type: ignore[attr-defined]
    return checked


def _anonymous_token(request: Request) -> str:
    return request.cookies.get(ANONYMOUS_CSRF_COOKIE, "")


def guard_of(route: APIRoute) -> Any | None:
    """The page dependency guarding ``route`` (it carries ``permission``), or None."""
    for dependency in route.dependant.dependencies:
        if hasattr(dependency.call, "login_required"):
            return dependency.call
    return None


def set_session_cookie(response: Response, request: Request, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        path="/",
        httponly=True,
        samesite="lax",
        secure=is_https(request),
    )


def clear_session_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=is_https(request)
    )


def apply_cookies(response: Response, context: PageContext) -> None:
    """Cookies the context decided on while the page was made (the anonymous CSRF token)."""
    for name, value in context.cookies_to_set.items():
        response.set_cookie(
            name, value, path="/", httponly=True, samesite="lax", secure=is_https(context.request)
        )


def remember_language(response: Response, request: Request, locale: str) -> None:
    """Keep the chosen language (an unknown one falls back to Vietnamese) for a year."""
    response.set_cookie(
        LOCALE_COOKIE,
        locale if locale in i18n.LOCALES else i18n.DEFAULT_LOCALE,
        max_age=365 * 24 * 3600,
        path="/",
        httponly=True,
        samesite="lax",
        secure=is_https(request),
    )


def safe_next(target: str | None) -> str:
    """Only a path inside the back office: never another site (an open redirect)."""
    if target and target.startswith("/app") and not target.startswith("//"):
        return target
    return "/app"
