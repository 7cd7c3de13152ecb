"""Packing: verifying every unit of a picked task by scanning it, then closing the parcel with
its weight and size."""

from __future__ import annotations

from dataclasses import dataclass

from lienmach.fulfilment import repository
from lienmach.fulfilment.events import ParcelPacked, ScanRejected, UnitScanned
from lienmach.fulfilment.model import PickTaskState, missing_message, missing_units, scan
from lienmach.fulfilment.tables import parcels
from lienmach.kernel.errors import DomainError, InvalidInput
from lienmach.kernel.ids import new_id
from lienmach.kernel.prepared import prepared
from lienmach.kernel.uow import UnitOfWork
from lienmach.orders import services as order_services

_INSERT_PARCEL = prepared(parcels.insert())


@dataclass(frozen=True)
class ScanOutcome:
    """What the packing station shows after a scan: green when accepted, red otherwise."""

    accepted: bool
    message: str
    remaining: int


def _require_packable(task: repository.TaskRow) -> None:
    if task.state != PickTaskState.PICKED:
        raise DomainError(
            f"Pick task {task.id} is {task.state.value}; only a picked task can be packed "
            f"(Phiếu lấy hàng {task.id} đang ở trạng thái {task.state.value})"
        )


def scan_unit(uow: UnitOfWork, *, pick_task_id: str, code: str) -> ScanOutcome:
    """Verify one unit at the packing station by its barcode or SKU.

    An accepted scan counts the unit (atomically: never more than the quantity). A wrong or
    extra code is not raised: it is recorded as ScanRejected (a process error the KPIs count)
    and returned with accepted=False and a message the packer can act on.
    """
    connection = uow.connection
    task, lines = repository.load_task_with_lines(connection, pick_task_id)
    _require_packable(task)
    # A concurrent scan may fill the chosen line between reading and counting; then the
    # lines are read again and the code is checked afresh (bounded by the number of units).
    while True:
        result = scan(lines, code)
        if not result.accepted or result.line is None:
            remaining = sum(line.remaining for line in lines)
            uow.publish(
                ScanRejected(
                    pick_task_id=task.id,
                    order_id=task.order_id,
                    code=code.strip(),
                    reason=result.message,
                )
            )
            return ScanOutcome(accepted=False, message=result.message, remaining=remaining)
        if repository.count_scan(connection, task.id, result.line.reservation_id):
            remaining = sum(line.remaining for line in lines) - 1
            uow.publish(
                UnitScanned(
                    pick_task_id=task.id,
                    order_id=task.order_id,
                    product_id=result.line.product_id,
                    code=code.strip(),
                )
            )
            return ScanOutcome(accepted=True, message=result.message, remaining=remaining)
        lines = repository.load_lines(connection, task.id)


def _dimension_errors(**dimensions: int | None) -> dict[str, str]:
    return {
        name: "give the size in whole centimetres, more than 0, or leave it empty"
        for name, value in dimensions.items()
        if value is not None and value <= 0
    }


def close_parcel(
    uow: UnitOfWork,
    *,
    pick_task_id: str,
    weight_grams: int,
    length_cm: int | None = None,
    width_cm: int | None = None,
    height_cm: int | None = None,
    packer: str,
) -> str:
    """Close the parcel once every unit is verified: record weight and size, task → packed.

    Refuses, naming what is still missing, while any unit is unscanned. Tells the order it is
    packed (it can no longer be cancelled). Returns the parcel id.
    """
    errors = _dimension_errors(length_cm=length_cm, width_cm=width_cm, height_cm=height_cm)
    if weight_grams <= 0:
        errors["weight_grams"] = "weigh the parcel: give its weight in grams, more than 0"
    if not packer.strip():
        errors["packer"] = "say who packed the parcel"
    if errors:
        raise InvalidInput(errors)
    connection = uow.connection
    task, lines = repository.load_task_with_lines(connection, pick_task_id, lock=True)
    _require_packable(task)
    missing = missing_units(lines)
    if missing:
        raise DomainError(missing_message(missing))
    now = uow.now()
    repository.move_task(connection, task, PickTaskState.PACKED, packed_at=now)
    order_services.record_packed(uow, order_id=task.order_id)
    parcel_id = new_id("PC")
    _INSERT_PARCEL.run(
        connection,
        {
            "id": parcel_id,
            "pick_task_id": task.id,
            "order_id": task.order_id,
            "warehouse_id": task.warehouse_id,
            "weight_grams": weight_grams,
            "length_cm": length_cm,
            "width_cm": width_cm,
            "height_cm": height_cm,
            "packed_by": packer.strip(),
            "packed_at": now,
        },
    )
    uow.publish(
        ParcelPacked(
            parcel_id=parcel_id,
            pick_task_id=task.id,
            order_id=task.order_id,
            warehouse_id=task.warehouse_id,
            weight_grams=weight_grams,
            reservation_ids=tuple(sorted(line.reservation_id for line in lines)),
        )
    )
    return parcel_id
