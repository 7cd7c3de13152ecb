"""The KPI pages: the five KPIs of a window against their targets, and one KPI in depth —
its chart, a slice table by dimension, two windows compared, and the orders behind a slice.

Who sees them: Permission.ANALYTICS (owner and accountant). Sales is deliberately not given
it: these pages show the cost model and every slice's error and complaint figures, which the
owner shares by choice; sales' own work (orders, customers, tickets) has its pages.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from lienmach.access.roles import Permission
from lienmach.analytics import queries
from lienmach.analytics.drilldown import orders_in_slice
from lienmach.analytics.kpis import KPI_NAMES
from lienmach.analytics.model import SLICE_DIMENSIONS
from lienmach.analytics.queries import Window
from lienmach.web.pages import charts, i18n, kpi_format
from lienmach.web.pages.kpi_views import (
    KpiCard,
    WindowChoice,
    choose_window,
    kpi_card,
    kpi_cards,
    shown,
)
from lienmach.web.pages.rendering import PageNotFound, render
from lienmach.web.pages.security import PageContext, require

router = APIRouter(prefix="/app", include_in_schema=False)

Analyst = Annotated[PageContext, Depends(require(Permission.ANALYTICS))]
Text = Annotated[str | None, Query(max_length=20)]
SliceValue = Annotated[str, Query(max_length=64)]


def _today(page: PageContext) -> date:
    return i18n.local_time(page.runtime.clock.now()).date()


def _chart(page: PageContext, card: KpiCard, title: str) -> Any:
    locale = page.locale
    return charts.target_line_chart(
        [(i18n.day(day, locale), value) for day, value in card.series],
        title=title,
        target=card.target,
        show=lambda value: kpi_format.show_value(card.kpi, value, locale),
    )


def _helpers(page: PageContext) -> dict[str, Any]:
    locale = page.locale
    return {
        "show": lambda kpi, value: kpi_format.show_value(kpi, value, locale),
        "change": lambda kpi, value: kpi_format.show_change(kpi, value, locale),
        "shown": shown,
        "duration": lambda seconds: kpi_format.duration(seconds, locale),
        "window_days": (7, 30, 90),
    }


def _window_query(choice: WindowChoice) -> dict[str, str]:
    if choice.days is not None:
        return {"days": str(choice.days)}
    return {"since": choice.window.since.isoformat(), "until": choice.window.until.isoformat()}


def _linker(
    kpi: str,
    choice: WindowChoice,
    dimension: str,
    value: str,
    b_since: str | None,
    b_until: str | None,
) -> Any:
    """``link(**changes)``: this page's address with some parameters changed (None drops one)."""
    current: dict[str, str | None] = {
        **_window_query(choice),
        "dimension": dimension,
        "value": value or None,
        "b_since": b_since or None,
        "b_until": b_until or None,
    }

    def link(**changes: str | None) -> str:
        merged = {**current, **changes}
        kept = {name: text for name, text in merged.items() if text}
        return f"/app/kpis/{kpi}?{urlencode(kept)}"

    return link


@router.get("/kpis")
def kpis_page(page: Analyst, days: Text = None, since: Text = None, until: Text = None) -> Response:
    choice = choose_window(_today(page), days=days, since=since, until=until)
    cards = page.runtime.read(kpi_cards, choice.window)
    drawn = {
        card.kpi: _chart(page, card, page.t("kpi.chart.title", name=page.t(f"kpi.{card.kpi}.name")))
        for card in cards
    }
    return render(
        page,
        "kpis/overview.html",
        status_code=422 if choice.errors else 200,
        choice=choice,
        cards=cards,
        drawn=drawn,
        **_helpers(page),
    )


def _window_b(
    choice: WindowChoice, b_since: str | None, b_until: str | None, errors: dict[str, str]
) -> Window:
    """Window B of the comparison: the given dates, else the window just before A."""
    if not (b_since or b_until):
        return choice.window.previous()
    picked = choose_window(choice.window.until, days=None, since=b_since, until=b_until)
    if picked.errors:
        errors.update({f"b_{name}": key for name, key in picked.errors.items()})
        return choice.window.previous()
    return picked.window


@router.get("/kpis/{kpi}")
def kpi_page(
    kpi: str,
    page: Analyst,
    days: Text = None,
    since: Text = None,
    until: Text = None,
    dimension: Text = None,
    value: SliceValue = "",
    b_since: Text = None,
    b_until: Text = None,
) -> Response:
    """One KPI: chart with target, slice table, two windows compared, drill-down to orders."""
    if kpi not in KPI_NAMES:
        raise PageNotFound("kpi.noun", kpi)
    choice = choose_window(_today(page), days=days, since=since, until=until)
    errors = dict(choice.errors)
    chosen = dimension or "channel"
    if chosen not in SLICE_DIMENSIONS:
        errors["dimension"] = "kpi.error.dimension"
        chosen, value = "channel", ""
    window_b = _window_b(choice, b_since, b_until, errors)
    slice_dimension = chosen if value else "all"
    runtime = page.runtime
    card = runtime.read(kpi_card, kpi, choice.window, dimension=slice_dimension, value=value)
    table = runtime.read(queries.slice_table, choice.window, chosen)
    compared = runtime.read(
        queries.compare_windows, choice.window, window_b, slice_dimension, value
    )
    labels = runtime.read(
        kpi_format.slice_labels, chosen, [name for name, _values in table] + [value], page.locale
    )
    drilled = (
        runtime.read(
            orders_in_slice,
            dimension=chosen,
            value=value,
            since=i18n.local_midnight(choice.window.since),
            until=i18n.local_midnight(choice.window.until + timedelta(days=1)),
        )
        if value
        else []
    )
    title = page.t("kpi.chart.title", name=page.t(f"kpi.{kpi}.name"))
    return render(
        page,
        "kpis/detail.html",
        status_code=422 if errors else 200,
        kpi=kpi,
        kpi_names=KPI_NAMES,
        choice=choice,
        errors=errors,
        card=card,
        chart=_chart(page, card, title),
        dimensions=SLICE_DIMENSIONS,
        dimension=chosen,
        value=value,
        table=table,
        labels=labels,
        window_b=window_b,
        compared=compared,
        drilled=drilled,
        link=_linker(kpi, choice, chosen, value, b_since, b_until),
        **_helpers(page),
    )
