"""The dashboard (with its live fragment) and the ledger's trial balance."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from lienmach.access.roles import Permission
from lienmach.billing.queries import trial_balance
from lienmach.web.pages import charts, i18n
from lienmach.web.pages.kpi_alerts import dashboard_alerts
from lienmach.web.pages.rendering import render
from lienmach.web.pages.security import PageContext, require
from lienmach.web.pages.views import Dashboard, dashboard

router = APIRouter(prefix="/app", include_in_schema=False)

DashboardViewer = Annotated[PageContext, Depends(require(Permission.DASHBOARD))]
LedgerViewer = Annotated[PageContext, Depends(require(Permission.LEDGER))]


def _charts(page: PageContext, board: Dashboard) -> dict[str, Any]:
    stages = charts.bar_chart(
        [(page.t(f"state.{state}"), count) for state, count in board.by_state],
        title=page.t("dashboard.chart.stages"),
    )
    days = charts.line_chart(
        [(i18n.day(day, page.locale), count) for day, count in board.per_day],
        title=page.t("dashboard.chart.per_day", days=len(board.per_day)),
    )
    return {"stages_chart": stages, "days_chart": days}


@router.get("")
def dashboard_page(page: DashboardViewer) -> Response:
    board = page.runtime.read(dashboard, page.runtime.clock.now())
    alerts = dashboard_alerts(page)
    return render(page, "dashboard.html", board=board, **_charts(page, board), **alerts)


@router.get("/live/dashboard")
def dashboard_fragment(page: DashboardViewer) -> Response:
    board = page.runtime.read(dashboard, page.runtime.clock.now())
    alerts = dashboard_alerts(page)
    return render(page, "_dashboard_live.html", board=board, **_charts(page, board), **alerts)


@router.get("/ledger")
def ledger_page(page: LedgerViewer) -> Response:
    return render(page, "ledger.html", balance=page.runtime.read(trial_balance))
