"""The warehouse's human steps: the pick queue, confirming a pick, scanning, closing a parcel."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from lienmach.fulfilment import packing, picking
from lienmach.fulfilment.queries import get_pick_task, pick_queue
from lienmach.kernel.errors import NotFound
from lienmach.web import schemas
from lienmach.web.auth import Warehouse
from lienmach.web.deps import RuntimeDep, perform

router = APIRouter(prefix="/api/v1/pick-tasks", tags=["warehouse"])


def _task(runtime: RuntimeDep, pick_task_id: str) -> schemas.PickTaskOut:
    task = runtime.read(get_pick_task, pick_task_id)
    if task is None:
        raise NotFound("pick task", pick_task_id)
    return schemas.PickTaskOut.model_validate(task)


@router.get("", response_model=list[schemas.PickTaskOut])
def queue(
    runtime: RuntimeDep,
    _caller: Warehouse,
    warehouse_id: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[schemas.PickTaskOut]:
    """Open tasks, most urgent first (queued, then picked and waiting to be packed)."""
    tasks = runtime.read(pick_queue, warehouse_id=warehouse_id, limit=limit, offset=offset)
    return [schemas.PickTaskOut.model_validate(task) for task in tasks]


@router.get("/{pick_task_id}", response_model=schemas.PickTaskOut)
def read(pick_task_id: str, runtime: RuntimeDep, _caller: Warehouse) -> schemas.PickTaskOut:
    """One task with its lines and how many units are scanned."""
    return _task(runtime, pick_task_id)


@router.post("/{pick_task_id}/confirm", response_model=schemas.PickTaskOut)
def confirm(
    pick_task_id: str, body: schemas.ConfirmPickIn, runtime: RuntimeDep, caller: Warehouse
) -> schemas.PickTaskOut:
    """The picker took every unit of the task off the shelves."""
    _task(runtime, pick_task_id)
    perform(
        runtime,
        f"picker:{body.picker} via {caller.actor}",
        picking.confirm_pick,
        pick_task_id=pick_task_id,
        picker=body.picker,
    )
    return _task(runtime, pick_task_id)


@router.post(
    "/{pick_task_id}/scans",
    response_model=schemas.ScanOut,
    responses={409: {"model": schemas.ScanOut, "description": "wrong or extra unit: not counted"}},
)
def scan(
    pick_task_id: str, body: schemas.ScanIn, runtime: RuntimeDep, caller: Warehouse
) -> JSONResponse:
    """Verify one unit by its barcode or SKU; a wrong code is refused (409) and not counted."""
    _task(runtime, pick_task_id)
    outcome = perform(
        runtime,
        f"packer via {caller.actor}",
        packing.scan_unit,
        pick_task_id=pick_task_id,
        code=body.code,
    )
    answer = schemas.ScanOut.model_validate(outcome).model_dump()
    return JSONResponse(answer, status_code=200 if outcome.accepted else 409)


@router.post("/{pick_task_id}/parcel", status_code=201, response_model=schemas.ParcelOut)
def close_parcel(
    pick_task_id: str, body: schemas.ParcelIn, runtime: RuntimeDep, caller: Warehouse
) -> schemas.ParcelOut:
    """Close the parcel once every unit is scanned; the carrier is then chosen and booked."""
    _task(runtime, pick_task_id)
    parcel_id = perform(
        runtime,
        f"packer:{body.packer} via {caller.actor}",
        packing.close_parcel,
        pick_task_id=pick_task_id,
        weight_grams=body.weight_grams,
        length_cm=body.length_cm,
        width_cm=body.width_cm,
        height_cm=body.height_cm,
        packer=body.packer,
    )
    return schemas.ParcelOut(parcel_id=parcel_id)
