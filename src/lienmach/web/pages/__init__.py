"""The back office's pages under /app: server-rendered, in Vietnamese and English.

How a page is made (the pieces later pages reuse):

- a route in a module here asks for a ``PageContext`` with ``security.require(permission)``
  (or ``security.form(permission)`` for a POST, which also checks the CSRF token), reads
  through ``views.py`` (composed from the contexts' queries) and calls ``rendering.render``;
- the template extends ``base.html`` (menu filtered by role, language switch, logout) and writes
  every text with ``t("key")`` from ``catalogue.py``, money with ``money()``, moments with
  ``when()`` (Ho Chi Minh City time);
- a part of the page that should follow the work live gets ``data-live="/app/live/…"``;
  ``static/live.js`` re-fetches it every few seconds;
- charts are inline SVG from ``charts.py``; the menu entry goes into ``rendering.NAVIGATION``.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from lienmach.web.pages import (
    customers,
    dashboard,
    kpi_targets,
    kpis,
    login,
    orders,
    process_map_page,
    public,
    settings,
    shipments,
    tickets,
    warehouse,
)
from lienmach.web.pages.rendering import STATIC, install_page_errors

ROUTERS = (
    login.router,
    dashboard.router,
    orders.router,
    settings.router,
    warehouse.router,
    shipments.router,
    tickets.router,
    customers.router,
    kpi_targets.router,  # before kpis: /app/kpis/targets is not a KPI
    kpis.router,
    process_map_page.router,
    public.router,
)


def install_pages(app: FastAPI) -> None:
    """Mount the back office (pages, their errors, static files) on ``app``."""
    install_page_errors(app)
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/app/static", StaticFiles(directory=str(STATIC)), name="static")
