"""Facts the analytics context publishes: automation failures found, KPI alerts."""

from __future__ import annotations

from dataclasses import dataclass

from lienmach.kernel.messages import Event


@dataclass(frozen=True)
class AutomationFailed(Event):
    """A delivery or job was parked as dead: an automation error (``source`` delivery | job)."""

    source: str
    reference: str
    order_id: str | None


@dataclass(frozen=True)
class KpiAlertRaised(Event):
    alert_id: str
    kpi: str
    dimension: str
    value: str
    stage: str
    measured: int
    threshold: int


@dataclass(frozen=True)
class KpiAlertClosed(Event):
    alert_id: str
    kpi: str
    measured: int
