"""Targets per KPI and the alerts their breaches raise.

A periodic task measures each enabled target over the last seven days (cost: this quarter so
far against the whole previous quarter), for the whole business and for each value of the
dimensions the target watches. A breach without an open alert raises one (at most one open
alert per KPI and slice, enforced by a unique key), e-mails the target's address and opens a
corrective ticket naming the stage and slice; a KPI back within target closes its alert.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Connection, select

from lienmach.aftersales.model import Stage, TicketSource
from lienmach.aftersales.tickets import open_ticket_unchecked
from lienmach.analytics import kpis, queries
from lienmach.analytics.alerts_targets import (
    Target,
    load_targets,
)
from lienmach.analytics.costs import rates
from lienmach.analytics.events import KpiAlertClosed, KpiAlertRaised
from lienmach.analytics.model import LOCAL
from lienmach.analytics.tables import alerts, rollups
from lienmach.kernel.db import insert_ignoring_duplicates
from lienmach.kernel.ids import new_id
from lienmach.kernel.runtime import PeriodicTask
from lienmach.kernel.uow import UnitOfWork
from lienmach.notifications.services import send_email

HIGHER_IS_BETTER = frozenset({"nps"})
TICKET_STAGES = {
    "reserve": Stage.RESERVATION,
    "wait": Stage.PICKING,
    "pick": Stage.PICKING,
    "picking": Stage.PICKING,
    "pack": Stage.PACKING,
    "packing": Stage.PACKING,
    "handover": Stage.DELIVERY,
    "transit": Stage.DELIVERY,
    "delivery": Stage.DELIVERY,
    "data_entry": Stage.DATA_ENTRY,
    "payment": Stage.BILLING,
    "customer_care": Stage.CUSTOMER_CARE,
}


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


@dataclass(frozen=True)
class Measurement:
    measured: int
    count: int
    breached: bool
    stage: str


def measure(
    connection: Connection, target: Target, today: date, dimension: str, value: str
) -> Measurement | None:
    """The target's KPI for one slice now; None when too little was measured to judge."""
    cost_rates = rates(connection)
    if target.kpi == "cost_per_order":
        start = _quarter_start(today)
        before = _quarter_start(start - timedelta(days=1))
        now = kpis.cost_per_order(
            queries.sums(connection, queries.Window(start, today), dimension, value), cost_rates
        )
        then = kpis.cost_per_order(
            queries.sums(
                connection, queries.Window(before, start - timedelta(days=1)), dimension, value
            ),
            cost_rates,
        )
        if now.value is None or not then.value or now.count < target.min_sample:
            return None
        change = math.floor((now.value - then.value) * 10_000 / then.value)
        stages = now.details["by_stage_vnd"]
        stage = max(stages, key=lambda name: stages[name])
        return Measurement(change, now.count, change > target.threshold, stage)
    window = queries.Window(today - timedelta(days=6), today)
    values = kpis.all_kpis(queries.sums(connection, window, dimension, value), cost_rates)
    kpi = values[target.kpi]
    if kpi.value is None or kpi.count < target.min_sample:
        return None
    if target.kpi == "error_rate":
        measured = int(kpi.details["ppm"])
        by_stage = kpi.details["by_stage"]
        stage = max(by_stage, key=lambda name: by_stage[name])
    elif target.kpi == "cycle_time":
        measured = int(kpi.value)
        means = kpi.details["stages_mean_s"]
        stage = max(means, key=lambda name: means[name]) if means else "transit"
    else:
        measured = math.floor(kpi.value)
        stage = "customer_care"
    if target.kpi in HIGHER_IS_BETTER:
        breached = kpi.value < target.threshold
    else:
        breached = measured > target.threshold
    return Measurement(measured, kpi.count, breached, stage)


def _watched_slices(connection: Connection, target: Target, today: date) -> list[tuple[str, str]]:
    found = [("all", "")]
    if target.slice_by:
        since = (today - timedelta(days=6)).isoformat()
        rows = connection.execute(
            select(rollups.c.dimension, rollups.c.value)
            .where(
                rollups.c.dimension.in_(target.slice_by),
                rollups.c.span == 1,
                rollups.c.start >= since,
            )
            .distinct()
            .order_by(rollups.c.dimension, rollups.c.value)
        )
        found.extend((dimension, value) for dimension, value in rows)
    return found


def _open_alerts(connection: Connection) -> dict[str, str]:
    rows = connection.execute(
        select(alerts.c.open_key, alerts.c.id).where(alerts.c.state == "open")
    )
    return {key: alert_id for key, alert_id in rows}


def find_alert_changes(connection: Connection, now: datetime, limit: int) -> list[str]:
    """Keys of alerts to raise ("raise|kpi|dimension|value") or close ("close|alert id")."""
    today = now.astimezone(LOCAL).date()
    open_now = _open_alerts(connection)
    keys: list[str] = []
    for target in load_targets(connection).values():
        if not target.enabled:
            continue
        for dimension, value in _watched_slices(connection, target, today):
            found = measure(connection, target, today, dimension, value)
            open_key = f"{target.kpi}|{dimension}|{value}"
            if found is not None and found.breached and open_key not in open_now:
                keys.append(f"raise|{open_key}")
            elif found is not None and not found.breached and open_key in open_now:
                keys.append(f"close|{open_now[open_key]}")
    return keys[:limit]


def measured_now(
    connection: Connection, open_alerts: Sequence[queries.AlertView], now: datetime
) -> dict[str, int]:
    """Each alert's KPI measured again now, over the window its target is judged on (the last
    7 days; cost per order: this quarter against the last), by alert id. An alert's own
    ``measured`` is the value when it was raised. Slices with too little data now are left
    out."""
    targets = load_targets(connection)
    today = now.astimezone(LOCAL).date()
    found: dict[str, int] = {}
    for alert in open_alerts:
        target = targets.get(alert.kpi)
        if target is None:
            continue
        measurement = measure(connection, target, today, alert.dimension, alert.value)
        if measurement is not None:
            found[alert.id] = measurement.measured
    return found


def act_on_alert(uow: UnitOfWork, key: str) -> bool:
    """Raise or close one alert, after measuring again inside the transaction."""
    action, _, rest = key.partition("|")
    if action == "close":
        return _close(uow, rest)
    kpi, dimension, value = rest.split("|", 2)
    connection = uow.connection
    target = load_targets(connection)[kpi]
    today = uow.now().astimezone(LOCAL).date()
    found = measure(connection, target, today, dimension, value)
    if found is None or not found.breached:
        return False
    alert_id = new_id("al_")
    inserted = insert_ignoring_duplicates(
        connection,
        alerts,
        {
            "id": alert_id,
            "kpi": kpi,
            "dimension": dimension,
            "value": value,
            "stage": found.stage,
            "measured": found.measured,
            "threshold": target.threshold,
            "state": "open",
            "raised_at": uow.now(),
            "open_key": rest,
            "note": "",
        },
    )
    if not inserted:
        return False  # another worker raised it first: one alert per ongoing breach
    uow.publish(
        KpiAlertRaised(
            alert_id, kpi, dimension, value, found.stage, found.measured, target.threshold
        )
    )
    _tell(uow, target, alert_id, dimension, value, found)
    return True


def _tell(
    uow: UnitOfWork, target: Target, alert_id: str, dimension: str, value: str, found: Measurement
) -> None:
    where = "all" if dimension == "all" else f"{dimension}={value}"
    if target.notify_email:
        send_email(
            uow,
            key=f"kpi-alert:{alert_id}",
            to=target.notify_email,
            template="kpi_alert",
            params={
                "kpi": target.kpi,
                "slice": where,
                "stage": found.stage,
                "measured": found.measured,
                "threshold": target.threshold,
            },
            order_id=None,
            purpose="kpi_alert",
        )
    if target.ticket_customer_id:
        ticket_id = open_ticket_unchecked(
            uow,
            customer_id=target.ticket_customer_id,
            subject=f"KPI {target.kpi} off target at stage {found.stage} ({where})",
            body=(
                f"{target.kpi} measured {found.measured} against a target of "
                f"{target.threshold} for {where}; the stage to look at is {found.stage}."
            ),
            order_id=None,
            source=TicketSource.STAFF,
            stage=TICKET_STAGES.get(found.stage, Stage.UNKNOWN),
        )
        uow.connection.execute(
            alerts.update().where(alerts.c.id == alert_id).values(ticket_id=ticket_id)
        )


def _close(uow: UnitOfWork, alert_id: str) -> bool:
    connection = uow.connection
    row = connection.execute(
        select(alerts).where(alerts.c.id == alert_id, alerts.c.state == "open")
    ).first()
    if row is None:
        return False
    target = load_targets(connection)[row.kpi]
    today = uow.now().astimezone(LOCAL).date()
    found = measure(connection, target, today, row.dimension, row.value)
    if found is None or found.breached:
        return False
    connection.execute(
        alerts.update()
        .where(alerts.c.id == alert_id, alerts.c.state == "open")
        .values(state="closed", closed_at=uow.now(), open_key=None)
    )
    uow.publish(KpiAlertClosed(alert_id, row.kpi, found.measured))
    return True


def periodic_tasks(*, every: timedelta) -> list[PeriodicTask]:
    """The target evaluation, run by every worker on the clock."""
    return [
        PeriodicTask(
            name="analytics.alerts", every=every, find=find_alert_changes, act=act_on_alert
        )
    ]
