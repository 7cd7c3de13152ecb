"""The human steps of the journey, done the way staff and couriers do them, for tests."""

from __future__ import annotations

from datetime import timedelta

from lienmach.fulfilment.packing import close_parcel, scan_unit
from lienmach.fulfilment.picking import confirm_pick
from lienmach.fulfilment.queries import tasks_for_order
from lienmach.kernel.clock import SimulatedClock
from lienmach.kernel.runtime import Runtime
from lienmach.orders.queries import get_order
from lienmach.orders.services import record_payment
from lienmach.shipping.carrier_updates import parse_and_record_callback
from lienmach.shipping.queries import shipments_for_order
from lienmach.shipping.sandbox import CarrierSandbox

DELIVERED = ("picked", "transporting", "delivering", "delivered")
FAILED = ("picked", "transporting", "delivering", "delivery_fail")


def pick_and_pack(runtime: Runtime, order_id: str) -> list[str]:
    """Every queued task of the order: picked, each unit scanned, parcel closed. Task ids back."""
    done = []
    for task in runtime.read(tasks_for_order, order_id):
        if task.state != "queued":
            continue
        runtime.run(confirm_pick, pick_task_id=task.id, picker="picker")
        for line in task.lines:
            for _ in range(line.quantity):
                assert runtime.run(scan_unit, pick_task_id=task.id, code=line.barcode).accepted
        runtime.run(
            close_parcel,
            pick_task_id=task.id,
            weight_grams=task.expected_weight_grams + 100,
            packer="packer",
        )
        done.append(task.id)
    return done


def courier_reports(
    runtime: Runtime,
    carriers: CarrierSandbox,
    clock: SimulatedClock,
    order_id: str,
    statuses: tuple[str, ...],
    *,
    only_open: bool = True,
) -> None:
    """The carrier reports each status for the order's open shipments, by signed callback."""
    for shipment in runtime.read(shipments_for_order, order_id):
        if only_open and shipment.state in ("delivered", "returned", "failed"):
            continue
        for status in statuses:
            clock.advance(timedelta(hours=3))
            headers, body = carriers.advance(shipment.tracking_code, status, at=clock.now())
            runtime.run(
                parse_and_record_callback,
                carrier_id=shipment.carrier_id,
                headers=headers,
                body=body,
                secret=carriers.secret,
            )


def pay(runtime: Runtime, order_id: str, reference: str = "VNP-1") -> None:
    """The gateway confirms the order's whole amount."""
    order = runtime.read(get_order, order_id)
    assert order is not None
    runtime.run(
        record_payment,
        order_id=order_id,
        amount_vnd=order.total_vnd,
        gateway="vnpay",
        gateway_reference=reference,
    )
