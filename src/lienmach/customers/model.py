"""Customer vocabulary: tiers and languages, and the rules on names."""

from __future__ import annotations

from enum import StrEnum

MAX_NAME_LENGTH = 200
MAX_REASON_LENGTH = 500


class CustomerTier(StrEnum):
    """Tiers order the pick queue and may earn better service."""

    STANDARD = "standard"
    SILVER = "silver"
    GOLD = "gold"


class Language(StrEnum):
    """The language every message to the customer is written in."""

    VI = "vi"
    EN = "en"


def name_problem(name: str) -> str | None:
    """What is wrong with a customer's name, or None."""
    cleaned = " ".join(name.split())
    if not cleaned:
        return "is required: give the customer's full name or company name"
    if len(cleaned) > MAX_NAME_LENGTH:
        return f"is too long: keep it to {MAX_NAME_LENGTH} characters"
    return None


def choice_problem(value: str, allowed: type[StrEnum]) -> str | None:
    """What is wrong with a value that must be one of an enumeration, or None."""
    choices = [member.value for member in allowed]
    if value in choices:
        return None
    return f"{value!r} is not one of {', '.join(choices)}"
