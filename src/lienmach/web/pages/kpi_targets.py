"""KPI targets and the cost model, edited by the owner (Permission.SETTINGS).

Thresholds are typed in the unit people think in (hours, per cent, NPS points, per cent change
of cost per order per quarter) and stored in the unit alerts compare (docs/kpis.md). A bad
field re-shows the form (422) naming it; nothing is written.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated

from fastapi import APIRouter, Depends, Form
from fastapi.responses import RedirectResponse, Response

from lienmach.access.roles import Permission
from lienmach.analytics.alerts_targets import WATCHED_DIMENSIONS, Target, load_targets
from lienmach.analytics.costs import DEFAULT_RATES, rates
from lienmach.analytics.kpis import KPI_NAMES
from lienmach.analytics.services import set_cost_rate, set_target
from lienmach.customers.queries import get_customer
from lienmach.kernel.errors import InvalidInput
from lienmach.kernel.uow import UnitOfWork
from lienmach.web.deps import perform
from lienmach.web.pages.rendering import PageNotFound, render
from lienmach.web.pages.security import PageContext, form, require

router = APIRouter(prefix="/app/kpis/targets", include_in_schema=False)

Owner = Annotated[PageContext, Depends(require(Permission.SETTINGS))]
OwnerForm = Annotated[PageContext, Depends(form(Permission.SETTINGS))]
TARGETS_PATH = "/app/kpis/targets"
# Stored threshold = typed value × scale: hours → seconds, % → per million, % → basis points.
SCALE = {
    "cycle_time": 3600,
    "resolution_time": 3600,
    "error_rate": 10_000,
    "cost_per_order": 100,
    "nps": 1,
}


def typed_threshold(target: Target) -> str:
    """The stored threshold in the unit the form shows."""
    value = Decimal(target.threshold) / SCALE[target.kpi]
    return format(value.normalize(), "f")


def _page(
    page: PageContext,
    *,
    errors: dict[str, str] | None = None,
    failed: str = "",
    given: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    targets = page.runtime.read(load_targets)
    return render(
        page,
        "kpis/targets.html",
        status_code=status_code,
        targets=[targets[kpi] for kpi in KPI_NAMES],
        typed={kpi: typed_threshold(targets[kpi]) for kpi in KPI_NAMES},
        dimensions=WATCHED_DIMENSIONS,
        rates=page.runtime.read(rates),
        rate_names=list(DEFAULT_RATES),
        errors=errors or {},
        failed=failed,
        given=given or {},
    )


@router.get("")
def targets_page(page: Owner) -> Response:
    return _page(page)


def _parse_decimal(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _set_rates(uow: UnitOfWork, *, values: dict[str, int]) -> None:
    for name, value in values.items():
        set_cost_rate(uow, name=name, value=value)


@router.post("/costs")
async def save_costs(page: OwnerForm) -> Response:
    """Every rate of the cost model at once: all are written, or none when one is bad."""
    submitted = await page.request.form()
    given = {name: str(submitted.get(name, "")) for name in DEFAULT_RATES}
    values: dict[str, int] = {}
    errors: dict[str, str] = {}
    for name, text in given.items():
        if not text.strip().isdigit():
            errors[name] = "kpi.error.rate"
        else:
            values[name] = int(text)
    if errors:
        return _page(page, errors=errors, failed="costs", given=given, status_code=422)
    perform(page.runtime, page.actor, _set_rates, values=values)
    return RedirectResponse(f"{TARGETS_PATH}?saved=costs", 303)


@router.post("/{kpi}")
def save_target(
    kpi: str,
    page: OwnerForm,
    threshold: Annotated[str, Form(max_length=30)] = "",
    enabled: Annotated[str, Form(max_length=5)] = "",
    send_email: Annotated[str, Form(max_length=5)] = "",
    notify_email: Annotated[str, Form(max_length=320)] = "",
    open_ticket: Annotated[str, Form(max_length=5)] = "",
    ticket_customer_id: Annotated[str, Form(max_length=40)] = "",
    slice_by: Annotated[list[str] | None, Form()] = None,
    min_sample: Annotated[str, Form(max_length=10)] = "1",
) -> Response:
    """One KPI's target, who is e-mailed and whether a corrective ticket is opened."""
    if kpi not in KPI_NAMES:
        raise PageNotFound("kpi.noun", kpi)
    given = {
        "threshold": threshold,
        "notify_email": notify_email,
        "ticket_customer_id": ticket_customer_id,
        "min_sample": min_sample,
    }
    errors: dict[str, str] = {}
    typed = _parse_decimal(threshold)
    stored = None if typed is None else typed * SCALE[kpi]
    if stored is None or stored != stored.to_integral_value():
        errors["threshold"] = "kpi.error.threshold"
    if send_email and not notify_email.strip():
        errors["notify_email"] = "kpi.error.notify_email"
    if open_ticket and (
        not ticket_customer_id.strip()
        or page.runtime.read(get_customer, ticket_customer_id.strip()) is None
    ):
        errors["ticket_customer_id"] = "kpi.error.ticket_customer_id"
    if not min_sample.strip().isdigit() or int(min_sample) < 1:
        errors["min_sample"] = "kpi.error.min_sample"
    if not errors and stored is not None:
        try:
            perform(
                page.runtime,
                page.actor,
                set_target,
                kpi=kpi,
                threshold=int(stored),
                enabled=bool(enabled),
                notify_email=notify_email.strip() if send_email else "",
                ticket_customer_id=ticket_customer_id.strip() if open_ticket else "",
                slice_by=tuple(slice_by or ()),
                min_sample=int(min_sample),
            )
        except InvalidInput as refused:
            errors = {name: f"kpi.error.{name}" for name in refused.errors}
        else:
            return RedirectResponse(f"{TARGETS_PATH}?saved={kpi}", 303)
    return _page(page, errors=errors, failed=kpi, given=given, status_code=422)
