"""When the journey does not go straight: cancellation, failed delivery, partial shipment."""

from __future__ import annotations

import pytest

from lienmach.billing.queries import account_balance, credit_notes_for_order, trial_balance
from lienmach.fulfilment.queries import tasks_for_order
from lienmach.inventory.queries import reservations_for_order, stock_levels_for
from lienmach.inventory.services import receive_stock
from lienmach.orders.placing import place_order
from lienmach.orders.queries import get_order
from lienmach.orders.services import cancel_order
from lienmach.shipping.queries import shipments_for_order
from tests.factories import seed_company
from tests.steps import DELIVERED, FAILED, courier_reports, pick_and_pack

pytestmark = pytest.mark.scenario


def _free(runtime, product_id: str, warehouse_id: str) -> int:  # type: ignore[no-untyped-def]
    level = next(
        lv
        for lv in runtime.read(stock_levels_for, product_ids=[product_id])
        if lv.warehouse_id == warehouse_id
    )
    return level.available


def test_cancelling_before_packing_releases_stock_and_reverses_the_invoice(runtime) -> None:  # type: ignore[no-untyped-def]
    company = seed_company(runtime)
    cooker = company.products["NOI-002"]
    placed = runtime.run(
        place_order,
        customer_id=company.customers["Lan"],
        lines=[{"product_id": cooker, "quantity": 2}],
    )
    assert _free(runtime, cooker, company.hanoi_warehouse) == 8

    runtime.run(cancel_order, order_id=placed.order_id, reason="Khách đổi ý")

    order = runtime.read(get_order, placed.order_id)
    assert order.state == "cancelled" and order.lines[0].cancelled_quantity == 2
    assert _free(runtime, cooker, company.hanoi_warehouse) == 10
    assert [r.state for r in runtime.read(reservations_for_order, placed.order_id)] == ["released"]
    assert [t.state for t in runtime.read(tasks_for_order, placed.order_id)] == ["cancelled"]
    [credit] = runtime.read(credit_notes_for_order, placed.order_id)
    assert credit.total_vnd == order.total_vnd
    assert runtime.read(account_balance, "131") == 0
    assert runtime.read(account_balance, "511") == 0
    assert runtime.read(trial_balance).balanced
    assert runtime.read(shipments_for_order, placed.order_id) == []


def test_a_packed_order_can_no_longer_be_cancelled(runtime) -> None:  # type: ignore[no-untyped-def]
    company = seed_company(runtime)
    placed = runtime.run(
        place_order,
        customer_id=company.customers["Lan"],
        lines=[{"product_id": company.products["AO-001"], "quantity": 1}],
    )
    pick_and_pack(runtime, placed.order_id)

    with pytest.raises(Exception, match="can no longer be cancelled"):
        runtime.run(cancel_order, order_id=placed.order_id, reason="too late")

    assert runtime.read(get_order, placed.order_id).state == "shipped"


def test_a_failed_delivery_brings_the_goods_back_to_stock(runtime, clock, carrier_sandbox) -> None:  # type: ignore[no-untyped-def]
    carrier_sandbox.clock = clock
    company = seed_company(runtime)
    shirt = company.products["AO-001"]
    placed = runtime.run(
        place_order,
        customer_id=company.customers["Minh"],
        lines=[{"product_id": shirt, "quantity": 3}],
    )
    pick_and_pack(runtime, placed.order_id)
    assert _free(runtime, shirt, company.hcmc_warehouse) == 7

    courier_reports(runtime, carrier_sandbox, clock, placed.order_id, FAILED)

    order = runtime.read(get_order, placed.order_id)
    assert order.state == "returned" and order.lines[0].returned_quantity == 3
    [shipment] = runtime.read(shipments_for_order, placed.order_id)
    assert shipment.state == "returned"
    assert _free(runtime, shirt, company.hcmc_warehouse) == 10
    assert runtime.read(account_balance, "632") == 0  # cost of goods reversed
    assert runtime.read(account_balance, "131") == 0  # nothing owed: credited
    assert runtime.read(account_balance, "111") == 0  # no cash came in
    assert runtime.read(trial_balance).balanced


def test_a_backordered_order_ships_in_two_parts_when_stock_arrives(
    runtime, clock, carrier_sandbox
) -> None:  # type: ignore[no-untyped-def]
    carrier_sandbox.clock = clock
    company = seed_company(runtime, stock={"SACH-003": (3, 0)})
    book = company.products["SACH-003"]
    placed = runtime.run(
        place_order,
        customer_id=company.customers["Lan"],
        lines=[{"product_id": book, "quantity": 5}],
    )
    order = runtime.read(get_order, placed.order_id)
    assert (order.lines[0].reserved_quantity, order.lines[0].backordered_quantity) == (3, 2)

    pick_and_pack(runtime, placed.order_id)
    courier_reports(runtime, carrier_sandbox, clock, placed.order_id, DELIVERED)
    assert runtime.read(get_order, placed.order_id).state == "partially_shipped"

    runtime.run(
        receive_stock,
        warehouse_id=company.hcmc_warehouse,
        product_id=book,
        quantity=4,
        unit_cost_vnd=70_000,
    )
    order = runtime.read(get_order, placed.order_id)
    assert (order.lines[0].reserved_quantity, order.lines[0].backordered_quantity) == (2, 0)
    pick_and_pack(runtime, placed.order_id)
    courier_reports(runtime, carrier_sandbox, clock, placed.order_id, DELIVERED)

    order = runtime.read(get_order, placed.order_id)
    assert order.state == "delivered" and order.lines[0].delivered_quantity == 5
    shipments = runtime.read(shipments_for_order, placed.order_id)
    assert sorted(s.warehouse_id for s in shipments) == sorted(
        [company.hanoi_warehouse, company.hcmc_warehouse]
    )
    assert runtime.read(account_balance, "131") == 0
    assert runtime.read(account_balance, "111") == order.total_vnd
    assert runtime.read(trial_balance).balanced
