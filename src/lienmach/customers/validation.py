"""Checking and normalising what customers type: phone numbers, tax codes, e-mail addresses.

Each function returns the one canonical form that is stored, or raises ValueError whose message
says what is wrong and how to write it.
"""

from __future__ import annotations

import re

import phonenumbers
from stdnum.exceptions import ValidationError
from stdnum.vn import mst

MAX_EMAIL_LENGTH = 254
# Personal identification numbers start with the code of the province of birth registration.
_PERSONAL_ID = re.compile(r"^\d{12}$")
_FIRST_PROVINCE, _LAST_PROVINCE = 1, 96
_EMAIL_LOCAL = re.compile(r"^[^\s@]+$")
_EMAIL_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")


def normalize_phone(raw: str) -> str:
    """A Vietnamese phone number in E.164 form, e.g. "0912 345 678" → "+84912345678"."""
    text = (raw or "").strip()
    if not text:
        raise ValueError("phone number is required, e.g. 0912 345 678")
    try:
        number = phonenumbers.parse(text, "VN")
    except phonenumbers.NumberParseException:
        number = None
    if (
        number is None
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.region_code_for_number(number) != "VN"
    ):
        raise ValueError(
            f"{text!r} is not a valid Vietnamese phone number; "
            "write it as 0912 345 678 or +84 912 345 678"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_tax_code(raw: str) -> str:
    """A tax code (MST): 10 digits, 13 as "0123456789-001", or a 12-digit personal ID number.

    Since 2025 individuals use their personal identification number as their tax code.
    """
    text = (raw or "").strip()
    compact = mst.compact(text)
    if _PERSONAL_ID.match(compact):
        if _FIRST_PROVINCE <= int(compact[:3]) <= _LAST_PROVINCE:
            return compact
        raise ValueError(
            f"{text!r} is not a valid personal identification number: "
            "its first 3 digits must be a province code from 001 to 096"
        )
    try:
        return str(mst.format(mst.validate(compact)))
    except ValidationError:
        raise ValueError(
            f"{text!r} is not a valid tax code; give the 10-digit code (e.g. 0100233488), "
            "the 13-digit branch code (e.g. 0100233488-001) or a 12-digit personal ID number"
        ) from None


def normalize_email(raw: str) -> str:
    """An e-mail address, trimmed and lower-cased; one "@" and a dotted domain."""
    text = (raw or "").strip().lower()
    if not text:
        raise ValueError("e-mail address is required, e.g. lan@example.vn")
    problem = _email_problem(text)
    if problem:
        raise ValueError(f"{text!r} is not a valid e-mail address: {problem}")
    return text


def _email_problem(text: str) -> str | None:
    if len(text) > MAX_EMAIL_LENGTH:
        return f"it is longer than {MAX_EMAIL_LENGTH} characters"
    if text.count("@") != 1:
        return "it must contain exactly one @, e.g. lan@example.vn"
    local, domain = text.split("@")
    if not _EMAIL_LOCAL.match(local):
        return "the part before @ is empty or has spaces"
    labels = domain.split(".")
    if len(labels) < 2 or not all(_EMAIL_LABEL.match(label) for label in labels):
        return "the domain after @ must be like example.vn"
    return None
