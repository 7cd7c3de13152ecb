"""Facts the fulfilment context publishes: picking and guided packing."""

from __future__ import annotations

from dataclasses import dataclass

from lienmach.kernel.messages import Event


@dataclass(frozen=True)
class PickTaskQueued(Event):
    pick_task_id: str
    order_id: str
    warehouse_id: str
    priority: int


@dataclass(frozen=True)
class PickTaskPicked(Event):
    pick_task_id: str
    order_id: str
    picker: str


@dataclass(frozen=True)
class PickTaskCancelled(Event):
    pick_task_id: str
    order_id: str


@dataclass(frozen=True)
class UnitScanned(Event):
    pick_task_id: str
    order_id: str
    product_id: str
    code: str


@dataclass(frozen=True)
class ScanRejected(Event):
    """A wrong, unknown or extra code was scanned; nothing was added to the parcel."""

    pick_task_id: str
    order_id: str
    code: str
    reason: str


@dataclass(frozen=True)
class ParcelPacked(Event):
    parcel_id: str
    pick_task_id: str
    order_id: str
    warehouse_id: str
    weight_grams: int
    reservation_ids: tuple[str, ...]


@dataclass(frozen=True)
class WaveCreated(Event):
    """Queued pick tasks of one warehouse were grouped to be picked together."""

    wave_id: str
    warehouse_id: str
    pick_task_ids: tuple[str, ...]
