"""Postings of the stock and its carriage: the chart of accounts they post to, goods received
into stock and a booked shipment's cost of goods and carrier fee.

Every posting is keyed by (source type, source id, kind), so posting the same fact again
posts nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select

from lienmach.billing import journal, ledger
from lienmach.billing.tables import accounts
from lienmach.catalog.queries import products_in
from lienmach.inventory.queries import ReservationView, get_reservations
from lienmach.kernel.errors import InvalidInput, NotFound
from lienmach.kernel.uow import UnitOfWork
from lienmach.shipping.queries import reservation_ids_of_shipments


def seed_chart_of_accounts(uow: UnitOfWork) -> int:
    """Create the Vietnamese chart of accounts; accounts already there are left as they are."""
    before = _account_count(uow)
    journal.ensure_accounts(uow.connection, list(ledger.ACCOUNTS_BY_CODE))
    return _account_count(uow) - before


def record_goods_received(
    uow: UnitOfWork, *, receipt_id: str, product_id: str, quantity: int, unit_cost_vnd: int
) -> str | None:
    """Post received stock (Dr 156 / Cr 331); a receipt without a cost uses the standard cost."""
    errors = {}
    if quantity <= 0:
        errors["quantity"] = "a receipt has at least one unit"
    if unit_cost_vnd < 0:
        errors["unit_cost_vnd"] = "a unit cost cannot be negative; give 0 to use the standard cost"
    if errors:
        raise InvalidInput(errors)
    if unit_cost_vnd == 0:
        product = products_in(uow, [product_id]).get(product_id)
        unit_cost_vnd = product.cost_vnd if product else 0
    return journal.post(
        uow,
        ledger.goods_received(quantity=quantity, unit_cost_vnd=unit_cost_vnd),
        source_type="receipt",
        source_id=receipt_id,
        order_id=None,
    )


@dataclass(frozen=True)
class BookedShipment:
    """What posting a booked shipment's costs needs to know of it."""

    shipment_id: str
    order_id: str
    fee_vnd: int
    tracking_code: str = ""


def post_shipment_costs(
    uow: UnitOfWork, *, shipment_id: str, order_id: str, fee_vnd: int, tracking_code: str = ""
) -> None:
    """Post cost of goods shipped (Dr 632 / Cr 156, standard cost) and the carrier fee
    (Dr 641 / Cr 331) for a booked shipment; once per shipment."""
    post_costs_of_shipments(uow, [BookedShipment(shipment_id, order_id, fee_vnd, tracking_code)])


def post_costs_of_shipments(uow: UnitOfWork, booked: Sequence[BookedShipment]) -> None:
    """:func:`post_shipment_costs` for many shipments: one statement per table read or
    written, however many. A negative fee, an unknown shipment or product raises, and
    nothing is posted."""
    if any(shipment.fee_vnd < 0 for shipment in booked):
        raise InvalidInput({"fee_vnd": "a carrier fee cannot be negative"})
    carried = reservations_of_shipments(uow, [shipment.shipment_id for shipment in booked])
    unit_costs = _standard_costs(uow, [r for rs in carried.values() for r in rs])
    postings: list[journal.SourcedPosting] = []
    for shipment in booked:
        items = [(r.quantity, unit_costs[r.product_id]) for r in carried[shipment.shipment_id]]
        for posting in (
            ledger.goods_shipped(items),
            ledger.carrier_fee(shipment.fee_vnd, tracking_code=shipment.tracking_code),
        ):
            postings.append(
                journal.SourcedPosting(
                    posting,
                    source_type="shipment",
                    source_id=shipment.shipment_id,
                    order_id=shipment.order_id,
                )
            )
    journal.post_many(uow, postings)


def reservations_of_shipments(
    uow: UnitOfWork, shipment_ids: Sequence[str]
) -> dict[str, list[ReservationView]]:
    """:func:`shipment_reservations` of many shipments in two statements; NotFound for an
    unknown shipment."""
    reservation_ids = reservation_ids_of_shipments(uow.connection, shipment_ids)
    unknown = sorted(set(shipment_ids) - set(reservation_ids))
    if unknown:
        raise NotFound("shipment", ", ".join(unknown))
    reservations = get_reservations(
        uow.connection, [i for ids in reservation_ids.values() for i in ids]
    )
    by_id = {reservation.id: reservation for reservation in reservations}
    return {
        shipment_id: [by_id[i] for i in sorted(set(ids)) if i in by_id]
        for shipment_id, ids in reservation_ids.items()
    }


def shipment_reservations(uow: UnitOfWork, shipment_id: str) -> list[ReservationView]:
    """The stock reservations a shipment carries; NotFound for an unknown shipment."""
    return reservations_of_shipments(uow, [shipment_id])[shipment_id]


def at_standard_cost(
    uow: UnitOfWork, reservations: Sequence[ReservationView]
) -> list[tuple[int, int]]:
    """(quantity, standard unit cost) per reservation."""
    costs = _standard_costs(uow, reservations)
    return [(r.quantity, costs[r.product_id]) for r in reservations]


def _standard_costs(uow: UnitOfWork, reservations: Sequence[ReservationView]) -> dict[str, int]:
    """The standard unit cost of each reserved product; NotFound names any product missing."""
    products = products_in(uow, [r.product_id for r in reservations])
    missing = sorted({r.product_id for r in reservations} - set(products))
    if missing:
        raise NotFound("product", ", ".join(missing))
    return {product_id: product.cost_vnd for product_id, product in products.items()}


def _account_count(uow: UnitOfWork) -> int:
    return int(uow.connection.execute(select(func.count()).select_from(accounts)).scalar_one())
