"""The work pages' small texts: the SLA countdown, a courier label's masked phone and name."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lienmach.web.pages.customer_views import courier_name, masked_phone
from lienmach.web.pages.tickets import countdown

pytestmark = pytest.mark.unit


def test_the_sla_countdown_says_hours_and_minutes_before_and_after_the_deadline() -> None:
    left = timedelta(hours=3, minutes=20, seconds=59)
    assert countdown(left, "vi") == "còn 3 giờ 20 phút"
    assert countdown(left, "en") == "3 h 20 min left"
    assert countdown(-timedelta(hours=1, minutes=5), "vi") == "quá hạn 1 giờ 5 phút"
    assert countdown(-timedelta(hours=1, minutes=5), "en") == "1 h 5 min overdue"
    assert countdown(None, "vi") == ""


def test_a_phone_shows_only_its_first_two_and_last_three_digits() -> None:
    assert masked_phone("+84912345123") == "09xx xxx 123"
    assert masked_phone("0987 654 321") == "09xx xxx 321"
    assert masked_phone("+842838123456") == "02xx xxxx 456"
    assert masked_phone("123") == "xxx"


def test_a_courier_label_keeps_the_given_name_and_initials() -> None:
    assert courier_name("Nguyễn Thị Lan") == "N. T. Lan"
    assert courier_name("Minh") == "Minh"
