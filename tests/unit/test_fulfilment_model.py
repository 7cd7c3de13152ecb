"""Fulfilment rules: priority, guided packing scans, missing units, task transitions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lienmach.fulfilment.model import (
    TRANSITIONS,
    PackLine,
    PickTaskState,
    missing_message,
    missing_units,
    priority,
    scan,
)
from lienmach.kernel.errors import InvalidTransition
from lienmach.kernel.states import check_transition

pytestmark = pytest.mark.unit

NOW = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)


def line(sku: str, barcode: str, quantity: int, scanned: int = 0, rid: str = "") -> PackLine:
    return PackLine(
        reservation_id=rid or f"R-{sku}",
        product_id=f"P-{sku}",
        barcode=barcode,
        sku=sku,
        name=f"Sản phẩm {sku}",
        quantity=quantity,
        scanned_quantity=scanned,
    )


# --- priority ---------------------------------------------------------------------------------


def test_a_fresh_standard_order_scores_zero() -> None:
    assert priority("standard", None, "standard", NOW, NOW) == 0


def test_each_reason_adds_its_documented_weight() -> None:
    assert priority("express", None, "standard", NOW, NOW) == 1000
    assert priority("standard", None, "gold", NOW, NOW) == 300
    assert priority("standard", None, "silver", NOW, NOW) == 150
    assert priority("standard", NOW + timedelta(hours=23), "standard", NOW, NOW) == 500
    assert priority("standard", NOW - timedelta(hours=2), "standard", NOW, NOW) == 500
    assert priority("standard", NOW + timedelta(hours=25), "standard", NOW, NOW) == 0
    assert priority("standard", None, "standard", NOW - timedelta(hours=5, minutes=59), NOW) == 5


def test_age_is_capped_so_an_old_order_never_overtakes_express() -> None:
    ancient = priority("standard", None, "gold", NOW - timedelta(days=90), NOW)
    assert ancient == 300 + 200
    assert ancient < priority("express", None, "standard", NOW, NOW)


def test_priority_orders_a_realistic_queue() -> None:
    # given orders that differ in service, promise, tier and age
    scores = {
        "express gold": priority("express", None, "gold", NOW, NOW),
        "express": priority("express", None, "standard", NOW, NOW),
        "due tomorrow": priority("standard", NOW + timedelta(hours=20), "standard", NOW, NOW),
        "gold": priority("standard", None, "gold", NOW, NOW),
        "silver, waited 2 days": priority(
            "standard", None, "silver", NOW - timedelta(hours=48), NOW
        ),
        "standard, waited 3 h": priority(
            "standard", None, "standard", NOW - timedelta(hours=3), NOW
        ),
        "standard": priority("standard", None, "standard", NOW, NOW),
    }
    # then sorting by score gives the intended picking order
    assert sorted(scores, key=scores.__getitem__, reverse=True) == [
        "express gold",
        "express",
        "due tomorrow",
        "gold",
        "silver, waited 2 days",
        "standard, waited 3 h",
        "standard",
    ]


def test_a_clock_earlier_than_placement_does_not_lower_priority() -> None:
    assert priority("standard", None, "standard", NOW + timedelta(hours=1), NOW) == 0


# --- scanning ---------------------------------------------------------------------------------


def test_a_units_barcode_is_accepted_against_its_line() -> None:
    lines = [line("SKU-1", "8930000000011", 2), line("SKU-7", "8930000000077", 1)]
    result = scan(lines, "8930000000077")
    assert result.accepted
    assert result.line is not None and result.line.sku == "SKU-7"
    assert result.message == "SKU-7 ✓ 1/1"


def test_the_sku_is_accepted_too_whatever_its_case_and_surrounding_spaces() -> None:
    result = scan([line("SKU-1", "8930000000011", 2, scanned=1)], "  sku-1 ")
    assert result.accepted
    assert result.line is not None and result.line.reservation_id == "R-SKU-1"
    assert result.message == "SKU-1 ✓ 2/2"


def test_a_code_not_in_the_parcel_is_rejected_with_a_bilingual_message() -> None:
    result = scan([line("SKU-1", "8930000000011", 2)], "8931234567890")
    assert not result.accepted
    assert result.line is None
    assert result.message == (
        "Code 8931234567890 is not in this parcel (Mã 8931234567890 không thuộc kiện này)"
    )


def test_an_extra_unit_of_a_fully_scanned_product_is_rejected() -> None:
    lines = [line("SKU-1", "8930000000011", 2, scanned=2), line("SKU-7", "8930000000077", 1)]
    result = scan(lines, "8930000000011")
    assert not result.accepted
    assert result.line is None
    assert result.message.startswith("All 2 units of SKU-1 already scanned")


def test_two_lines_of_the_same_product_fill_one_after_the_other() -> None:
    lines = [
        line("SKU-1", "8930000000011", 1, scanned=1, rid="R-a"),
        line("SKU-1", "8930000000011", 2, scanned=0, rid="R-b"),
    ]
    result = scan(lines, "8930000000011")
    assert result.accepted and result.line is not None and result.line.reservation_id == "R-b"
    full = [lines[0], line("SKU-1", "8930000000011", 2, scanned=2, rid="R-b")]
    assert scan(full, "8930000000011").message.startswith("All 3 units of SKU-1 already scanned")


def test_an_empty_scan_is_rejected() -> None:
    result = scan([line("SKU-1", "8930000000011", 1)], "   ")
    assert not result.accepted
    assert result.message.startswith("Nothing was scanned")


# --- missing units ----------------------------------------------------------------------------


def test_missing_units_lists_what_is_still_unscanned() -> None:
    lines = [
        line("SKU-1", "8930000000011", 2, scanned=1),
        line("SKU-5", "8930000000055", 3, scanned=3),
        line("SKU-7", "8930000000077", 1),
    ]
    missing = missing_units(lines)
    assert missing == {"SKU-1": 1, "SKU-7": 1}
    assert missing_message(missing).startswith("2 units missing: SKU-1 ×1, SKU-7 ×1 (Còn thiếu")


def test_a_fully_scanned_parcel_misses_nothing() -> None:
    assert missing_units([line("SKU-1", "8930000000011", 2, scanned=2)]) == {}


def test_one_missing_unit_is_singular() -> None:
    assert missing_message({"SKU-9": 1}).startswith("1 unit missing: SKU-9 ×1")


# --- transitions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "wanted"),
    [
        (PickTaskState.QUEUED, PickTaskState.PICKED),
        (PickTaskState.PICKED, PickTaskState.PACKED),
        (PickTaskState.QUEUED, PickTaskState.CANCELLED),
        (PickTaskState.PICKED, PickTaskState.CANCELLED),
    ],
)
def test_allowed_transitions(current: PickTaskState, wanted: PickTaskState) -> None:
    check_transition("pick task", "PT1", TRANSITIONS, current, wanted)


@pytest.mark.parametrize(
    ("current", "wanted"),
    [
        (PickTaskState.QUEUED, PickTaskState.PACKED),
        (PickTaskState.PACKED, PickTaskState.CANCELLED),
        (PickTaskState.PACKED, PickTaskState.PICKED),
        (PickTaskState.CANCELLED, PickTaskState.QUEUED),
        (PickTaskState.CANCELLED, PickTaskState.PICKED),
    ],
)
def test_forbidden_transitions(current: PickTaskState, wanted: PickTaskState) -> None:
    with pytest.raises(InvalidTransition) as raised:
        check_transition("pick task", "PT1", TRANSITIONS, current, wanted)
    assert str(raised.value) == f"pick task PT1 is {current}; it cannot become {wanted}"
