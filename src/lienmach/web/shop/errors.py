"""The shop's answers when a page cannot be shown: log in first, not found, form refused."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from lienmach.web.pages.rendering import csrf_refused
from lienmach.web.pages.security import CsrfRefused, page_context
from lienmach.web.shop.guard import LOGIN, SHOP, ShopLoginNeeded, ShopPageNotFound
from lienmach.web.shop.rendering import shop_render


def _login_needed(request: Request, _error: Exception) -> Response:
    target = request.url.path if request.method == "GET" else SHOP
    if request.method == "GET" and request.url.query:
        target += f"?{request.url.query}"
    return RedirectResponse(f"{LOGIN}?next={quote(target, safe='')}", 303)


async def _not_found(request: Request, error: Exception) -> Response:
    assert isinstance(error, ShopPageNotFound)
    context = await run_in_threadpool(page_context, request)
    return await run_in_threadpool(
        shop_render, context, "shop/not_found.html", status_code=404, what_key=error.what_key
    )


async def _csrf_refused(request: Request, error: Exception) -> Response:
    # One handler per error class: the shop's forms get a shop page, the others the back
    # office's.
    if not request.url.path.startswith(SHOP):
        return await csrf_refused(request, error)
    context = await run_in_threadpool(page_context, request)
    return await run_in_threadpool(shop_render, context, "shop/csrf.html", status_code=403)


def install_shop_errors(app: FastAPI) -> None:
    app.add_exception_handler(ShopLoginNeeded, _login_needed)
    app.add_exception_handler(ShopPageNotFound, _not_found)
    app.add_exception_handler(CsrfRefused, _csrf_refused)
