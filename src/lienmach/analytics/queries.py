"""Read side of analytics: KPIs of a window and slice, series per day, slice tables,
drill-down to orders, attribute history, open alerts. Reads only the sums per slice and
block of days (analytics.rollups), never the event log."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, false, func, select

from lienmach.analytics import kpis
from lienmach.analytics.costs import rates
from lienmach.analytics.kpis import KpiValue
from lienmach.analytics.rollups import COLUMN_OF, METRICS, pieces
from lienmach.analytics.tables import (
    alerts,
    object_attributes,
    object_facts,
    rollups,
    targets,
)
from lienmach.kernel.clock import as_utc

_METRIC_COLUMNS = [rollups.c[COLUMN_OF[metric]] for metric in METRICS]


@dataclass(frozen=True)
class Window:
    """Calendar days in Ho Chi Minh City, both ends included."""

    since: date
    until: date

    def previous(self) -> Window:
        """The window of the same length just before this one (for comparisons)."""
        length = self.until - self.since + timedelta(days=1)
        return Window(self.since - length, self.until - length)


# One slice's single-day rows over a range of days: (day, every metric in METRICS order).
_DAYS_OF_SLICE = select(rollups.c.start, *_METRIC_COLUMNS).where(
    rollups.c.dimension == bindparam("dimension"),
    rollups.c.value == bindparam("value"),
    rollups.c.span == 1,
    rollups.c.start.between(bindparam("since"), bindparam("until")),
)


@functools.cache
def _window_statement(spans: tuple[int, ...], one_value: bool) -> Any:
    """Per value of a slice, every metric summed over ranges of rows of the given spans
    (built once per shape: building a 75-column statement costs more than running it)."""
    parts: list[Any] = []
    for index, span in enumerate(spans):
        where = [
            rollups.c.dimension == bindparam("dimension"),
            rollups.c.span == span,
            rollups.c.start.between(bindparam(f"first_{index}"), bindparam(f"last_{index}")),
        ]
        if one_value:
            where.append(rollups.c.value == bindparam("value"))
        parts.append(select(rollups.c.value, *_METRIC_COLUMNS).where(*where))
    if not parts:  # an empty window
        parts.append(select(rollups.c.value, *_METRIC_COLUMNS).where(false()))
    found = (parts[0].union_all(*parts[1:]) if len(parts) > 1 else parts[0]).subquery()
    return select(
        found.c.value, *(func.sum(found.c[column.name]) for column in _METRIC_COLUMNS)
    ).group_by(found.c.value)


def _window_sums(
    connection: Connection, window: Window, dimension: str, value: str | None
) -> list[Any]:
    """Per value of a slice (only ``value`` unless None), every metric summed over the window:
    single-day rows at its ragged ends, 7- and 28-day block rows in between."""
    cut = pieces(window.since, window.until)
    ranges = [(1, first, last) for first, last in cut.days] + list(cut.blocks)
    parameters: dict[str, str] = {"dimension": dimension, "value": value or ""}
    for index, (_span, first, last) in enumerate(ranges):
        parameters[f"first_{index}"] = first.isoformat()
        parameters[f"last_{index}"] = last.isoformat()
    statement = _window_statement(tuple(span for span, _f, _l in ranges), value is not None)
    return list(connection.execute(statement, parameters))


def _amounts(row: Any) -> dict[str, int]:
    return {metric: int(amount) for metric, amount in zip(METRICS, row[1:], strict=True) if amount}


def sums(
    connection: Connection, window: Window, dimension: str = "all", value: str = ""
) -> dict[str, int]:
    """Every metric summed over the window for one slice."""
    found = _window_sums(connection, window, dimension, value)
    return _amounts(found[0]) if found else {}


def kpi_values(
    connection: Connection, window: Window, dimension: str = "all", value: str = ""
) -> dict[str, KpiValue]:
    """The five KPIs over a window for a slice (``dimension`` all | channel | province |
    region | product | warehouse | carrier)."""
    return kpis.all_kpis(sums(connection, window, dimension, value), rates(connection))


def compare_windows(
    connection: Connection, first: Window, second: Window, dimension: str = "all", value: str = ""
) -> dict[str, tuple[KpiValue, KpiValue]]:
    """The five KPIs side by side for two windows of the same slice."""
    one = kpi_values(connection, first, dimension, value)
    two = kpi_values(connection, second, dimension, value)
    return {name: (one[name], two[name]) for name in kpis.KPI_NAMES}


def kpi_series(
    connection: Connection, kpi: str, window: Window, dimension: str = "all", value: str = ""
) -> list[tuple[date, KpiValue, int | None]]:
    """Per day of the window: (day, the KPI of that day, the target threshold)."""
    rows = connection.execute(
        _DAYS_OF_SLICE,
        {
            "dimension": dimension,
            "value": value,
            "since": window.since.isoformat(),
            "until": window.until.isoformat(),
        },
    )
    per_day = {row[0]: _amounts(row) for row in rows}
    target = connection.execute(
        select(targets.c.threshold).where(targets.c.kpi == kpi)
    ).scalar_one_or_none()
    cost_rates = rates(connection)
    series = []
    day = window.since
    while day <= window.until:
        values = kpis.all_kpis(per_day.get(day.isoformat(), {}), cost_rates)
        series.append((day, values[kpi], None if target is None else int(target)))
        day += timedelta(days=1)
    return series


def slice_table(
    connection: Connection, window: Window, dimension: str
) -> list[tuple[str, dict[str, KpiValue]]]:
    """Each value of a dimension seen in the window with its five KPIs, by value."""
    per_value = {
        row[0]: found
        for row in _window_sums(connection, window, dimension, None)
        if (found := _amounts(row))
    }
    cost_rates = rates(connection)
    return [(value, kpis.all_kpis(per_value[value], cost_rates)) for value in sorted(per_value)]


def object_attribute_changes(
    connection: Connection, since: datetime, until: datetime
) -> list[tuple[str, str, str, str, datetime]]:
    """(object_type, object_id, name, value, at) of every attribute set in [since, until),
    oldest first."""
    rows = connection.execute(
        select(
            object_attributes.c.object_type,
            object_attributes.c.object_id,
            object_attributes.c.name,
            object_attributes.c.value,
            object_attributes.c.valid_from,
        )
        .where(object_attributes.c.valid_from >= since, object_attributes.c.valid_from < until)
        .order_by(object_attributes.c.valid_from, object_attributes.c.event_id)
    )
    return [(t, i, n, v, as_utc(at)) for t, i, n, v, at in rows]


def order_facts(connection: Connection, order_id: str) -> dict[str, Any]:
    """What analytics knows of one order (times in epoch seconds, slices, amounts)."""
    found = connection.execute(
        select(object_facts.c.facts).where(
            object_facts.c.object_type == "order", object_facts.c.object_id == order_id
        )
    ).scalar_one_or_none()
    return dict(found) if found else {}


@dataclass(frozen=True)
class AlertView:
    id: str
    kpi: str
    dimension: str
    value: str
    stage: str
    measured: int
    threshold: int
    state: str
    raised_at: datetime
    closed_at: datetime | None
    ticket_id: str | None


def alerts_for_dashboard(connection: Connection, *, open_only: bool = True) -> list[AlertView]:
    """Alerts, newest first; only the open ones unless asked."""
    statement = select(alerts).order_by(alerts.c.raised_at.desc(), alerts.c.id.desc())
    if open_only:
        statement = statement.where(alerts.c.state == "open")
    return [
        AlertView(
            id=row.id,
            kpi=row.kpi,
            dimension=row.dimension,
            value=row.value,
            stage=row.stage,
            measured=int(row.measured),
            threshold=int(row.threshold),
            state=row.state,
            raised_at=as_utc(row.raised_at),
            closed_at=as_utc(row.closed_at) if row.closed_at else None,
            ticket_id=row.ticket_id,
        )
        for row in connection.execute(statement)
    ]
