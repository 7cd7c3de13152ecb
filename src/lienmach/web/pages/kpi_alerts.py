"""The dashboard's panel of open KPI alerts: which KPI, which slice, measured now against
target (and when raised), since when, with links to the KPI page and the corrective ticket."""

from __future__ import annotations

from typing import Any

from lienmach.access.roles import Permission
from lienmach.analytics.alerts import measured_now
from lienmach.analytics.queries import AlertView, alerts_for_dashboard
from lienmach.web.pages import kpi_format
from lienmach.web.pages.security import PageContext


def _labels(page: PageContext, alerts: list[AlertView]) -> dict[tuple[str, str], str]:
    found: dict[tuple[str, str], str] = {}
    for dimension in sorted({alert.dimension for alert in alerts if alert.dimension != "all"}):
        values = [alert.value for alert in alerts if alert.dimension == dimension]
        names = page.runtime.read(kpi_format.slice_labels, dimension, values, page.locale)
        found.update({(dimension, value): name for value, name in names.items()})
    return found


def dashboard_alerts(page: PageContext) -> dict[str, Any]:
    """What ``_kpi_alerts.html`` needs; no alerts for a role that may not see the KPIs."""
    alerts = page.runtime.read(alerts_for_dashboard) if page.may(Permission.ANALYTICS) else []
    locale = page.locale
    now = page.runtime.read(measured_now, alerts, page.runtime.clock.now()) if alerts else {}
    return {
        "alerts": alerts,
        "alert_now": now,
        "alert_labels": _labels(page, alerts),
        "alert_amount": lambda kpi, amount: kpi_format.show_alert_amount(kpi, amount, locale),
    }
