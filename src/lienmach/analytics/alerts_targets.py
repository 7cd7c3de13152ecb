"""KPI targets: the shipped defaults of DESIGN.md §1.5 and what the business sets instead."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select

from lienmach.analytics.tables import targets
from lienmach.kernel.db import insert_ignoring_duplicates
from lienmach.kernel.errors import InvalidInput
from lienmach.kernel.uow import UnitOfWork

# DESIGN.md §1.5 defaults, in the units alerts compare: seconds (p90), basis points of change of
# cost per order against the previous quarter, errors per million orders, NPS points.
DEFAULT_THRESHOLDS = {
    "cycle_time": 48 * 3600,
    "cost_per_order": -500,
    "error_rate": 1_000,
    "nps": 70,
    "resolution_time": 24 * 3600,
}
WATCHED_DIMENSIONS = ("channel", "province", "region", "product", "warehouse", "carrier")


@dataclass(frozen=True)
class Target:
    kpi: str
    threshold: int
    enabled: bool = True
    notify_email: str = ""
    ticket_customer_id: str = ""
    slice_by: tuple[str, ...] = ()
    min_sample: int = 1


def load_targets(connection: Connection) -> dict[str, Target]:
    """Every KPI's target: the shipped default unless the business set its own."""
    found = {kpi: Target(kpi, threshold) for kpi, threshold in DEFAULT_THRESHOLDS.items()}
    for row in connection.execute(select(targets)):
        found[row.kpi] = Target(
            kpi=row.kpi,
            threshold=int(row.threshold),
            enabled=bool(row.enabled),
            notify_email=row.notify_email,
            ticket_customer_id=row.ticket_customer_id,
            slice_by=tuple(part for part in row.slice_by.split(",") if part),
            min_sample=int(row.min_sample),
        )
    return found


def set_target(
    uow: UnitOfWork,
    *,
    kpi: str,
    threshold: int,
    enabled: bool = True,
    notify_email: str = "",
    ticket_customer_id: str = "",
    slice_by: tuple[str, ...] = (),
    min_sample: int = 1,
) -> None:
    """Set a KPI's target, who is told of a breach and which slices are watched."""
    errors: dict[str, str] = {}
    if kpi not in DEFAULT_THRESHOLDS:
        errors["kpi"] = "choose one of: " + ", ".join(DEFAULT_THRESHOLDS)
    if not isinstance(threshold, int) or isinstance(threshold, bool):
        errors["threshold"] = "give a whole number in the KPI's unit (see docs/kpis.md)"
    if notify_email and ("@" not in notify_email or len(notify_email) > 320):
        errors["notify_email"] = "give an e-mail address such as owner@example.vn, or nothing"
    unknown = [name for name in slice_by if name not in WATCHED_DIMENSIONS]
    if unknown:
        errors["slice_by"] = "choose among: " + ", ".join(WATCHED_DIMENSIONS)
    if not isinstance(min_sample, int) or min_sample < 1:
        errors["min_sample"] = "give a whole number, 1 or more"
    if errors:
        raise InvalidInput(errors)
    row = {
        "kpi": kpi,
        "threshold": threshold,
        "enabled": enabled,
        "notify_email": notify_email.strip(),
        "ticket_customer_id": ticket_customer_id.strip(),
        "slice_by": ",".join(slice_by),
        "min_sample": min_sample,
    }
    if not insert_ignoring_duplicates(uow.connection, targets, row):
        uow.connection.execute(targets.update().where(targets.c.kpi == kpi).values(**row))
