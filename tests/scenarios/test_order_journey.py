"""The order journey of DESIGN.md §1.1, told from the customer's and the staff's side.

Lan in Hà Nội orders two T-shirts and a rice cooker, cash on delivery. The order moves by
itself to the warehouse; a picker and a packer do their part (one wrong scan is refused); the
carrier is chosen and booked; the courier delivers; the cash is collected; Lan is asked for her
opinion, is unhappy, and a ticket opens with a 24-hour deadline.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from lienmach.aftersales.queries import survey_for_order, tickets_for_order
from lienmach.aftersales.surveys import answer_survey
from lienmach.billing.queries import account_balance, invoice_for_order, trial_balance
from lienmach.fulfilment.packing import close_parcel, scan_unit
from lienmach.fulfilment.picking import confirm_pick
from lienmach.fulfilment.queries import tasks_for_order
from lienmach.inventory.queries import stock_levels_for
from lienmach.orders.placing import place_order
from lienmach.orders.queries import get_order, order_timeline
from lienmach.shipping.carrier_updates import parse_and_record_callback
from lienmach.shipping.queries import shipments_for_order
from tests.factories import seed_company

pytestmark = pytest.mark.scenario


def test_an_order_flows_from_placed_to_survey_and_ticket(
    runtime, clock, smtp_server, sms_gateway, carrier_sandbox
):
    carrier_sandbox.clock = clock
    company = seed_company(runtime)
    shirt, cooker = company.products["AO-001"], company.products["NOI-002"]

    # Lan places her order.
    placed = runtime.run(
        place_order,
        customer_id=company.customers["Lan"],
        lines=[{"product_id": shirt, "quantity": 2}, {"product_id": cooker, "quantity": 1}],
        shipping_fee_vnd=30_000,
    )
    order = runtime.read(get_order, placed.order_id)
    # Prices are net; VAT 10 % on both lines; shipping 30,000 đ + 8 % VAT.
    assert order.subtotal_vnd == 2 * 150_000 + 890_000
    assert order.vat_vnd == 30_000 + 89_000
    assert order.total_vnd == 1_190_000 + 119_000 + 30_000 + 2_400
    # Stock was reserved in Hà Nội, the warehouse nearest to her, and a pick task is waiting.
    assert order.state == "fulfilling"
    levels = {(lv.product_id, lv.warehouse_id): lv for lv in runtime.read(stock_levels_for)}
    assert levels[(shirt, company.hanoi_warehouse)].reserved == 2
    assert levels[(cooker, company.hanoi_warehouse)].reserved == 1
    assert levels[(shirt, company.hcmc_warehouse)].reserved == 0
    # The invoice was issued and posted: Lan owes the total.
    invoice = runtime.read(invoice_for_order, order.id)
    assert invoice is not None and invoice.total_vnd == order.total_vnd
    assert runtime.read(account_balance, "131") == order.total_vnd
    # She got a confirmation e-mail with her order number.
    confirmations = [m for m in smtp_server.messages() if order.number in m["subject"]]
    assert [m["to"] for m in confirmations] == [["lan@example.vn"]]

    # The picker confirms; the packer scans, once wrongly.
    [task] = runtime.read(tasks_for_order, order.id)
    assert task.warehouse_id == company.hanoi_warehouse and task.units == 3
    runtime.run(confirm_pick, pick_task_id=task.id, picker="Hùng")
    wrong = runtime.run(scan_unit, pick_task_id=task.id, code="8930000000035")
    assert not wrong.accepted and "8930000000035" in wrong.message
    for code in ["8930000000011", "8930000000011", "8930000000028"]:
        assert runtime.run(scan_unit, pick_task_id=task.id, code=code).accepted
    extra = runtime.run(scan_unit, pick_task_id=task.id, code="8930000000011")
    assert not extra.accepted
    clock.advance(timedelta(hours=1))
    runtime.run(close_parcel, pick_task_id=task.id, weight_grams=3_300, packer="Mai")

    # The carrier was chosen with a reason, booked with the carrier, and Lan was told.
    [shipment] = runtime.read(shipments_for_order, order.id)
    assert shipment.state == "booked" and shipment.tracking_code
    assert shipment.choice_reason
    assert carrier_sandbox.order_for(shipment.id)["order_code"] == shipment.tracking_code
    assert shipment.cod_amount_vnd == order.total_vnd
    tracking_mails = [m for m in smtp_server.messages() if shipment.tracking_code in m["body"]]
    assert len(tracking_mails) == 1
    assert any(shipment.tracking_code in sms["text"] for sms in sms_gateway.messages)
    levels = {(lv.product_id, lv.warehouse_id): lv for lv in runtime.read(stock_levels_for)}
    assert levels[(shirt, company.hanoi_warehouse)].on_hand == 8
    assert levels[(shirt, company.hanoi_warehouse)].reserved == 0
    assert runtime.read(account_balance, "632") == 2 * 80_000 + 600_000
    assert runtime.read(get_order, order.id).state == "shipped"

    # The courier delivers; every callback is signed by the carrier.
    for status in ("picked", "transporting", "delivering", "delivered"):
        clock.advance(timedelta(hours=6))
        headers, body = carrier_sandbox.advance(shipment.tracking_code, status)
        runtime.run(
            parse_and_record_callback,
            carrier_id=shipment.carrier_id,
            headers=headers,
            body=body,
            secret=carrier_sandbox.secret,
        )
    order = runtime.read(get_order, order.id)
    assert order.state == "delivered" and order.closed_at is not None
    assert order.paid and order.paid_vnd == order.total_vnd
    assert runtime.read(account_balance, "131") == 0
    assert runtime.read(account_balance, "111") == order.total_vnd

    # Lan is asked for her opinion, with the cooker's 12-month warranty.
    survey = runtime.read(survey_for_order, order.id)
    survey_mails = [m for m in smtp_server.messages() if survey.token in m["body"]]
    assert len(survey_mails) == 1 and "12" in survey_mails[0]["body"]
    assert runtime.read(tickets_for_order, order.id, clock.now()) == []
    runtime.run(answer_survey, token=survey.token, score=3, comment="Hộp bị móp")
    [ticket] = runtime.read(tickets_for_order, order.id, clock.now())
    assert ticket.source == "survey" and ticket.state == "open"
    assert ticket.due_at - ticket.opened_at == timedelta(hours=24)

    # The books balance, and the timeline tells the story in order.
    balance = runtime.read(trial_balance)
    assert balance.balanced and balance.total_debit == balance.total_credit
    types = [entry.type for entry in runtime.read(order_timeline, order.id)]
    story = [
        "OrderPlaced",
        "StockReserved",
        "OrderReserved",
        "InvoiceIssued",
        "PickTaskQueued",
        "PickTaskPicked",
        "ScanRejected",
        "ParcelPacked",
        "CarrierChosen",
        "ShipmentBooked",
        "OrderShipped",
        "OrderDelivered",
        "ShipmentDelivered",
        "SurveySent",
        "SurveyAnswered",
        "TicketOpened",
    ]
    positions = [types.index(name) for name in story]
    assert positions == sorted(positions), types
