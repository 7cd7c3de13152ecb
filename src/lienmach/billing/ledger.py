"""The ledger's rules: the Vietnamese chart of accounts and balanced postings.

Pure: no database. Every posting rule returns a :class:`Posting`, which refuses to exist
unless its debits equal its credits, so the ledger cannot be written out of balance.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from lienmach.kernel.errors import DomainError


class AccountKind(StrEnum):
    ASSET = "asset"
    LIABILITY = "liability"
    EQUITY = "equity"
    REVENUE = "revenue"
    EXPENSE = "expense"


# Kinds whose balance is naturally on the debit side; the others are credit-natured.
DEBIT_NATURED = frozenset({AccountKind.ASSET, AccountKind.EXPENSE})


@dataclass(frozen=True)
class Account:
    code: str
    name_vi: str
    name_en: str
    kind: AccountKind


CASH = "111"
BANK = "112"
RECEIVABLE = "131"
GOODS = "156"
PAYABLE = "331"
VAT_OUTPUT = "3331"
REVENUE = "511"
TRADE_DISCOUNT = "5211"
COST_OF_GOODS = "632"
SELLING_EXPENSE = "641"

# Circular 200/2014/TT-BTC (also valid under 133/2016) account codes used by the order journey.
CHART_OF_ACCOUNTS: tuple[Account, ...] = (
    Account(CASH, "Tiền mặt", "Cash on hand", AccountKind.ASSET),
    Account(BANK, "Tiền gửi ngân hàng", "Cash at bank", AccountKind.ASSET),
    Account(RECEIVABLE, "Phải thu của khách hàng", "Trade receivables", AccountKind.ASSET),
    Account(GOODS, "Hàng hóa", "Merchandise inventory", AccountKind.ASSET),
    Account(PAYABLE, "Phải trả cho người bán", "Trade payables", AccountKind.LIABILITY),
    Account(VAT_OUTPUT, "Thuế GTGT phải nộp", "Output VAT payable", AccountKind.LIABILITY),
    Account(
        REVENUE,
        "Doanh thu bán hàng và cung cấp dịch vụ",
        "Revenue from sales of goods and services",
        AccountKind.REVENUE,
    ),
    Account(TRADE_DISCOUNT, "Chiết khấu thương mại", "Trade discounts", AccountKind.REVENUE),
    Account(COST_OF_GOODS, "Giá vốn hàng bán", "Cost of goods sold", AccountKind.EXPENSE),
    Account(SELLING_EXPENSE, "Chi phí bán hàng", "Selling expenses", AccountKind.EXPENSE),
)
ACCOUNTS_BY_CODE = {account.code: account for account in CHART_OF_ACCOUNTS}


class UnbalancedPosting(DomainError):
    """A posting whose debits and credits differ; nothing is written."""

    code = "unbalanced_posting"


@dataclass(frozen=True)
class PostingLine:
    account_code: str
    debit_vnd: int = 0
    credit_vnd: int = 0

    def __post_init__(self) -> None:
        if self.account_code not in ACCOUNTS_BY_CODE:
            raise UnbalancedPosting(f"account {self.account_code} is not in the chart of accounts")
        if self.debit_vnd < 0 or self.credit_vnd < 0:
            raise UnbalancedPosting(f"account {self.account_code}: amounts must not be negative")
        if self.debit_vnd and self.credit_vnd:
            raise UnbalancedPosting(f"account {self.account_code}: a line is a debit or a credit")


def debit(account_code: str, amount_vnd: int) -> PostingLine:
    return PostingLine(account_code, debit_vnd=amount_vnd)


def credit(account_code: str, amount_vnd: int) -> PostingLine:
    return PostingLine(account_code, credit_vnd=amount_vnd)


@dataclass(frozen=True)
class Posting:
    """A balanced set of journal lines; zero-amount lines are dropped."""

    kind: str
    description: str
    lines: tuple[PostingLine, ...]

    def __post_init__(self) -> None:
        kept = tuple(line for line in self.lines if line.debit_vnd or line.credit_vnd)
        object.__setattr__(self, "lines", kept)
        debits = sum(line.debit_vnd for line in kept)
        credits = sum(line.credit_vnd for line in kept)
        if debits != credits:
            raise UnbalancedPosting(
                f"{self.kind}: debits {debits} ≠ credits {credits}; the ledger must balance"
            )

    @property
    def amount_vnd(self) -> int:
        return sum(line.debit_vnd for line in self.lines)

    @property
    def is_empty(self) -> bool:
        return not self.lines


# --- posting rules ---------------------------------------------------------------------------


def invoice_issued(*, net_vnd: int, vat_vnd: int, number: str = "") -> Posting:
    """Sale invoiced: Dr 131 gross / Cr 511 net of goods and shipping / Cr 3331 VAT."""
    return Posting(
        "invoice_issued",
        f"Hóa đơn {number}".strip(),
        (
            debit(RECEIVABLE, net_vnd + vat_vnd),
            credit(REVENUE, net_vnd),
            credit(VAT_OUTPUT, vat_vnd),
        ),
    )


def payment_received(amount_vnd: int, *, reference: str = "") -> Posting:
    """Prepaid order paid through a gateway into the bank: Dr 112 / Cr 131."""
    return Posting(
        "payment_received",
        f"Thu tiền thanh toán trước {reference}".strip(),
        (debit(BANK, amount_vnd), credit(RECEIVABLE, amount_vnd)),
    )


def goods_shipped(items: Iterable[tuple[int, int]]) -> Posting:
    """Cost of goods handed to the carrier: Dr 632 / Cr 156 at Σ quantity × unit cost."""
    cost = sum(quantity * unit_cost for quantity, unit_cost in items)
    return Posting(
        "cost_of_goods", "Giá vốn hàng xuất giao", (debit(COST_OF_GOODS, cost), credit(GOODS, cost))
    )


def carrier_fee(fee_vnd: int, *, tracking_code: str = "") -> Posting:
    """The carrier's fee is a selling expense owed to the carrier: Dr 641 / Cr 331."""
    return Posting(
        "carrier_fee",
        f"Cước vận chuyển {tracking_code}".strip(),
        (debit(SELLING_EXPENSE, fee_vnd), credit(PAYABLE, fee_vnd)),
    )


def cod_collected(amount_vnd: int) -> Posting:
    """Cash on delivery collected by the carrier for us: Dr 111 / Cr 131."""
    return Posting(
        "cod_collected", "Thu tiền COD", (debit(CASH, amount_vnd), credit(RECEIVABLE, amount_vnd))
    )


def goods_received(*, quantity: int, unit_cost_vnd: int) -> Posting:
    """Stock bought from a supplier: Dr 156 / Cr 331 at quantity × unit cost."""
    amount = quantity * unit_cost_vnd
    return Posting(
        "goods_received", "Nhập kho hàng hóa", (debit(GOODS, amount), credit(PAYABLE, amount))
    )


def credit_note_reversal(*, net_vnd: int, vat_vnd: int, number: str = "") -> Posting:
    """Sale reduced by a credit note: Dr 511 net, Dr 3331 VAT / Cr 131 gross."""
    return Posting(
        "credit_note",
        f"Hóa đơn điều chỉnh giảm {number}".strip(),
        (
            debit(REVENUE, net_vnd),
            debit(VAT_OUTPUT, vat_vnd),
            credit(RECEIVABLE, net_vnd + vat_vnd),
        ),
    )


def refund_paid(amount_vnd: int) -> Posting:
    """Money given back to a prepaid customer: Dr 131 / Cr 112."""
    return Posting(
        "refund",
        "Hoàn tiền cho khách hàng",
        (debit(RECEIVABLE, amount_vnd), credit(BANK, amount_vnd)),
    )


def cost_of_goods_reversed(amount_vnd: int) -> Posting:
    """Returned units back in stock: Dr 156 / Cr 632."""
    return Posting(
        "cost_of_goods_reversal",
        "Hàng giao không thành công nhập lại kho",
        (debit(GOODS, amount_vnd), credit(COST_OF_GOODS, amount_vnd)),
    )
