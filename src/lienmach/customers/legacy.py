"""Addresses from before 1 July 2025: 63 provinces, their districts and wards.

``data/legacy_wards.json`` maps every old ward to the ward (its code in ``vietnam-provinces``)
that took it over; an old ward split between several new ones maps to its default successor.
Indexes are built per province on first use and kept.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from lienmach.customers.naming import Names, fold
from lienmach.kernel.errors import InvalidInput

# Former names and abbreviations still seen on old addresses.
_PROVINCE_ALIASES: dict[str, tuple[str, ...]] = {
    "Thành phố Huế": ("Tỉnh Thừa Thiên Huế", "Thừa Thiên - Huế"),
    "Thành phố Hồ Chí Minh": ("HCM", "TPHCM", "TP HCM", "Sài Gòn", "Saigon"),
    "Thành phố Hà Nội": ("Hanoi", "HN"),
    "Tỉnh Bà Rịa - Vũng Tàu": ("BRVT", "BR-VT"),
}


@dataclass(frozen=True)
class OldAddress:
    """An old address in its official spelling, and the ward that took it over."""

    province: str
    district: str
    ward: str
    new_province_code: str
    new_ward_code: int


@cache
def _provinces() -> dict[str, Any]:
    source = resources.files("lienmach.customers") / "data" / "legacy_wards.json"
    provinces: dict[str, Any] = json.loads(source.read_text(encoding="utf-8"))["provinces"]
    return provinces


@cache
def _province_names() -> Names:
    names = Names.of(_provinces())
    for name, aliases in _PROVINCE_ALIASES.items():
        for alias in aliases:
            names.add(name, alias=alias)
    return names


@cache
def _district_names(old_province: str) -> Names:
    return Names.of(_provinces()[old_province]["districts"])


@cache
def _ward_names(old_province: str, district: str) -> Names:
    return Names.of(name for name in _provinces()[old_province]["districts"][district] if name)


def find_old_province(text: str) -> str | None:
    """Official name of the pre-2025 province ``text`` names, if exactly one."""
    found = _province_names().match(text)
    return found[0] if len(found) == 1 else None


def new_province_of(text: str) -> str | None:
    """Code of the province an old province was merged into, if ``text`` names one."""
    old = find_old_province(text)
    return None if old is None else str(_provinces()[old]["new"])


def _districts(old_province: str, text: str) -> list[str]:
    found = _district_names(old_province).match(text)
    # A district that was dissolved or split before 2025 is looked for in its successors.
    aliases: dict[str, list[str]] = _provinces()[old_province].get("district_aliases", {})
    for name in aliases.get(fold(text), []):
        if name not in found:
            found.append(name)
    return found


def map_old_address(province: str, district: str, ward: str) -> OldAddress:
    """The ward in force since 1 July 2025 for an old province + district + ward.

    Raises InvalidInput naming the ``province``, ``district`` or ``ward`` that is not found.
    """
    old_province = find_old_province(province)
    if old_province is None:
        if not province.strip():
            raise InvalidInput(
                {"province": "is required: give the province or city, e.g. 'Hà Nội'"}
            )
        raise InvalidInput(
            {
                "province": f"{province!r} is not a province or city of Vietnam, before or since "
                "1 July 2025; use one such as 'Hà Nội' or 'Thành phố Hồ Chí Minh'"
            }
        )
    districts = _districts(old_province, district)
    if not districts:
        raise InvalidInput(
            {
                "district": f"{district!r} is not a district of {old_province} before 1 July 2025; "
                "check the spelling, or leave the district out and give the ward in force now"
            }
        )
    entry = _provinces()[old_province]
    hits: list[tuple[str, str, int]] = []
    for name in districts:
        wards: dict[str, int] = entry["districts"][name]
        if set(wards) == {""}:  # an island district without wards became a special zone
            hits.append((name, ward.strip(), wards[""]))
            continue
        hits.extend(
            (name, found, wards[found]) for found in _ward_names(old_province, name).match(ward)
        )
    if not ward.strip() and not hits:
        raise InvalidInput({"ward": "is required: give the ward (phường), commune (xã) or town"})
    if not hits:
        raise InvalidInput(
            {
                "ward": f"{ward!r} is not a ward or commune of {' or '.join(districts)} "
                f"({old_province}) before 1 July 2025; check the spelling"
            }
        )
    if len({code for _, _, code in hits}) > 1:
        choices = " or ".join(f"{found} ({name})" for name, found, _ in hits)
        raise InvalidInput(
            {"ward": f"{ward!r} can mean {choices}; write the ward and district in full"}
        )
    name, found, code = hits[0]
    return OldAddress(old_province, name, found, str(entry["new"]), code)
