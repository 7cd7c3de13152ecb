"""What the KPI pages show: the window asked for, each KPI in the unit people read it in (hours,
đồng, per cent, points), its target in the same unit, and whether it is on target.

Targets are kept in the units alerts compare (analytics.alerts_targets): seconds of p90,
errors per million orders, NPS points, and for cost per order basis points of change against the
previous quarter — shown here as a line at last quarter's cost per order moved by that change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Connection

from lienmach.analytics import queries
from lienmach.analytics.alerts_targets import Target, load_targets
from lienmach.analytics.kpis import KPI_NAMES, KpiValue
from lienmach.analytics.queries import Window

WINDOW_DAYS = (7, 30, 90)
DEFAULT_DAYS = 30
LONGEST_WINDOW_DAYS = 366
HOURS_KPIS = frozenset({"cycle_time", "resolution_time"})
HIGHER_IS_BETTER = frozenset({"nps"})


@dataclass(frozen=True)
class WindowChoice:
    """The window the page shows and how it was asked for (``days`` or from–to dates)."""

    window: Window
    days: int | None
    errors: dict[str, str]


def _parse_day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def choose_window(
    today: date, *, days: str | None, since: str | None, until: str | None
) -> WindowChoice:
    """The window from the query: from–to dates if given, else the last ``days`` (7/30/90) days
    up to today; a bad value is named in ``errors`` and the default window is shown instead."""
    default = WindowChoice(
        Window(today - timedelta(days=DEFAULT_DAYS - 1), today), DEFAULT_DAYS, {}
    )
    errors: dict[str, str] = {}
    if since or until:
        first = _parse_day(since or "")
        last = _parse_day(until or "")
        if first is None:
            errors["since"] = "kpi.error.date"
        if last is None:
            errors["until"] = "kpi.error.date"
        if first is not None and last is not None:
            if last < first:
                errors["until"] = "kpi.error.order"
            elif (last - first).days >= LONGEST_WINDOW_DAYS:
                errors["until"] = "kpi.error.too_long"
            else:
                return WindowChoice(Window(first, last), None, {})
        return WindowChoice(default.window, default.days, errors)
    if days:
        if not days.isdigit() or int(days) not in WINDOW_DAYS:
            return WindowChoice(default.window, default.days, {"days": "kpi.error.days"})
        count = int(days)
        return WindowChoice(Window(today - timedelta(days=count - 1), today), count, {})
    return default


def shown(kpi: str, value: KpiValue) -> float | None:
    """The KPI in the unit it is read in: hours, đồng per order, per cent, NPS points."""
    if value.value is None:
        return None
    if kpi in HOURS_KPIS:
        return value.value / 3600
    return float(value.value)


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def target_shown(connection: Connection, target: Target, window: Window) -> float | None:
    """The target in the unit the KPI is read in (see the module's docstring)."""
    if target.kpi in HOURS_KPIS:
        return target.threshold / 3600
    if target.kpi == "error_rate":
        return target.threshold / 10_000
    if target.kpi == "nps":
        return float(target.threshold)
    start = _quarter_start(window.until)
    previous = Window(_quarter_start(start - timedelta(days=1)), start - timedelta(days=1))
    before = queries.kpi_values(connection, previous)["cost_per_order"].value
    if before is None:
        return None
    return before * (10_000 + target.threshold) / 10_000


def on_target(kpi: str, value: float | None, target: float | None) -> bool | None:
    """Whether a value (in the shown unit) meets its target; None when either is missing."""
    if value is None or target is None:
        return None
    return value >= target if kpi in HIGHER_IS_BETTER else value <= target


@dataclass(frozen=True)
class KpiCard:
    kpi: str
    value: KpiValue
    previous: KpiValue
    current: float | None  # shown unit
    before: float | None  # the previous window, shown unit
    target: float | None
    on_target: bool | None
    enabled: bool
    series: list[tuple[date, float | None]]

    @property
    def change(self) -> float | None:
        if self.current is None or self.before is None:
            return None
        return self.current - self.before

    @property
    def better(self) -> bool | None:
        """Whether the change since the previous window is an improvement."""
        change = self.change
        if not change:
            return None
        return change > 0 if self.kpi in HIGHER_IS_BETTER else change < 0


def kpi_card(
    connection: Connection,
    kpi: str,
    window: Window,
    *,
    dimension: str = "all",
    value: str = "",
    targets: dict[str, Target] | None = None,
) -> KpiCard:
    """One KPI of one slice over a window, against the window before and its target."""
    target = (targets or load_targets(connection))[kpi]
    now = queries.kpi_values(connection, window, dimension, value)[kpi]
    then = queries.kpi_values(connection, window.previous(), dimension, value)[kpi]
    goal = target_shown(connection, target, window)
    series = [
        (day, shown(kpi, measured))
        for day, measured, _threshold in queries.kpi_series(
            connection, kpi, window, dimension, value
        )
    ]
    current = shown(kpi, now)
    return KpiCard(
        kpi=kpi,
        value=now,
        previous=then,
        current=current,
        before=shown(kpi, then),
        target=goal,
        on_target=on_target(kpi, current, goal),
        enabled=target.enabled,
        series=series,
    )


def kpi_cards(connection: Connection, window: Window) -> list[KpiCard]:
    """The five KPIs of the whole business over a window."""
    targets = load_targets(connection)
    return [kpi_card(connection, kpi, window, targets=targets) for kpi in KPI_NAMES]
