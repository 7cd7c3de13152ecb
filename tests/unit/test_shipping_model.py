"""Shipping rules: quotes by band, weight limits, express, the carrier choice and its reason,
and how carrier statuses map onto shipment states."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lienmach.kernel.errors import InvalidInput, InvalidTransition
from lienmach.kernel.states import check_transition
from lienmach.shipping.defaults import default_rate_cards
from lienmach.shipping.model import (
    SCORE_WEIGHTS,
    TRANSITIONS,
    LineAmount,
    NoCarrierAvailable,
    Quote,
    ScoreWeights,
    ShipmentState,
    choose_carrier,
    cod_amount,
    distance_band,
    quote,
    state_for_carrier_status,
    status_effect,
)

pytestmark = pytest.mark.unit

NOW = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
CARDS = default_rate_cards()


def fees(quotes: list[Quote]) -> list[tuple[str, int, int]]:
    return [(q.carrier_id, q.fee_vnd, q.promised_days) for q in quotes]


# --- quotes -----------------------------------------------------------------------------------


def test_distance_bands_follow_the_kilometres() -> None:
    assert distance_band(0, same_province=True) == "same_province"
    assert distance_band(299.9, same_province=False) == "under_300"
    assert distance_band(300, same_province=False) == "300_1000"
    assert distance_band(1000, same_province=False) == "300_1000"
    assert distance_band(1000.1, same_province=False) == "over_1000"


def test_standard_quotes_under_300_km_are_priced_by_weight_band_cheapest_first() -> None:
    # given an 800 g parcel going 120 km, no cash to collect
    quotes = quote(
        CARDS, distance_km=120, weight_grams=800, service_level="standard", cod_amount_vnd=0
    )
    # then each carrier's ≤ 1 kg fee for that band, and standard services only
    assert fees(quotes) == [("ghtk", 23_000, 3), ("ghn", 25_000, 2), ("vtp", 26_000, 3)]
    assert {q.service_level for q in quotes} == {"standard"}
    assert all(q.cod_fee_vnd == 0 for q in quotes)


def test_every_weight_band_and_the_extra_kilograms() -> None:
    ghn = next(
        c
        for c in CARDS
        if (c.carrier_id, c.service_level, c.distance_band) == ("ghn", "standard", "under_300")
    )
    assert [ghn.shipping_fee(w) for w in (1, 500, 501, 1000, 2000, 5000)] == [
        22_000,
        22_000,
        25_000,
        25_000,
        30_000,
        42_000,
    ]
    # 7.2 kg: the ≤ 5 kg fee plus three started kilograms at 5,000 đ
    assert ghn.shipping_fee(7_200) == 57_000


def test_same_province_is_its_own_band() -> None:
    quotes = quote(CARDS, distance_km=0, weight_grams=400, service_level="standard")
    assert fees(quotes) == [("ghn", 15_000, 1), ("ghtk", 16_000, 1), ("vtp", 17_000, 2)]
    assert {q.distance_band for q in quotes} == {"same_province"}


def test_cod_fee_is_a_share_of_the_cash_with_a_minimum() -> None:
    big = quote(
        CARDS, distance_km=0, weight_grams=400, service_level="standard", cod_amount_vnd=1_000_000
    )
    small = quote(
        CARDS, distance_km=0, weight_grams=400, service_level="standard", cod_amount_vnd=300_000
    )
    by_carrier = {q.carrier_id: q.cod_fee_vnd for q in big}
    # GHN 0.8 %, GHTK 0.5 %, Viettel Post 1 %
    assert by_carrier == {"ghn": 8_000, "ghtk": 5_000, "vtp": 10_000}
    assert {q.carrier_id: q.cod_fee_vnd for q in small} == {
        "ghn": 5_000,
        "ghtk": 4_000,
        "vtp": 5_000,
    }
    ghn = next(q for q in big if q.carrier_id == "ghn")
    assert ghn.fee_vnd == 15_000 + 8_000


def test_cod_fee_rounds_half_up_to_the_dong() -> None:
    ghn = next(c for c in CARDS if c.carrier_id == "ghn")
    assert ghn.cod_fee(1_000_062) == 8_000
    assert ghn.cod_fee(1_000_063) == 8_001


def test_carriers_over_their_weight_limit_are_left_out() -> None:
    # given a 25 kg parcel: GHTK takes up to 20 kg
    quotes = quote(CARDS, distance_km=120, weight_grams=25_000, service_level="standard")
    assert [q.carrier_id for q in quotes] == ["vtp", "ghn"]
    # and nobody takes 60 kg
    assert quote(CARDS, distance_km=120, weight_grams=60_000, service_level="standard") == []


def test_express_orders_get_express_services_only() -> None:
    quotes = quote(CARDS, distance_km=1140, weight_grams=400, service_level="express")
    assert fees(quotes) == [("ghn", 45_000, 2), ("vtp", 46_000, 3), ("ghtk", 48_000, 3)]
    assert {q.service_level for q in quotes} == {"express"}


def test_bad_quote_input_names_each_field() -> None:
    with pytest.raises(InvalidInput) as raised:
        quote(CARDS, distance_km=-1, weight_grams=0, service_level="overnight", cod_amount_vnd=-5)
    assert set(raised.value.errors) == {
        "weight_grams",
        "service_level",
        "cod_amount_vnd",
        "distance_km",
    }


# --- the choice -------------------------------------------------------------------------------


def test_score_weights_live_in_one_place_and_sum_to_one() -> None:
    assert ScoreWeights(price=0.5, days=0.35, on_time=0.15) == SCORE_WEIGHTS
    assert SCORE_WEIGHTS.price + SCORE_WEIGHTS.days + SCORE_WEIGHTS.on_time == pytest.approx(1)


def test_a_faster_carrier_can_beat_a_slightly_cheaper_one() -> None:
    # given GHTK 23,000 đ in 3 days, GHN 25,000 đ in 2 days, Viettel Post 26,000 đ in 3 days
    quotes = quote(CARDS, distance_km=120, weight_grams=800, service_level="standard")
    choice = choose_carrier(quotes, promised_by=None, on_time_rates=None)
    # then GHN: 0.5 × 23/25 + 0.35 × 1 + 0.15 = 0.96 beats GHTK's 0.5 + 0.35 × 2/3 + 0.15
    assert choice.quote.carrier_id == "ghn"
    assert choice.score == pytest.approx(0.96)
    assert choice.reason == "GHN standard: fastest of 3; 25,000 đ vs 23,000 đ, 2 vs 3 days"
    assert choice.candidates == 3


def test_price_only_weights_pick_the_cheapest() -> None:
    quotes = quote(CARDS, distance_km=120, weight_grams=800, service_level="standard")
    choice = choose_carrier(
        quotes,
        promised_by=None,
        on_time_rates=None,
        weights=ScoreWeights(price=1, days=0, on_time=0),
    )
    assert choice.quote.carrier_id == "ghtk"
    assert choice.reason.startswith("GHTK standard: cheapest of 3; 23,000 đ vs 25,000 đ")


def test_reason_names_the_promise_met() -> None:
    quotes = quote(CARDS, distance_km=120, weight_grams=400, service_level="express")
    choice = choose_carrier(
        quotes, promised_by=NOW + timedelta(days=2), on_time_rates=None, now=NOW
    )
    assert choice.quote.carrier_id == "ghn"
    assert choice.reason == (
        "GHN express: cheapest and fastest of 3 within promised 2 days; 28,000 đ vs 30,000 đ"
    )


def test_carriers_that_cannot_meet_the_promise_do_not_compete() -> None:
    # given Hanoi ← HCMC express: GHN 2 days, Viettel Post and GHTK 3 days; promised in 2 days
    quotes = quote(CARDS, distance_km=1140, weight_grams=400, service_level="express")
    choice = choose_carrier(
        quotes, promised_by=NOW + timedelta(days=2), on_time_rates=None, now=NOW
    )
    assert choice.quote.carrier_id == "ghn"
    assert choice.candidates == 1
    assert choice.reason == (
        "GHN express: only carrier service available within promised 2 days; 45,000 đ, 2 days"
    )


def test_when_no_carrier_can_meet_the_promise_the_fastest_compete() -> None:
    quotes = quote(CARDS, distance_km=120, weight_grams=800, service_level="standard")
    choice = choose_carrier(
        quotes, promised_by=NOW + timedelta(hours=20), on_time_rates=None, now=NOW
    )
    assert choice.quote.carrier_id == "ghn"
    assert "none can meet promised 1 day; fastest chosen" in choice.reason


def test_a_poor_on_time_record_loses_the_choice() -> None:
    quotes = quote(CARDS, distance_km=120, weight_grams=800, service_level="standard")
    choice = choose_carrier(quotes, promised_by=None, on_time_rates={"ghn": 0.4, "ghtk": 1.0})
    # GHN: 0.46 + 0.35 + 0.15 × 0.4 = 0.87 < GHTK: 0.5 + 0.2333 + 0.15 = 0.8833
    assert choice.quote.carrier_id == "ghtk"
    assert choice.reason == (
        "GHTK standard: cheapest of 3; 23,000 đ vs 25,000 đ, 3 vs 2 days; on time 100%"
    )


def test_no_quote_means_no_carrier() -> None:
    with pytest.raises(NoCarrierAvailable):
        choose_carrier([], promised_by=None, on_time_rates=None)


def test_a_promise_needs_the_current_moment() -> None:
    quotes = quote(CARDS, distance_km=120, weight_grams=800, service_level="standard")
    with pytest.raises(ValueError):
        choose_carrier(quotes, promised_by=NOW, on_time_rates=None)


# --- states and carrier statuses --------------------------------------------------------------


@pytest.mark.parametrize(
    ("carrier_status", "state"),
    [
        ("picking", "booked"),
        ("picked", "picked_up"),
        ("storing", "in_transit"),
        ("transporting", "in_transit"),
        ("delivering", "in_transit"),
        ("delivered", "delivered"),
        ("delivery_fail", "failed"),
        ("waiting_to_return", "failed"),
        ("return", "failed"),
        ("returned", "failed"),
        ("cancel", "failed"),
        ("  Delivered ", "delivered"),
    ],
)
def test_carrier_statuses_map_to_our_states(carrier_status: str, state: str) -> None:
    assert state_for_carrier_status(carrier_status) == state


def test_an_unknown_carrier_status_is_bad_input() -> None:
    with pytest.raises(InvalidInput) as raised:
        state_for_carrier_status("teleported")
    assert "carrier_status" in raised.value.errors


def test_states_only_move_forward() -> None:
    S = ShipmentState
    assert status_effect(S.BOOKED, S.IN_TRANSIT) == "move"  # a dropped "picked" is skipped
    assert status_effect(S.IN_TRANSIT, S.IN_TRANSIT) == "same"
    assert status_effect(S.IN_TRANSIT, S.PICKED_UP) == "ignore"
    assert status_effect(S.DELIVERED, S.IN_TRANSIT) == "ignore"
    assert status_effect(S.DELIVERED, S.FAILED) == "ignore"
    assert status_effect(S.FAILED, S.DELIVERED) == "ignore"
    assert status_effect(S.RETURNED, S.FAILED) == "ignore"
    check_transition("shipment", "s1", TRANSITIONS, S.FAILED, S.RETURNED)
    with pytest.raises(InvalidTransition):
        check_transition("shipment", "s1", TRANSITIONS, S.DELIVERED, S.RETURNED)
    with pytest.raises(InvalidTransition):
        check_transition("shipment", "s1", TRANSITIONS, S.BOOKING, S.DELIVERED)


# --- cash on delivery -------------------------------------------------------------------------

LINES = [LineAmount("L1", 2, 220_000), LineAmount("L2", 1, 54_000)]


def test_cod_is_the_order_total_when_the_parcel_holds_everything() -> None:
    whole = {"L1": 2, "L2": 1}
    assert (
        cod_amount(
            payment_method="cod",
            paid=False,
            total_vnd=304_000,
            lines=LINES,
            parcel_quantities=whole,
        )
        == 304_000
    )


def test_cod_of_a_partial_parcel_is_the_gross_of_its_units() -> None:
    assert (
        cod_amount(
            payment_method="cod",
            paid=False,
            total_vnd=304_000,
            lines=LINES,
            parcel_quantities={"L1": 1},
        )
        == 110_000
    )


def test_nothing_is_collected_for_prepaid_or_paid_orders() -> None:
    whole = {"L1": 2, "L2": 1}
    assert (
        cod_amount(
            payment_method="prepaid",
            paid=False,
            total_vnd=304_000,
            lines=LINES,
            parcel_quantities=whole,
        )
        == 0
    )
    assert (
        cod_amount(
            payment_method="cod", paid=True, total_vnd=304_000, lines=LINES, parcel_quantities=whole
        )
        == 0
    )
