"""The pages' languages: every text in both, every key a template uses exists, VND and local
time written each language's way."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from lienmach.access.roles import Role
from lienmach.aftersales.model import SlaState, TicketState
from lienmach.orders.model import Channel, OrderState, PaymentMethod, ServiceLevel
from lienmach.shipping.model import ShipmentState
from lienmach.web.pages import i18n
from lienmach.web.pages.catalogue import MESSAGES
from lienmach.web.pages.rendering import NAVIGATION, TEMPLATES

pytestmark = pytest.mark.unit

_KEY = re.compile(r"""\bt\(\s*['"]([a-z_]+(?:\.[A-Za-z_]+)+)['"]""")
_SOURCES = [*TEMPLATES.rglob("*.html"), *(TEMPLATES.parent / "pages").glob("*.py")]


def test_every_message_is_in_vietnamese_and_english_with_the_same_placeholders() -> None:
    for key, texts in MESSAGES.items():
        assert set(texts) == set(i18n.LOCALES), key
        assert all(text.strip() for text in texts.values()), key
        names = [set(re.findall(r"{(\w+)}", text)) for text in texts.values()]
        assert names[0] == names[1], key


def test_every_key_a_page_uses_is_in_the_catalogue() -> None:
    used = {key for source in _SOURCES for key in _KEY.findall(source.read_text())}
    used |= {item.label_key for item in NAVIGATION}
    assert len(used) > 100
    assert sorted(used - set(MESSAGES)) == []


@pytest.mark.parametrize(
    ("prefix", "values"),
    [
        ("state", OrderState),
        ("channel", Channel),
        ("payment", PaymentMethod),
        ("service", ServiceLevel),
        ("role", Role),
        ("shipment", ShipmentState),
        ("ticket", TicketState),
        ("sla", SlaState),
    ],
)
def test_every_value_shown_by_name_has_a_label(prefix: str, values: type) -> None:
    missing = [value.value for value in values if f"{prefix}.{value.value}" not in MESSAGES]
    assert missing == []


def test_money_is_vnd_in_each_languages_way() -> None:
    assert i18n.money(1_250_000, "vi") == "1.250.000\xa0₫"
    assert i18n.money(1_250_000, "en") == "₫1,250,000"
    assert i18n.money(-5_000, "vi") == "-5.000\xa0₫"
    assert i18n.money(None, "vi") == ""


def test_moments_are_shown_in_ho_chi_minh_city_time() -> None:
    moment = datetime(2026, 11, 2, 17, 30, tzinfo=UTC)  # 00:30 on 3 November in Vietnam
    assert i18n.when(moment, "vi") == "00:30 3/11/26"
    assert i18n.when(moment, "en") == "11/3/26, 12:30\u202fAM"
    assert i18n.day(moment, "vi") == "3/11/26"
    assert i18n.local_day_start(moment) == datetime(2026, 11, 2, 17, 0, tzinfo=UTC)
    assert i18n.local_midnight(date(2026, 11, 3)) == datetime(2026, 11, 2, 17, 0, tzinfo=UTC)


def test_the_language_is_the_switch_then_the_preference_then_vietnamese() -> None:
    assert i18n.choose_locale("en", "vi") == "en"
    assert i18n.choose_locale(None, "en") == "en"
    assert i18n.choose_locale("fr", None) == "vi"
    assert i18n.choose_locale(None, None) == "vi"


def test_messages_fill_their_placeholders_and_unknown_keys_show_themselves() -> None:
    assert i18n.translate("en", "order.title", number="DH-1") == "Order DH-1"
    assert i18n.translate("vi", "order.title", number="DH-1") == "Đơn DH-1"
    assert i18n.translate("vi", "no.such.key") == "no.such.key"


def test_time_left_says_before_and_after_the_deadline() -> None:
    assert i18n.time_left(timedelta(hours=3), "en") == "3 hours left"
    assert i18n.time_left(-timedelta(hours=2), "en") == "overdue by 2 hours"
    assert i18n.time_left(timedelta(hours=3), "vi") == "còn 3 giờ"
    assert i18n.time_left(None, "vi") == ""


def test_templates_and_static_files_ship_with_the_package() -> None:
    pyproject = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text()
    for pattern in ('"**/*.html"', '"**/*.css"', '"**/*.js"'):
        assert pattern in pyproject
    assert (TEMPLATES.parent / "static" / "live.js").exists()
