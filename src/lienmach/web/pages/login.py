"""Logging in and out, and the language switch."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Form
from fastapi.responses import RedirectResponse, Response

from lienmach.access.credentials import LoginRefused
from lienmach.access.services import NewSession, authenticate, end_session, start_session
from lienmach.access.throttle import (
    check_not_throttled,
    clear_failed_logins,
    record_failed_login,
    throttle_keys,
)
from lienmach.kernel.uow import UnitOfWork
from lienmach.web.deps import perform
from lienmach.web.pages import i18n
from lienmach.web.pages.rendering import render
from lienmach.web.pages.security import (
    SESSION_COOKIE,
    PageContext,
    clear_session_cookie,
    form,
    public,
    remember_language,
    safe_next,
    set_session_cookie,
)

router = APIRouter(prefix="/app", include_in_schema=False)
STATUS_OF_REFUSAL = {"credentials": 401, "disabled": 403, "throttled": 429}

Anyone = Annotated[PageContext, Depends(public())]
AnyoneForm = Annotated[PageContext, Depends(form(login=False))]
LoggedInForm = Annotated[PageContext, Depends(form(None))]


def staff_session(uow: UnitOfWork, *, email: str, password: str) -> NewSession:
    """A back-office session for these credentials; LoginRefused otherwise."""
    user = authenticate(uow, email=email, password=password)
    return start_session(uow, user_id=user.id)


def attempt_login(
    page: PageContext,
    email: str,
    password: str,
    open_session: Callable[..., NewSession] = staff_session,
) -> NewSession:
    """Log in with ``open_session``, throttled: failures count against the e-mail and client.

    Raises LoginRefused ("throttled" while over the limit, without checking the password). A
    wrong password is counted in its own transaction: the attempt's own is rolled back.
    """
    client = page.request.client.host if page.request.client else ""
    keys = throttle_keys(email, client)

    def guarded(uow: UnitOfWork) -> NewSession:
        check_not_throttled(uow, keys=keys)
        session = open_session(uow, email=email, password=password)
        clear_failed_logins(uow, key=keys[0])
        return session

    actor = f"login:{email[:80]}"
    try:
        return perform(page.runtime, actor, guarded)
    except LoginRefused as refused:
        if refused.reason == "credentials":
            perform(page.runtime, actor, record_failed_login, keys=keys)
        raise


@router.get("/login")
def login_page(page: Anyone, next: str = "/app", expired: bool = False) -> Response:
    if page.user is not None and page.user.permissions:
        return RedirectResponse(safe_next(next), 303)
    return render(
        page,
        "login.html",
        next=safe_next(next),
        expired=expired,
        error=None,
        email="",
        wait_minutes=0,
    )


@router.post("/login")
def log_in(
    page: AnyoneForm,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=500)] = "/app",
) -> Response:
    try:
        session = attempt_login(page, email, password)
    except LoginRefused as refused:
        return render(
            page,
            "login.html",
            status_code=STATUS_OF_REFUSAL[refused.reason],
            wait_minutes=refused.wait_minutes,
            next=safe_next(next),
            expired=False,
            error=f"login.error.{refused.reason}",
            email=email,
        )
    response = RedirectResponse(safe_next(next), 303)
    set_session_cookie(response, page.request, session.token)
    return response


@router.post("/logout")
def log_out(page: LoggedInForm) -> Response:
    token = page.request.cookies.get(SESSION_COOKIE, "")
    perform(page.runtime, page.actor, end_session, token=token)
    response = RedirectResponse("/app/login", 303)
    clear_session_cookie(response, page.request)
    return response


@router.post("/language")
def switch_language(
    page: AnyoneForm,
    locale: Annotated[str, Form(max_length=5)] = i18n.DEFAULT_LOCALE,
    next: Annotated[str, Form(max_length=500)] = "/app",
) -> Response:
    """Remember the chosen language in a cookie (a year) and go back to the page."""
    response = RedirectResponse(safe_next(next), 303)
    remember_language(response, page.request, locale)
    return response
