"""Logging in and out, and the language switch."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form
from fastapi.responses import RedirectResponse, Response

from lienmach.access.credentials import LoginRefused
from lienmach.access.services import NewSession, authenticate, end_session, start_session
from lienmach.kernel.uow import UnitOfWork
from lienmach.web.deps import perform
from lienmach.web.pages import i18n
from lienmach.web.pages.rendering import render
from lienmach.web.pages.security import (
    LOCALE_COOKIE,
    SESSION_COOKIE,
    PageContext,
    clear_session_cookie,
    form,
    is_https,
    public,
    safe_next,
    set_session_cookie,
)

router = APIRouter(prefix="/app", include_in_schema=False)

Anyone = Annotated[PageContext, Depends(public())]
AnyoneForm = Annotated[PageContext, Depends(form(login=False))]
LoggedInForm = Annotated[PageContext, Depends(form(None))]


def _log_in(uow: UnitOfWork, *, email: str, password: str) -> NewSession:
    user = authenticate(uow, email=email, password=password)
    return start_session(uow, user_id=user.id)


@router.get("/login")
def login_page(page: Anyone, next: str = "/app", expired: bool = False) -> Response:
    if page.user is not None and page.user.permissions:
        return RedirectResponse(safe_next(next), 303)
    return render(page, "login.html", next=safe_next(next), expired=expired, error=None, email="")


@router.post("/login")
def log_in(
    page: AnyoneForm,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=500)] = "/app",
) -> Response:
    try:
        session = perform(
            page.runtime, f"login:{email[:80]}", _log_in, email=email, password=password
        )
    except LoginRefused as refused:
        return render(
            page,
            "login.html",
            status_code=403 if refused.reason == "disabled" else 401,
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
    chosen = locale if locale in i18n.LOCALES else i18n.DEFAULT_LOCALE
    response.set_cookie(
        LOCALE_COOKIE,
        chosen,
        max_age=365 * 24 * 3600,
        path="/",
        httponly=True,
        samesite="lax",
        secure=is_https(page.request),
    )
    return response
