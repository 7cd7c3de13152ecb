"""Languages of the pages: Vietnamese (the default) and English.

``t(key)`` looks a message up in ``catalogue.MESSAGES``; money is shown as VND and moments in
Ho Chi Minh City time, both through babel so each language writes them its own way
(``1.250.000 ₫`` in Vietnamese, ``₫1,250,000`` in English).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import cache

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal

from lienmach.kernel.clock import as_utc
from lienmach.web.pages.catalogue import MESSAGES

LOCALES = ("vi", "en")
DEFAULT_LOCALE = "vi"
_BABEL_LOCALE = {"vi": "vi_VN", "en": "en_US"}


@cache
def local_zone() -> tzinfo:
    """Asia/Ho_Chi_Minh; a fixed UTC+7 where the system has no time-zone data (it has no DST)."""
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo("Asia/Ho_Chi_Minh")
    except (ImportError, KeyError, OSError):
        return timezone(timedelta(hours=7), "ICT")


def choose_locale(cookie: str | None, preference: str | None) -> str:
    """The switch's cookie first, then the user's preference, else Vietnamese."""
    for candidate in (cookie, preference):
        if candidate in LOCALES:
            return str(candidate)
    return DEFAULT_LOCALE


def translate(locale: str, key: str, **values: object) -> str:
    """The message ``key`` in ``locale``; the key itself when the catalogue lacks it."""
    entry = MESSAGES.get(key)
    if entry is None:
        return key
    text = entry.get(locale) or entry[DEFAULT_LOCALE]
    return text.format(**values) if values else text


def money(amount_vnd: int | None, locale: str) -> str:
    """Whole đồng as VND in the language's way; an empty string for no amount."""
    if amount_vnd is None:
        return ""
    return format_currency(amount_vnd, "VND", locale=_BABEL_LOCALE[locale])


def number(value: int | float, locale: str) -> str:
    return format_decimal(value, locale=_BABEL_LOCALE[locale])


def local_time(moment: datetime) -> datetime:
    return as_utc(moment).astimezone(local_zone())


def when(moment: datetime | None, locale: str, style: str = "short") -> str:
    """A moment in Ho Chi Minh City time ("short": 08:00 2/11/26; "medium" adds seconds)."""
    if moment is None:
        return ""
    return format_datetime(as_utc(moment), style, tzinfo=local_zone(), locale=_BABEL_LOCALE[locale])


def day(value: date | datetime | None, locale: str, style: str = "short") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local_time(value).date()
    return format_date(value, style, locale=_BABEL_LOCALE[locale])


def local_day_start(moment: datetime) -> datetime:
    """The UTC instant at which the local (Ho Chi Minh City) day of ``moment`` began."""
    local = local_time(moment)
    return datetime.combine(local.date(), time(0), tzinfo=local_zone()).astimezone(UTC)


def local_midnight(value: date) -> datetime:
    """The UTC instant at which the local day ``value`` begins."""
    return datetime.combine(value, time(0), tzinfo=local_zone()).astimezone(UTC)


def time_left(delta: timedelta | None, locale: str) -> str:
    """ "4 hours left" before a deadline, or "overdue by 2 hours" after it; empty for none."""
    if delta is None:
        return ""
    key = "time.overdue_by" if delta < timedelta(0) else "time.left"
    return translate(locale, key, span=_span(abs(delta.total_seconds()), locale))


# Our own words, not Babel's: its Vietnamese for hours changed between releases ("giờ" to
# "tiếng"), and the KPI pages say "giờ".
_SPAN_UNITS = (("week", 604_800), ("day", 86_400), ("hour", 3_600), ("minute", 60))


def _span(seconds: float, locale: str) -> str:
    """One unit, the largest that holds at least 1.5 of it: "3 hours", "26 hours", "2 days"."""
    for unit, size in _SPAN_UNITS:
        if seconds / size >= 1.5:
            return translate(locale, f"time.{unit}s", n=round(seconds / size))
    amount = round(seconds)
    return translate(locale, "time.second" if amount == 1 else "time.seconds", n=amount)
