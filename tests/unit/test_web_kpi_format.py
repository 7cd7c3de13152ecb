"""Times on the KPI pages keep their fraction of a day: an interpolated p90 of 5.8 days is not
shown as a whole number of days, in either language."""

from __future__ import annotations

import pytest

from lienmach.web.pages.kpi_format import show_alert_amount, show_value

HOUR = 3600


@pytest.mark.unit
@pytest.mark.parametrize(("locale", "text"), [("en", "5 d 19 h"), ("vi", "5 ngày 19 giờ")])
def test_a_cycle_time_of_5_8_days_shows_its_hours(locale, text):
    assert show_value("cycle_time", 5.8 * 24, locale) == text  # shown unit: hours
    assert show_alert_amount("cycle_time", round(5.8 * 24 * HOUR), locale) == text  # seconds


@pytest.mark.unit
@pytest.mark.parametrize(
    ("hours", "locale", "text"),
    [
        (48.5, "en", "2 d 30 min"),  # just over a 48 h target must not read as "2 d"
        (48.5, "vi", "2 ngày 30 phút"),
        (48, "en", "2 d"),
        (3 + 20 / 60, "en", "3 h 20 min"),
        (26, "vi", "1 ngày 2 giờ"),
    ],
)
def test_a_time_keeps_its_two_largest_nonzero_units(hours, locale, text):
    assert show_value("cycle_time", hours, locale) == text
