"""Postings of the stock and its carriage: the chart of accounts they post to, goods received
into stock and a booked shipment's cost of goods and carrier fee.

Every posting is keyed by (source type, source id, kind), so posting the same fact again
posts nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select

from lienmach.billing import ledger, repository
from lienmach.billing.tables import accounts
from lienmach.catalog.queries import products_in
from lienmach.inventory.queries import ReservationView, get_reservations
from lienmach.kernel.errors import InvalidInput, NotFound
from lienmach.kernel.uow import UnitOfWork
from lienmach.shipping.queries import shipment_reservation_ids


def seed_chart_of_accounts(uow: UnitOfWork) -> int:
    """Create the Vietnamese chart of accounts; accounts already there are left as they are."""
    before = _account_count(uow)
    repository.ensure_accounts(uow.connection, list(ledger.ACCOUNTS_BY_CODE))
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
    return repository.post(
        uow,
        ledger.goods_received(quantity=quantity, unit_cost_vnd=unit_cost_vnd),
        source_type="receipt",
        source_id=receipt_id,
        order_id=None,
    )


def post_shipment_costs(
    uow: UnitOfWork, *, shipment_id: str, order_id: str, fee_vnd: int, tracking_code: str = ""
) -> None:
    """Post cost of goods shipped (Dr 632 / Cr 156, standard cost) and the carrier fee
    (Dr 641 / Cr 331) for a booked shipment; once per shipment."""
    if fee_vnd < 0:
        raise InvalidInput({"fee_vnd": "a carrier fee cannot be negative"})
    reservations = shipment_reservations(uow, shipment_id)
    repository.post_many(
        uow,
        [
            ledger.goods_shipped(at_standard_cost(uow, reservations)),
            ledger.carrier_fee(fee_vnd, tracking_code=tracking_code),
        ],
        source_type="shipment",
        source_id=shipment_id,
        order_id=order_id,
    )


def shipment_reservations(uow: UnitOfWork, shipment_id: str) -> list[ReservationView]:
    """The stock reservations a shipment carries; NotFound for an unknown shipment."""
    reservation_ids = shipment_reservation_ids(uow.connection, shipment_id)
    if reservation_ids is None:
        raise NotFound("shipment", shipment_id)
    return get_reservations(uow.connection, reservation_ids)


def at_standard_cost(
    uow: UnitOfWork, reservations: Sequence[ReservationView]
) -> list[tuple[int, int]]:
    """(quantity, standard unit cost) per reservation."""
    products = products_in(uow, [r.product_id for r in reservations])
    missing = sorted({r.product_id for r in reservations} - set(products))
    if missing:
        raise NotFound("product", ", ".join(missing))
    return [(r.quantity, products[r.product_id].cost_vnd) for r in reservations]


def _account_count(uow: UnitOfWork) -> int:
    return int(uow.connection.execute(select(func.count()).select_from(accounts)).scalar_one())
