"""Subscriptions of this context: which published facts move it, and how.

Each reaction posts under its own (source type, source id, kind), so a redelivered event posts
nothing and issues no second invoice or credit note.
"""

from __future__ import annotations

from collections.abc import Sequence

from lienmach.billing import invoicing, payments, postings
from lienmach.billing.events import RefundIssued
from lienmach.inventory.events import StockReceived
from lienmach.kernel.bus import Handler, handles_batches
from lienmach.kernel.messages import Event
from lienmach.kernel.uow import UnitOfWork
from lienmach.notifications.services import send_email
from lienmach.orders.events import LatePaymentReceived, OrderCancelled, OrderPaid, OrderPlaced
from lienmach.orders.queries import order_in
from lienmach.shipping.events import ShipmentBooked, ShipmentDelivered, ShipmentReturned


@handles_batches
def on_order_placed_issue_invoice(uow: UnitOfWork, events: list[OrderPlaced]) -> None:
    """Every placed order of the batch gets its invoice and the sale posted, once."""
    invoicing.issue_invoices(uow, [event.order_id for event in events])


def on_order_paid_post_payment(uow: UnitOfWork, event: OrderPaid) -> None:
    _post_payment(uow, event, late=False)


def on_late_payment_refund_it(uow: UnitOfWork, event: LatePaymentReceived) -> None:
    """Money for a cancelled order: recorded in the bank, then given back at once."""
    _post_payment(uow, event, late=True)


def _post_payment(uow: UnitOfWork, event: OrderPaid | LatePaymentReceived, *, late: bool) -> None:
    payments.record_payment(
        uow,
        order_id=event.order_id,
        amount_vnd=event.amount_vnd,
        gateway=event.gateway,
        gateway_reference=event.gateway_reference,
        late=late,
    )


def on_refund_issued_tell_customer(uow: UnitOfWork, event: RefundIssued) -> None:
    order = order_in(uow, event.order_id)
    if order is None or not order.ship_email:
        return
    send_email(
        uow,
        key=f"refund:{event.journal_entry_id}",
        to=order.ship_email,
        template="refund_issued",
        params={"order_number": order.number, "amount": event.amount_vnd, "cause": event.cause},
        order_id=order.id,
        purpose="refund",
        language=order.language,
    )


@handles_batches
def on_shipment_booked_post_costs(uow: UnitOfWork, events: list[ShipmentBooked]) -> None:
    """Each booked shipment's cost of goods and carrier fee, posted once."""
    postings.post_costs_of_shipments(
        uow,
        [
            postings.BookedShipment(
                shipment_id=event.shipment_id,
                order_id=event.order_id,
                fee_vnd=event.fee_vnd,
                tracking_code=event.tracking_code,
            )
            for event in events
        ],
    )


@handles_batches
def on_shipment_delivered_post_cod(uow: UnitOfWork, events: list[ShipmentDelivered]) -> None:
    """The cash collected on delivering each COD shipment, posted once."""
    payments.record_cod_of_shipments(
        uow,
        [
            payments.CodCollected(
                shipment_id=event.shipment_id,
                order_id=event.order_id,
                amount_vnd=event.cod_amount_vnd,
            )
            for event in events
            if event.cod_amount_vnd > 0
        ],
    )


def on_stock_received_post_goods(uow: UnitOfWork, event: StockReceived) -> None:
    # StockReceived carries no receipt id yet; until it does, the bus's tracking row is what
    # keeps a redelivery from posting twice.
    receipt_id = event.receipt_id
    postings.record_goods_received(
        uow,
        receipt_id=receipt_id,
        product_id=event.product_id,
        quantity=event.quantity,
        unit_cost_vnd=event.unit_cost_vnd,
    )


def on_order_cancelled_issue_credit_note(uow: UnitOfWork, event: OrderCancelled) -> None:
    invoicing.credit_cancelled_order(
        uow, order_id=event.order_id, line_ids=event.line_ids, reason=event.reason
    )


def on_shipment_returned_issue_credit_note(uow: UnitOfWork, event: ShipmentReturned) -> None:
    invoicing.credit_returned_shipment(uow, shipment_id=event.shipment_id, order_id=event.order_id)


SUBSCRIPTIONS: dict[type[Event], Sequence[Handler]] = {
    OrderPlaced: [on_order_placed_issue_invoice],
    OrderPaid: [on_order_paid_post_payment],
    LatePaymentReceived: [on_late_payment_refund_it],
    RefundIssued: [on_refund_issued_tell_customer],
    ShipmentBooked: [on_shipment_booked_post_costs],
    ShipmentDelivered: [on_shipment_delivered_post_cod],
    StockReceived: [on_stock_received_post_goods],
    OrderCancelled: [on_order_cancelled_issue_credit_note],
    ShipmentReturned: [on_shipment_returned_issue_credit_note],
}
