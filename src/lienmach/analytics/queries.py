"""Read side of analytics: KPIs of a window and slice, series per day, slice tables,
drill-down to orders, attribute history, open alerts. Reads only the per-day-per-slice sums,
never the event log."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, bindparam, func, select

from lienmach.analytics import kpis
from lienmach.analytics.costs import rates
from lienmach.analytics.kpis import KpiValue
from lienmach.analytics.tables import alerts, daily, object_attributes, object_facts, targets
from lienmach.kernel.clock import as_utc

_SUMS = (
    select(daily.c.metric, func.sum(daily.c.amount))
    .where(
        and_(
            daily.c.dimension == bindparam("dimension"),
            daily.c.value == bindparam("value"),
            daily.c.day >= bindparam("since"),
            daily.c.day <= bindparam("until"),
        )
    )
    .group_by(daily.c.metric)
)


@dataclass(frozen=True)
class Window:
    """Calendar days in Ho Chi Minh City, both ends included."""

    since: date
    until: date

    def previous(self) -> Window:
        """The window of the same length just before this one (for comparisons)."""
        length = self.until - self.since + timedelta(days=1)
        return Window(self.since - length, self.until - length)


def sums(
    connection: Connection, window: Window, dimension: str = "all", value: str = ""
) -> dict[str, int]:
    """Every metric summed over the window for one slice."""
    rows = connection.execute(
        _SUMS,
        {
            "dimension": dimension,
            "value": value,
            "since": window.since.isoformat(),
            "until": window.until.isoformat(),
        },
    )
    return {metric: int(amount) for metric, amount in rows}


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
        select(daily.c.day, daily.c.metric, daily.c.amount).where(
            daily.c.dimension == dimension,
            daily.c.value == value,
            daily.c.day >= window.since.isoformat(),
            daily.c.day <= window.until.isoformat(),
        )
    )
    per_day: dict[str, dict[str, int]] = defaultdict(dict)
    for day, metric, amount in rows:
        per_day[day][metric] = int(amount)
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
    rows = connection.execute(
        select(daily.c.value, daily.c.metric, func.sum(daily.c.amount))
        .where(
            daily.c.dimension == dimension,
            daily.c.day >= window.since.isoformat(),
            daily.c.day <= window.until.isoformat(),
        )
        .group_by(daily.c.value, daily.c.metric)
    )
    per_value: dict[str, dict[str, int]] = defaultdict(dict)
    for value, metric, amount in rows:
        per_value[value][metric] = int(amount)
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
