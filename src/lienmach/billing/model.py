"""Invoice and credit note rules: amounts as charged, credit sizing, states, numbering.

Pure: no database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from lienmach.kernel.money import vat_of

SHIPPING_VAT_RATE_PERCENT = 8


class InvoiceState(StrEnum):
    ISSUED = "issued"
    PARTIALLY_CREDITED = "partially_credited"
    CANCELLED = "cancelled"


INVOICE_TRANSITIONS: dict[InvoiceState, frozenset[InvoiceState]] = {
    InvoiceState.ISSUED: frozenset({InvoiceState.PARTIALLY_CREDITED, InvoiceState.CANCELLED}),
    InvoiceState.PARTIALLY_CREDITED: frozenset(
        {InvoiceState.PARTIALLY_CREDITED, InvoiceState.CANCELLED}
    ),
    InvoiceState.CANCELLED: frozenset(),
}


class LineKind(StrEnum):
    GOODS = "goods"
    SHIPPING = "shipping"


@dataclass(frozen=True)
class InvoiceLine:
    """One line of an invoice as charged; ``id`` is empty until the line is stored."""

    kind: LineKind
    order_line_id: str | None
    product_id: str | None
    description: str
    quantity: int
    unit_price_vnd: int
    vat_rate_percent: int
    net_vnd: int
    vat_vnd: int
    id: str = ""

    @property
    def total_vnd(self) -> int:
        return self.net_vnd + self.vat_vnd


def goods_line(
    *,
    order_line_id: str,
    product_id: str,
    description: str,
    quantity: int,
    unit_price_vnd: int,
    vat_rate_percent: int,
) -> InvoiceLine:
    """A goods line priced net of VAT; VAT on the line's net, rounded half up to the đồng."""
    net = quantity * unit_price_vnd
    return InvoiceLine(
        LineKind.GOODS,
        order_line_id,
        product_id,
        description,
        quantity,
        unit_price_vnd,
        vat_rate_percent,
        net,
        vat_of(net, vat_rate_percent),
    )


def shipping_line(fee_vnd: int, *, vat_vnd: int | None = None) -> InvoiceLine:
    """Delivery charged as a service line with VAT 8 % (or the VAT the order already charged)."""
    vat = vat_of(fee_vnd, SHIPPING_VAT_RATE_PERCENT) if vat_vnd is None else vat_vnd
    return InvoiceLine(
        LineKind.SHIPPING,
        None,
        None,
        "Phí vận chuyển",
        1,
        fee_vnd,
        SHIPPING_VAT_RATE_PERCENT,
        fee_vnd,
        vat,
    )


@dataclass(frozen=True)
class Amounts:
    net_vnd: int
    vat_vnd: int

    @property
    def total_vnd(self) -> int:
        return self.net_vnd + self.vat_vnd


def totals(amounts: Iterable[InvoiceLine | Amounts]) -> Amounts:
    items = list(amounts)
    return Amounts(sum(a.net_vnd for a in items), sum(a.vat_vnd for a in items))


@dataclass(frozen=True)
class CreditedSoFar:
    """What earlier credit notes already took off one invoice line."""

    quantity: int = 0
    net_vnd: int = 0
    vat_vnd: int = 0


def credit_for_units(line: InvoiceLine, already: CreditedSoFar, quantity: int) -> Amounts:
    """Net and VAT to credit for ``quantity`` more units of ``line``.

    Sized on the cumulative quantity, so crediting a line piece by piece never takes off more
    than the line carried, and crediting all of it takes off exactly what it carried.
    """
    remaining = line.quantity - already.quantity
    if quantity <= 0 or remaining <= 0:
        return Amounts(0, 0)
    upto = already.quantity + min(quantity, remaining)
    if upto == line.quantity:
        net_after, vat_after = line.net_vnd, line.vat_vnd
    else:
        net_after = upto * line.unit_price_vnd
        vat_after = min(vat_of(net_after, line.vat_rate_percent), line.vat_vnd)
    return Amounts(net_after - already.net_vnd, vat_after - already.vat_vnd)


@dataclass(frozen=True)
class CreditLine:
    line: InvoiceLine
    quantity: int
    amounts: Amounts


UnitsToCredit = Callable[[InvoiceLine, CreditedSoFar], int]


def size_credit(
    lines: Sequence[InvoiceLine], already: Mapping[str, CreditedSoFar], units: UnitsToCredit
) -> list[CreditLine]:
    """The lines of a credit note: ``units`` says how many units of each line to take off."""
    credits = []
    for line in lines:
        so_far = already.get(line.id, CreditedSoFar())
        quantity = min(units(line, so_far), line.quantity - so_far.quantity)
        amounts = credit_for_units(line, so_far, quantity)
        if amounts.total_vnd > 0:
            credits.append(CreditLine(line, quantity, amounts))
    return credits


def state_after_credit(invoice_total_vnd: int, credited_total_vnd: int) -> InvoiceState:
    """Fully credited invoices are cancelled; partly credited ones say so."""
    if credited_total_vnd >= invoice_total_vnd:
        return InvoiceState.CANCELLED
    return InvoiceState.PARTIALLY_CREDITED if credited_total_vnd else InvoiceState.ISSUED


def document_number(prefix: str, year: int, sequence: int) -> str:
    """'HD-2026-000001': series prefix, year, six-digit sequence within the year."""
    return f"{prefix}-{year}-{sequence:06d}"
