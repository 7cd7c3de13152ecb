"""Windows cut into single days and aligned 7- and 28-day blocks: every day of the window
exactly once, few rows for long windows; and the wide rows a set of day sums adds to."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from lienmach.analytics.rollups import COLUMN_OF, METRICS, block_start, pieces, rolled_up

pytestmark = pytest.mark.unit


def _days_covered(since: date, until: date) -> list[date]:
    cut = pieces(since, until)
    covered = []
    for first, last in cut.days:
        covered += [first + timedelta(days=n) for n in range((last - first).days + 1)]
    for span, first, last in cut.blocks:
        assert block_start(first, span) == first and block_start(last, span) == last
        covered += [first + timedelta(days=n) for n in range((last - first).days + span)]
    return sorted(covered)


def _rows(since: date, until: date) -> int:
    cut = pieces(since, until)
    blocks = sum((last - first).days // span + 1 for span, first, last in cut.blocks)
    return sum((last - first).days + 1 for first, last in cut.days) + blocks


def test_every_window_is_tiled_exactly_once():
    rng = random.Random(5)
    for _ in range(3000):
        since = date(2025, 1, 1) + timedelta(days=rng.randrange(900))
        until = since + timedelta(days=rng.randrange(400))
        expected = [since + timedelta(days=n) for n in range((until - since).days + 1)]
        assert _days_covered(since, until) == expected
    assert pieces(date(2026, 5, 2), date(2026, 5, 1)) == pieces(date(2026, 5, 2), date(2026, 4, 1))
    assert _days_covered(date(2026, 5, 2), date(2026, 5, 1)) == []


def test_long_windows_read_few_rows():
    rng = random.Random(6)
    for _ in range(1000):
        until = date(2026, 1, 1) + timedelta(days=rng.randrange(700))
        assert _rows(until - timedelta(days=29), until) <= 19
        assert _rows(until - timedelta(days=89), until) <= 21
        assert _rows(until - timedelta(days=364), until) <= 29
    # A week from Monday is one row, four weeks aligned on the anchor one row.
    assert _rows(date(2026, 11, 23), date(2026, 11, 29)) == 1
    assert block_start(date(2026, 11, 26), 7) == date(2026, 11, 23)


def test_day_sums_add_to_their_day_week_and_four_weeks():
    sums = {
        ("all", "", "2026-11-24", "orders_placed"): 2,
        ("all", "", "2026-11-26", "orders_placed"): 3,
        ("all", "", "2026-11-26", "cycle_b:03"): -1,
        ("carrier", "GHN", "2026-11-26", "errors:delivery"): 1,
    }
    rows = rolled_up(sums)
    week = block_start(date(2026, 11, 26), 7).isoformat()
    four = block_start(date(2026, 11, 26), 28).isoformat()
    assert rows[("all", "", 1, "2026-11-26")] == {"orders_placed": 3, "cycle_b_03": -1}
    assert rows[("all", "", 7, week)] == {"orders_placed": 5, "cycle_b_03": -1}
    assert rows[("all", "", 28, four)] == {"orders_placed": 5, "cycle_b_03": -1}
    assert rows[("carrier", "GHN", 7, week)] == {"errors_delivery": 1}
    assert len(rows) == 2 + 2 + 3  # two days of "all" in one week and block; GHN: 1 + 2
    assert len(set(COLUMN_OF.values())) == len(METRICS) == 75
