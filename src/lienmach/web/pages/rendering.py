"""Templates and the menu: every page is rendered here, with ``t``, money and dates at hand.

Templates live in ``web/templates`` (Jinja2, HTML auto-escaped, undefined names are errors);
each gets ``page`` (the PageContext), ``t``, ``money``, ``when``, ``day``, ``number``,
``time_left``, ``t_in`` (a message in a given language), ``perm`` (the Permission enum, for
``page.may(perm.LEDGER)``) and ``nav`` (the menu entries the viewer's role may use). A new
page adds its menu entry to ``NAVIGATION``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from lienmach.access.roles import Permission
from lienmach.web.pages import i18n
from lienmach.web.pages.security import (
    LIVE_PREFIX,
    LOGIN_PATH,
    AccessDenied,
    CsrfRefused,
    NotLoggedIn,
    PageContext,
    apply_cookies,
    page_context,
)

WEB = Path(__file__).resolve().parent.parent
TEMPLATES = WEB / "templates"
STATIC = WEB / "static"


@dataclass(frozen=True)
class NavItem:
    label_key: str
    path: str
    permission: Permission


# The back office's menu, in order; each entry shows only to roles granted its permission.
NAVIGATION: list[NavItem] = [
    NavItem("nav.dashboard", "/app", Permission.DASHBOARD),
    NavItem("nav.orders", "/app/orders", Permission.ORDERS_READ),
    NavItem("warehouse.nav", "/app/warehouse", Permission.WAREHOUSE),
    NavItem("shipments.nav", "/app/shipments", Permission.SHIPMENTS),
    NavItem("tickets.nav", "/app/tickets", Permission.TICKETS),
    NavItem("customers.nav", "/app/customers", Permission.CUSTOMERS),
    NavItem("nav.ledger", "/app/ledger", Permission.LEDGER),
    NavItem("kpi.nav", "/app/kpis", Permission.ANALYTICS),
    NavItem("process.nav", "/app/process-map", Permission.ANALYTICS),
    NavItem("nav.users", "/app/settings/users", Permission.SETTINGS),
]


class PageNotFound(Exception):
    """The page's object does not exist: the 404 page says so."""

    def __init__(self, what_key: str, identifier: str) -> None:
        super().__init__(f"{what_key} {identifier} not found")
        self.what_key = what_key
        self.identifier = identifier


@cache
def environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def menu(context: PageContext) -> list[tuple[NavItem, bool]]:
    """(entry, is the current page) for each entry the viewer may use."""
    path = context.request.url.path
    items = [item for item in NAVIGATION if context.may(item.permission)]
    current = max(
        (item for item in items if path == item.path or path.startswith(item.path + "/")),
        key=lambda item: len(item.path),
        default=None,
    )
    return [(item, item is current) for item in items]


def render(
    context: PageContext, template: str, *, status_code: int = 200, **values: Any
) -> HTMLResponse:
    """The page ``template`` in the viewer's language."""
    locale = context.locale
    html = (
        environment()
        .get_template(template)
        .render(
            page=context,
            t=context.t,
            money=context.money,
            when=lambda moment, style="short": i18n.when(moment, locale, style),
            day=lambda value, style="short": i18n.day(value, locale, style),
            number=lambda value: i18n.number(value, locale),
            time_left=lambda delta: i18n.time_left(delta, locale),
            t_in=i18n.translate,
            perm=Permission,
            nav=menu(context),
            **values,
        )
    )
    response = HTMLResponse(html, status_code=status_code)
    apply_cookies(response, context)
    return response


def _not_logged_in(request: Request, error: Exception) -> Response:
    assert isinstance(error, NotLoggedIn)
    if request.url.path.startswith(LIVE_PREFIX):
        return Response(status_code=401)
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    expired = "&expired=1" if error.had_session else ""
    return RedirectResponse(f"{LOGIN_PATH}?next={quote(target, safe='')}{expired}", 303)


async def _access_denied(request: Request, error: Exception) -> Response:
    assert isinstance(error, AccessDenied)
    context = await run_in_threadpool(page_context, request)
    return render(context, "forbidden.html", status_code=403, permission=error.permission)


async def csrf_refused(request: Request, _error: Exception) -> Response:
    """The back office's page for a form sent without its CSRF token (the shop has its own)."""
    context = await run_in_threadpool(page_context, request)
    return render(context, "csrf.html", status_code=403)


async def _page_not_found(request: Request, error: Exception) -> Response:
    assert isinstance(error, PageNotFound)
    context = await run_in_threadpool(page_context, request)
    return render(context, "not_found.html", status_code=404, missing=error)


def install_page_errors(app: FastAPI) -> None:
    app.add_exception_handler(NotLoggedIn, _not_logged_in)
    app.add_exception_handler(AccessDenied, _access_denied)
    app.add_exception_handler(CsrfRefused, csrf_refused)
    app.add_exception_handler(PageNotFound, _page_not_found)
