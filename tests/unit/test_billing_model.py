"""Billing rules: every posting balances, VAT amounts are exact, credits never over-credit."""

from __future__ import annotations

import pytest

from lienmach.billing import ledger, model
from lienmach.billing.ledger import Posting, UnbalancedPosting, credit, debit
from lienmach.billing.model import (
    Amounts,
    CreditedSoFar,
    InvoiceState,
    credit_for_units,
    goods_line,
    shipping_line,
    size_credit,
    totals,
)

pytestmark = pytest.mark.unit


def sides(posting: Posting) -> dict[str, tuple[int, int]]:
    """account → (debit, credit) summed over the posting's lines."""
    result: dict[str, tuple[int, int]] = {}
    for line in posting.lines:
        dr, cr = result.get(line.account_code, (0, 0))
        result[line.account_code] = (dr + line.debit_vnd, cr + line.credit_vnd)
    return result


def balanced(posting: Posting) -> bool:
    return sum(x.debit_vnd for x in posting.lines) == sum(x.credit_vnd for x in posting.lines)


def line(quantity: int, unit_price: int, rate: int, line_id: str = "IL1") -> model.InvoiceLine:
    draft = goods_line(
        order_line_id="L1",
        product_id="P1",
        description="Áo thun",
        quantity=quantity,
        unit_price_vnd=unit_price,
        vat_rate_percent=rate,
    )
    return model.InvoiceLine(**{**draft.__dict__, "id": line_id})


# --- the chart of accounts ----------------------------------------------------------------------


def test_chart_has_the_vietnamese_accounts_of_the_order_journey() -> None:
    # given the chart, when read by code, then the Circular 200 names and kinds are there
    chart = ledger.ACCOUNTS_BY_CODE
    assert chart["111"].name_vi == "Tiền mặt"
    assert chart["131"].name_vi == "Phải thu của khách hàng"
    assert chart["3331"].name_vi == "Thuế GTGT phải nộp"
    assert chart["511"].name_vi == "Doanh thu bán hàng và cung cấp dịch vụ"
    assert chart["632"].kind is ledger.AccountKind.EXPENSE
    assert chart["331"].kind is ledger.AccountKind.LIABILITY
    assert {"112", "156", "641"} <= set(chart)
    assert all(account.name_en for account in ledger.CHART_OF_ACCOUNTS)


# --- Posting validation -------------------------------------------------------------------------


def test_an_unbalanced_posting_cannot_exist() -> None:
    with pytest.raises(UnbalancedPosting, match="debits 100 ≠ credits 90"):
        Posting("x", "x", (debit("131", 100), credit("511", 90)))


def test_a_line_is_a_debit_or_a_credit_never_both_nor_negative() -> None:
    with pytest.raises(UnbalancedPosting):
        ledger.PostingLine("131", debit_vnd=1, credit_vnd=1)
    with pytest.raises(UnbalancedPosting):
        ledger.PostingLine("131", debit_vnd=-5)


def test_an_account_outside_the_chart_is_refused() -> None:
    with pytest.raises(UnbalancedPosting, match="999"):
        debit("999", 10)


def test_zero_lines_are_dropped_and_an_all_zero_posting_is_empty() -> None:
    posting = ledger.invoice_issued(net_vnd=100_000, vat_vnd=0)
    assert sides(posting) == {"131": (100_000, 0), "511": (0, 100_000)}
    assert ledger.cod_collected(0).is_empty
    assert ledger.cod_collected(0).amount_vnd == 0


# --- posting rules ------------------------------------------------------------------------------


def test_invoice_issued_with_goods_at_10_percent_and_shipping_at_8_percent() -> None:
    # given 2 × 150 000 at 10 % and a 30 000 delivery charge at 8 %
    goods = goods_line(
        order_line_id="L1",
        product_id="P1",
        description="Nồi cơm",
        quantity=2,
        unit_price_vnd=150_000,
        vat_rate_percent=10,
    )
    delivery = shipping_line(30_000)
    amounts = totals([goods, delivery])
    # when the invoice is posted
    posting = ledger.invoice_issued(net_vnd=amounts.net_vnd, vat_vnd=amounts.vat_vnd, number="HD-1")
    # then Dr 131 gross / Cr 511 net of goods and shipping / Cr 3331 VAT
    assert (goods.vat_vnd, delivery.vat_vnd) == (30_000, 2_400)
    assert sides(posting) == {"131": (362_400, 0), "511": (0, 330_000), "3331": (0, 32_400)}
    assert posting.amount_vnd == 362_400
    assert balanced(posting)


@pytest.mark.parametrize(
    ("quantity", "unit_price", "rate", "net", "vat"),
    [
        (3, 33_333, 10, 99_999, 10_000),  # 9 999.9 rounds up
        (1, 12_345, 8, 12_345, 988),  # 987.6 rounds up
        (1, 10_006, 5, 10_006, 500),  # 500.3 rounds down
        (1, 10_010, 5, 10_010, 501),  # 500.5 rounds half up
        (7, 99_000, 0, 693_000, 0),  # exempt-rate goods carry no VAT
    ],
)
def test_line_vat_is_on_the_line_net_rounded_half_up(
    quantity: int, unit_price: int, rate: int, net: int, vat: int
) -> None:
    priced = line(quantity, unit_price, rate)
    assert (priced.net_vnd, priced.vat_vnd) == (net, vat)
    posting = ledger.invoice_issued(net_vnd=net, vat_vnd=vat)
    assert balanced(posting)
    assert sides(posting)["131"] == (net + vat, 0)
    assert sides(posting).get("3331", (0, 0)) == (0, vat)


def test_payment_cod_refund_each_move_money_against_the_receivable() -> None:
    assert sides(ledger.payment_received(500_000)) == {"112": (500_000, 0), "131": (0, 500_000)}
    assert sides(ledger.cod_collected(420_000)) == {"111": (420_000, 0), "131": (0, 420_000)}
    assert sides(ledger.refund_paid(77_000)) == {"131": (77_000, 0), "112": (0, 77_000)}


def test_goods_shipped_costs_quantity_times_standard_cost() -> None:
    posting = ledger.goods_shipped([(2, 80_000), (1, 45_500)])
    assert sides(posting) == {"632": (205_500, 0), "156": (0, 205_500)}


def test_carrier_fee_is_a_selling_expense_owed_to_the_carrier() -> None:
    assert sides(ledger.carrier_fee(32_000)) == {"641": (32_000, 0), "331": (0, 32_000)}


def test_goods_received_and_cost_reversal_move_stock_value() -> None:
    received = ledger.goods_received(quantity=10, unit_cost_vnd=80_000)
    assert sides(received) == {"156": (800_000, 0), "331": (0, 800_000)}
    reversed_ = ledger.cost_of_goods_reversed(160_000)
    assert sides(reversed_) == {"156": (160_000, 0), "632": (0, 160_000)}


def test_credit_note_reversal_takes_back_revenue_and_vat() -> None:
    posting = ledger.credit_note_reversal(net_vnd=330_000, vat_vnd=32_400)
    assert sides(posting) == {"511": (330_000, 0), "3331": (32_400, 0), "131": (0, 362_400)}


# --- credit sizing ------------------------------------------------------------------------------


def test_crediting_a_whole_line_takes_off_exactly_what_it_carried() -> None:
    priced = line(3, 33_333, 10)
    assert credit_for_units(priced, CreditedSoFar(), 3) == Amounts(99_999, 10_000)


def test_crediting_piece_by_piece_never_over_credits_the_vat() -> None:
    # given 3 × 5 đồng at 10 %: the line carries 15 net and 2 VAT (1.5 rounded up)
    priced = line(3, 5, 10)
    assert (priced.net_vnd, priced.vat_vnd) == (15, 2)
    # when each unit is credited on its own
    so_far = CreditedSoFar()
    taken = []
    for _ in range(3):
        amounts = credit_for_units(priced, so_far, 1)
        taken.append(amounts)
        so_far = CreditedSoFar(
            so_far.quantity + 1, so_far.net_vnd + amounts.net_vnd, so_far.vat_vnd + amounts.vat_vnd
        )
    # then the three credits add up to exactly the line, never more
    assert totals(taken) == Amounts(15, 2)
    assert credit_for_units(priced, so_far, 1) == Amounts(0, 0)


def test_size_credit_caps_at_what_is_left_and_skips_lines_with_nothing_to_credit() -> None:
    first, second = line(2, 100_000, 10, "A"), line(1, 50_000, 8, "B")
    already = {"A": CreditedSoFar(1, 100_000, 10_000)}
    credits = size_credit([first, second], already, lambda _line, _so_far: 5)
    assert [(c.line.id, c.quantity, c.amounts) for c in credits] == [
        ("A", 1, Amounts(100_000, 10_000)),
        ("B", 1, Amounts(50_000, 4_000)),
    ]
    assert size_credit([first], {"A": CreditedSoFar(2, 200_000, 20_000)}, lambda *_: 2) == []


def test_invoice_state_after_credit() -> None:
    assert model.state_after_credit(1_000, 0) is InvoiceState.ISSUED
    assert model.state_after_credit(1_000, 400) is InvoiceState.PARTIALLY_CREDITED
    assert model.state_after_credit(1_000, 1_000) is InvoiceState.CANCELLED
    assert InvoiceState.ISSUED not in model.INVOICE_TRANSITIONS[InvoiceState.CANCELLED]


def test_document_numbers_are_series_year_and_six_digits() -> None:
    assert model.document_number("HD", 2026, 1) == "HD-2026-000001"
    assert model.document_number("DC", 2027, 123_456) == "DC-2027-123456"
