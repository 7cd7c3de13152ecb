"""The warehouse's pages: the pick queue (live) and the packing station, built for a scanner.

A scan is a plain form POST, so the station works without JavaScript (the answer comes back
through a redirect to the station); ``static/pack.js`` sends the same POST with fetch() and
asks for JSON, so each scan answers at once without reloading the page.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from lienmach.access.roles import Permission
from lienmach.fulfilment.packing import close_parcel, scan_unit
from lienmach.fulfilment.picking import confirm_pick
from lienmach.kernel.errors import DomainError, InvalidInput, NotFound
from lienmach.web.deps import perform
from lienmach.web.pages.packing import (
    ScanAnswer,
    missing_listing,
    parse_size,
    refusal_key,
    scan_answer,
)
from lienmach.web.pages.rendering import PageNotFound, render
from lienmach.web.pages.security import PageContext, form, require
from lienmach.web.pages.work_views import PackingStation, packing_station, pick_queue_page

router = APIRouter(prefix="/app", include_in_schema=False)

Worker = Annotated[PageContext, Depends(require(Permission.WAREHOUSE))]
WorkerForm = Annotated[PageContext, Depends(form(Permission.WAREHOUSE))]
Small = Annotated[str, Form(max_length=20)]
QUEUE_PATH = "/app/warehouse"


def _queue(page: PageContext, template: str, **values: Any) -> Response:
    queue = page.runtime.read(pick_queue_page, page.runtime.clock.now())
    return render(page, template, queue=queue, **values)


@router.get("/warehouse")
def queue_page(page: Worker) -> Response:
    return _queue(page, "warehouse/queue.html", problem=None)


@router.get("/live/warehouse")
def queue_fragment(page: Worker) -> Response:
    return _queue(page, "warehouse/_queue_live.html")


@router.post("/warehouse/tasks/{pick_task_id}/pick")
def pick(pick_task_id: str, page: WorkerForm) -> Response:
    """The picker took every unit off the shelves: on to the packing station."""
    try:
        perform(
            page.runtime, page.actor, confirm_pick, pick_task_id=pick_task_id, picker=_who(page)
        )
    except NotFound as error:
        raise PageNotFound("warehouse.task_noun", pick_task_id) from error
    except DomainError:
        problem = {"key": "warehouse.error.not_queued", "values": {"task": pick_task_id}}
        return _queue(page, "warehouse/queue.html", status_code=409, problem=problem)
    return RedirectResponse(f"{QUEUE_PATH}/pack/{pick_task_id}", 303)


def _who(page: PageContext) -> str:
    return page.user.display_name if page.user else page.actor


def _station(page: PageContext, pick_task_id: str) -> PackingStation:
    station = page.runtime.read(packing_station, pick_task_id)
    if station is None:
        raise PageNotFound("warehouse.task_noun", pick_task_id)
    return station


def _station_page(
    page: PageContext,
    station: PackingStation,
    *,
    answer: ScanAnswer | None = None,
    errors: dict[str, dict[str, Any]] | None = None,
    given: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        page,
        "warehouse/pack.html",
        status_code=status_code,
        station=station,
        answer=answer,
        errors=errors or {},
        given=given or {},
    )


@router.get("/warehouse/pack/{pick_task_id}")
def station_page(
    pick_task_id: str,
    page: Worker,
    result: Annotated[str | None, Query(max_length=20)] = None,
    key: Annotated[str | None, Query(max_length=40)] = None,
    code: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    station = _station(page, pick_task_id)
    answer = None
    if result in ("accepted", "refused") and key:
        answer = scan_answer(station.task, code or "", accepted=result == "accepted", key=key)
    return _station_page(page, station, answer=answer)


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


@router.post("/warehouse/pack/{pick_task_id}/scan")
def scan(
    pick_task_id: str,
    request: Request,
    page: WorkerForm,
    code: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """One scanned code: counted when it is a unit still to verify, refused (and logged as a
    process error) when it is wrong or one too many."""
    _station(page, pick_task_id)
    try:
        outcome = perform(page.runtime, page.actor, scan_unit, pick_task_id=pick_task_id, code=code)
        station = _station(page, pick_task_id)
        key = "pack.scan.accepted" if outcome.accepted else refusal_key(station.task, code)
        answer = scan_answer(station.task, code, accepted=outcome.accepted, key=key)
    except DomainError:
        station = _station(page, pick_task_id)
        answer = scan_answer(station.task, code, accepted=False, key="pack.scan.not_picked")
    if _wants_json(request):
        return JSONResponse(answer.as_json(page.t), status_code=200 if answer.accepted else 422)
    query = urlencode(
        {"result": "accepted" if answer.accepted else "refused", "key": answer.key, "code": code}
    )
    return RedirectResponse(f"{QUEUE_PATH}/pack/{pick_task_id}?{query}", 303)


@router.post("/warehouse/pack/{pick_task_id}/close")
def close(
    pick_task_id: str,
    page: WorkerForm,
    weight_grams: Small = "",
    length_cm: Small = "",
    width_cm: Small = "",
    height_cm: Small = "",
) -> Response:
    """Close the parcel with its weight; refused (nothing written) while a unit is unverified."""
    station = _station(page, pick_task_id)
    given = {
        "weight_grams": weight_grams,
        "length_cm": length_cm,
        "width_cm": width_cm,
        "height_cm": height_cm,
    }
    sizes, errors = parse_size(given)
    if not errors:
        try:
            perform(
                page.runtime,
                page.actor,
                close_parcel,
                pick_task_id=pick_task_id,
                weight_grams=sizes["weight_grams"] or 0,
                length_cm=sizes["length_cm"],
                width_cm=sizes["width_cm"],
                height_cm=sizes["height_cm"],
                packer=_who(page),
            )
        except InvalidInput as refused:
            errors = {name: {"key": f"pack.error.{name}"} for name in refused.errors}
        except DomainError:
            listing = missing_listing(station.task)
            key = "pack.error.missing" if listing else "pack.error.not_picked"
            errors = {"parcel": {"key": key, "values": {"missing": listing}}}
    if errors:
        return _station_page(page, station, errors=errors, given=given, status_code=422)
    return RedirectResponse(f"{QUEUE_PATH}/pack/{pick_task_id}", 303)
