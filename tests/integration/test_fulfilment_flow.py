"""Fulfilment on both databases: tasks queued from the order journey, picking, guided packing."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, func, select

from lienmach.catalog import services as catalog
from lienmach.fulfilment import packing, picking, queries
from lienmach.fulfilment.handlers import on_order_reserved_queue_pick_task
from lienmach.fulfilment.tables import parcels, pick_task_lines, pick_tasks
from lienmach.inventory import services as inventory
from lienmach.inventory.queries import reservations_for_order
from lienmach.kernel.clock import SimulatedClock
from lienmach.kernel.errors import DomainError, InvalidInput
from lienmach.kernel.runtime import Runtime
from lienmach.kernel.tables import event_log
from lienmach.orders import services as orders
from lienmach.orders.events import OrderReserved
from lienmach.orders.queries import get_order
from tests.factories import customer_in_saigon
from tests.factories import order_of as place
from tests.factories import warehouse_in as warehouse
from tests.steps import pay

pytestmark = pytest.mark.integration


# --- given ------------------------------------------------------------------------------------


def product(runtime: Runtime, sku: str, barcode: str, weight_grams: int = 500) -> str:
    return runtime.run(
        catalog.create_product,
        sku=sku,
        barcode=barcode,
        name_vi=f"Sản phẩm {sku}",
        price_vnd=150_000,
        cost_vnd=90_000,
        weight_grams=weight_grams,
    )


def stock(runtime: Runtime, warehouse_id: str, product_id: str, quantity: int) -> None:
    runtime.run(
        inventory.receive_stock,
        warehouse_id=warehouse_id,
        product_id=product_id,
        quantity=quantity,
        unit_cost_vnd=90_000,
    )


def customer(runtime: Runtime, tier: str = "standard") -> str:
    return customer_in_saigon(runtime, f"an.{tier}@example.vn", tier=tier)


def events_of(runtime: Runtime, kind: str) -> list[dict[str, Any]]:
    def read(connection: Connection) -> list[dict[str, Any]]:
        rows = connection.execute(
            select(event_log.c.payload).where(event_log.c.type == kind).order_by(event_log.c.id)
        )
        return [dict(row.payload) for row in rows]

    return runtime.read(read)


def count(runtime: Runtime, table: Any) -> int:
    return runtime.read(lambda c: int(c.execute(select(func.count()).select_from(table)).scalar()))


def shop(runtime: Runtime) -> dict[str, str]:
    """One warehouse in Hồ Chí Minh City stocking two products, and a customer."""
    ids = {
        "w1": warehouse(runtime, "HCM1"),
        "kettle": product(runtime, "SKU-1", "8930000000011", 1200),
        "mug": product(runtime, "SKU-7", "8930000000077", 300),
    }
    stock(runtime, ids["w1"], ids["kettle"], 10)
    stock(runtime, ids["w1"], ids["mug"], 10)
    ids["customer"] = customer(runtime)
    return ids


def picked_task(runtime: Runtime, ids: dict[str, str]) -> tuple[str, str]:
    order_id = place(runtime, ids["customer"], {ids["kettle"]: 2, ids["mug"]: 1})
    (task,) = runtime.read(queries.tasks_for_order, order_id)
    runtime.run(picking.confirm_pick, pick_task_id=task.id, picker="Lan")
    return order_id, task.id


# --- queueing ---------------------------------------------------------------------------------


def test_a_cod_order_gets_one_pick_task_with_every_reserved_unit(runtime: Runtime) -> None:
    # given a shop with stock
    ids = shop(runtime)
    # when a cash-on-delivery order is placed
    order_id = place(runtime, ids["customer"], {ids["kettle"]: 2, ids["mug"]: 1})
    # then one task is queued in the warehouse holding the stock, with barcodes to scan
    (task,) = runtime.read(queries.tasks_for_order, order_id)
    assert (task.state, task.warehouse_id, task.units, task.scanned_units) == (
        "queued",
        ids["w1"],
        3,
        0,
    )
    assert sorted((line.sku, line.barcode, line.quantity) for line in task.lines) == [
        ("SKU-1", "8930000000011", 2),
        ("SKU-7", "8930000000077", 1),
    ]
    assert task.expected_weight_grams == 2 * 1200 + 300
    reservations = runtime.read(reservations_for_order, order_id)
    assert {line.reservation_id for line in task.lines} == {r.id for r in reservations}
    queued = events_of(runtime, "PickTaskQueued")
    assert [(e["pick_task_id"], e["order_id"]) for e in queued] == [(task.id, order_id)]
    assert [e["pick_task_id"] for e in events_of(runtime, "OrderFulfilmentStarted")] == [task.id]
    order = runtime.read(get_order, order_id)
    assert order is not None and order.state == "fulfilling"


def test_a_redelivered_order_reserved_queues_nothing_more(runtime: Runtime) -> None:
    # given an order whose task is already queued
    ids = shop(runtime)
    order_id = place(runtime, ids["customer"], {ids["kettle"]: 1})
    reservation_ids = tuple(r.id for r in runtime.read(reservations_for_order, order_id))
    event = OrderReserved(order_id=order_id, reservation_ids=reservation_ids, warehouse_ids=())
    # when the same fact is handled again
    runtime.run(on_order_reserved_queue_pick_task, [event])
    # then there is still one task and one PickTaskQueued
    assert count(runtime, pick_tasks) == 1
    assert count(runtime, pick_task_lines) == 1
    assert len(events_of(runtime, "PickTaskQueued")) == 1


def test_a_prepaid_order_waits_for_its_payment(runtime: Runtime) -> None:
    # given a prepaid order, placed and reserved but not paid
    ids = shop(runtime)
    order_id = place(runtime, ids["customer"], {ids["mug"]: 2}, payment_method="prepaid")
    # then nothing is queued yet
    assert runtime.read(queries.tasks_for_order, order_id) == []
    assert events_of(runtime, "PickTaskQueued") == []
    # when the gateway confirms the whole amount
    pay(runtime, order_id)
    # then its reservations are queued once
    (task,) = runtime.read(queries.tasks_for_order, order_id)
    assert (task.state, task.units) == ("queued", 2)
    assert len(events_of(runtime, "PickTaskQueued")) == 1


def test_units_in_two_warehouses_make_two_tasks(runtime: Runtime) -> None:
    # given the kettle is only in Hà Nội and the mug only in Hồ Chí Minh City
    ids = shop(runtime)
    hanoi = warehouse(runtime, "HN1", province_code="01")
    lamp = product(runtime, "SKU-9", "8930000000099")
    stock(runtime, hanoi, lamp, 5)
    # when one order asks for both
    order_id = place(runtime, ids["customer"], {lamp: 1, ids["mug"]: 3})
    # then each warehouse picks its own units
    tasks = runtime.read(queries.tasks_for_order, order_id)
    assert sorted((t.warehouse_id, t.units) for t in tasks) == sorted([(hanoi, 1), (ids["w1"], 3)])
    assert len(events_of(runtime, "PickTaskQueued")) == 2


def test_cancelling_the_order_cancels_its_open_task(runtime: Runtime) -> None:
    # given a queued task
    ids = shop(runtime)
    order_id = place(runtime, ids["customer"], {ids["kettle"]: 1})
    (task,) = runtime.read(queries.tasks_for_order, order_id)
    # when the order is cancelled
    runtime.run(orders.cancel_order, order_id=order_id, reason="khách đổi ý")
    # then the task is cancelled and can no longer be picked
    cancelled = runtime.read(queries.get_pick_task, task.id)
    assert cancelled is not None and cancelled.state == "cancelled"
    assert [e["pick_task_id"] for e in events_of(runtime, "PickTaskCancelled")] == [task.id]
    assert runtime.read(queries.pick_queue) == []
    with pytest.raises(DomainError, match="cancelled"):
        runtime.run(picking.confirm_pick, pick_task_id=task.id, picker="Lan")


# --- packing ----------------------------------------------------------------------------------


def test_guided_packing_accepts_each_unit_once_and_closes_the_parcel(runtime: Runtime) -> None:
    # given a picked task of 2 kettles and 1 mug
    ids = shop(runtime)
    order_id, task_id = picked_task(runtime, ids)
    # when the packer scans a stranger, the units, then one unit too many
    wrong = runtime.run(packing.scan_unit, pick_task_id=task_id, code="8939999999999")
    first = runtime.run(packing.scan_unit, pick_task_id=task_id, code="8930000000011")
    second = runtime.run(packing.scan_unit, pick_task_id=task_id, code="sku-1")
    extra = runtime.run(packing.scan_unit, pick_task_id=task_id, code="8930000000011")
    last = runtime.run(packing.scan_unit, pick_task_id=task_id, code="8930000000077")
    # then each answer is what the station shows
    assert (wrong.accepted, wrong.remaining) == (False, 3)
    assert wrong.message.startswith("Code 8939999999999 is not in this parcel")
    assert [(s.accepted, s.remaining) for s in (first, second, extra, last)] == [
        (True, 2),
        (True, 1),
        (False, 1),
        (True, 0),
    ]
    assert extra.message.startswith("All 2 units of SKU-1 already scanned")
    rejected = events_of(runtime, "ScanRejected")
    assert [e["code"] for e in rejected] == ["8939999999999", "8930000000011"]
    assert len(events_of(runtime, "UnitScanned")) == 3
    # when the parcel is weighed and closed
    parcel_id = runtime.run(
        packing.close_parcel,
        pick_task_id=task_id,
        weight_grams=2950,
        length_cm=40,
        width_cm=30,
        height_cm=25,
        packer="Minh",
    )
    # then the parcel holds the task's reservations and the task is packed
    (parcel,) = runtime.read(queries.parcels_for_order, order_id)
    assert (parcel.id, parcel.weight_grams, parcel.packed_by) == (parcel_id, 2950, "Minh")
    assert (parcel.length_cm, parcel.width_cm, parcel.height_cm) == (40, 30, 25)
    task = runtime.read(queries.get_pick_task, task_id)
    assert task is not None and task.state == "packed" and task.scanned_units == 3
    (packed,) = events_of(runtime, "ParcelPacked")
    assert packed["parcel_id"] == parcel_id and packed["weight_grams"] == 2950
    assert sorted(packed["reservation_ids"]) == sorted(line.reservation_id for line in task.lines)


def test_a_parcel_with_missing_units_cannot_be_closed(runtime: Runtime) -> None:
    # given only one of the two kettles scanned
    ids = shop(runtime)
    _order_id, task_id = picked_task(runtime, ids)
    runtime.run(packing.scan_unit, pick_task_id=task_id, code="8930000000011")
    # when the packer tries to close it, then it is refused naming what is missing
    with pytest.raises(DomainError, match=r"^2 units missing: SKU-1 ×1, SKU-7 ×1"):
        runtime.run(packing.close_parcel, pick_task_id=task_id, weight_grams=1500, packer="Minh")
    # and nothing was packed
    assert count(runtime, parcels) == 0
    assert events_of(runtime, "ParcelPacked") == []
    task = runtime.read(queries.get_pick_task, task_id)
    assert task is not None and task.state == "picked"


def test_a_parcel_without_a_weight_is_refused_before_anything_is_written(
    runtime: Runtime,
) -> None:
    ids = shop(runtime)
    _order_id, task_id = picked_task(runtime, ids)
    for code in ("8930000000011", "8930000000011", "8930000000077"):
        runtime.run(packing.scan_unit, pick_task_id=task_id, code=code)
    with pytest.raises(InvalidInput) as raised:
        runtime.run(
            packing.close_parcel, pick_task_id=task_id, weight_grams=0, width_cm=-1, packer="M"
        )
    assert set(raised.value.errors) == {"weight_grams", "width_cm"}
    assert count(runtime, parcels) == 0
    task = runtime.read(queries.get_pick_task, task_id)
    assert task is not None and task.state == "picked"


def test_a_queued_task_is_picked_before_it_is_packed(runtime: Runtime) -> None:
    ids = shop(runtime)
    order_id = place(runtime, ids["customer"], {ids["mug"]: 1})
    (task,) = runtime.read(queries.tasks_for_order, order_id)
    with pytest.raises(DomainError, match="only a picked task can be packed"):
        runtime.run(packing.scan_unit, pick_task_id=task.id, code="8930000000077")
    with pytest.raises(InvalidInput) as raised:
        runtime.run(picking.confirm_pick, pick_task_id=task.id, picker="  ")
    assert set(raised.value.errors) == {"picker"}
    runtime.run(picking.confirm_pick, pick_task_id=task.id, picker="Lan")
    picked = runtime.read(queries.get_pick_task, task.id)
    assert picked is not None and (picked.state, picked.picked_by) == ("picked", "Lan")
    assert [e["picker"] for e in events_of(runtime, "PickTaskPicked")] == ["Lan"]


# --- queue and waves --------------------------------------------------------------------------


def test_the_queue_puts_express_and_long_waiting_orders_first(
    runtime: Runtime, clock: SimulatedClock
) -> None:
    # given a standard order, then 5 hours later an express one and a fresh standard one
    ids = shop(runtime)
    old = place(runtime, ids["customer"], {ids["mug"]: 1})
    clock.advance(timedelta(hours=5))
    express = place(runtime, ids["customer"], {ids["mug"]: 1}, service_level="express")
    fresh = place(runtime, ids["customer"], {ids["mug"]: 1})
    # then express comes first, then the standard ones in the order they were queued
    queue = runtime.read(queries.pick_queue, warehouse_id=ids["w1"])
    assert [task.order_id for task in queue] == [express, old, fresh]
    assert (
        runtime.read(queries.pick_queue, warehouse_id=ids["w1"], limit=1, offset=1)[0].order_id
        == old
    )
    # when a wave of two is made, then it takes the two most urgent
    wave_id = runtime.run(picking.create_wave, warehouse_id=ids["w1"], max_tasks=2)
    wave = runtime.read(queries.get_wave, wave_id)
    assert wave is not None and wave.task_count == 2
    assert wave.pick_task_ids == [queue[0].id, queue[1].id]
    # and the next wave takes the rest, after which there is nothing to group
    rest = runtime.read(queries.get_wave, runtime.run(picking.create_wave, warehouse_id=ids["w1"]))
    assert rest is not None and rest.pick_task_ids == [queue[2].id]
    with pytest.raises(DomainError, match="No queued pick tasks"):
        runtime.run(picking.create_wave, warehouse_id=ids["w1"])


def test_two_scans_of_the_last_unit_at_once_count_it_once(runtime: Runtime) -> None:
    # given a picked task of one mug, at two packing stations at once
    ids = shop(runtime)
    order_id = place(runtime, ids["customer"], {ids["mug"]: 1})
    (task,) = runtime.read(queries.tasks_for_order, order_id)
    runtime.run(picking.confirm_pick, pick_task_id=task.id, picker="Lan")
    barrier = threading.Barrier(2)

    def scan() -> packing.ScanOutcome:
        barrier.wait()
        return runtime.run(packing.scan_unit, pick_task_id=task.id, code="8930000000077")

    # when both scan the mug at the same moment
    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = [future.result() for future in [pool.submit(scan), pool.submit(scan)]]
    # then exactly one unit is counted and the other scan is rejected as extra
    assert sorted(outcome.accepted for outcome in outcomes) == [False, True]
    (rejected,) = [outcome for outcome in outcomes if not outcome.accepted]
    assert rejected.message.startswith("All 1 units of SKU-7 already scanned")
    counted = runtime.read(queries.get_pick_task, task.id)
    assert counted is not None and counted.scanned_units == 1
    assert len(events_of(runtime, "UnitScanned")) == 1
    assert len(events_of(runtime, "ScanRejected")) == 1


def test_backordered_units_get_their_own_task_when_stock_arrives_and_rank_by_waiting(
    runtime: Runtime, clock: SimulatedClock
) -> None:
    # given an order for 3 mugs when only 1 is in stock
    ids = shop(runtime)
    lamp = product(runtime, "SKU-9", "8930000000099")
    stock(runtime, ids["w1"], lamp, 1)
    order_id = place(runtime, ids["customer"], {lamp: 3})
    (first,) = runtime.read(queries.tasks_for_order, order_id)
    assert first.units == 1
    # when 5 more arrive 30 hours later
    clock.advance(timedelta(hours=30))
    stock(runtime, ids["w1"], lamp, 5)
    # then the 2 waiting units get a second task, ranked up by the 30 hours the order waited
    tasks = runtime.read(queries.tasks_for_order, order_id)
    assert [(task.units, task.priority) for task in tasks] == [(1, 0), (2, 30)]
    assert len({line.reservation_id for task in tasks for line in task.lines}) == 2
