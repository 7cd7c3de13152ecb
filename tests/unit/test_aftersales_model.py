"""NPS categories and score, ticket numbers, and the resolution SLA at its boundaries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lienmach.aftersales.model import (
    NpsCategory,
    SlaState,
    category_of,
    due_at,
    nps,
    sla_state,
    ticket_number,
)

pytestmark = pytest.mark.unit

OPENED = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
DUE = OPENED + timedelta(hours=24)


@pytest.mark.parametrize(
    ("score", "category"),
    [
        (0, NpsCategory.DETRACTOR),
        (6, NpsCategory.DETRACTOR),
        (7, NpsCategory.PASSIVE),
        (8, NpsCategory.PASSIVE),
        (9, NpsCategory.PROMOTER),
        (10, NpsCategory.PROMOTER),
    ],
)
def test_score_falls_in_its_nps_category(score: int, category: NpsCategory) -> None:
    assert category_of(score) is category


@pytest.mark.parametrize("score", [-1, 11, True, 7.5])
def test_a_score_outside_zero_to_ten_has_no_category(score: object) -> None:
    with pytest.raises(ValueError):
        category_of(score)  # type: ignore[arg-type]


def test_nps_is_percent_promoters_minus_percent_detractors() -> None:
    # given 6 promoters, 2 passives and 2 detractors out of 10 answers
    # then NPS = 60 % − 20 % = 40
    assert nps(6, 2, 2) == pytest.approx(40.0)


def test_nps_with_no_answers_is_zero_not_an_error() -> None:
    assert nps(0, 0, 0) == 0.0


def test_nps_ranges_from_minus_100_to_100() -> None:
    assert nps(0, 0, 5) == -100.0
    assert nps(5, 0, 0) == 100.0
    assert nps(0, 3, 0) == 0.0
    assert nps(1, 1, 1) == pytest.approx(0.0)
    assert nps(2, 0, 1) == pytest.approx(100 / 3)


def test_a_ticket_is_due_24_hours_after_it_opened() -> None:
    assert due_at(OPENED) == DUE


@pytest.mark.parametrize(
    ("left", "state"),
    [
        (timedelta(hours=20), SlaState.ON_TRACK),
        (timedelta(hours=4), SlaState.ON_TRACK),
        (timedelta(hours=4) - timedelta(seconds=1), SlaState.AT_RISK),
        (timedelta(0), SlaState.AT_RISK),
        (-timedelta(seconds=1), SlaState.BREACHED),
    ],
)
def test_open_ticket_sla_state_by_time_left(left: timedelta, state: SlaState) -> None:
    assert sla_state(DUE - left, DUE, None) is state


def test_resolved_ticket_sla_is_met_up_to_the_due_time_and_breached_after() -> None:
    long_after = DUE + timedelta(days=3)
    assert sla_state(long_after, DUE, DUE) is SlaState.MET
    assert sla_state(long_after, DUE, OPENED + timedelta(hours=1)) is SlaState.MET
    assert sla_state(long_after, DUE, DUE + timedelta(seconds=1)) is SlaState.BREACHED
    # resolved in time stays met however late we look; resolved late never turns met
    assert sla_state(OPENED, DUE, DUE + timedelta(hours=6)) is SlaState.BREACHED


def test_ticket_numbers_are_zero_padded() -> None:
    assert ticket_number(123) == "TK-000123"
    assert ticket_number(1_234_567) == "TK-1234567"
