"""Where customers live: the 34 provinces and their wards in force since 1 July 2025.

Province and ward names come from ``vietnam-provinces``; centroids, English names and regions,
which it lacks, are kept here. Addresses from before the reorganisation (province, district,
ward) are mapped to today's province and ward by :mod:`lienmach.customers.legacy`.
Lookups are built once, on first use, because every order placed checks an address.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

from vietnam_provinces import Province as PackageProvince
from vietnam_provinces import Ward

from lienmach.customers import legacy
from lienmach.customers.naming import Names
from lienmach.kernel.errors import InvalidInput, NotFound

EARTH_RADIUS_KM = 6371.0088
MAX_STREET_LENGTH = 200


@dataclass(frozen=True)
class Province:
    code: str
    name_vi: str
    name_en: str
    latitude: float
    longitude: float
    region: str


# code: (English name, latitude, longitude, region). Centroids are of the merged territory.
_EXTRA: dict[str, tuple[str, float, float, str]] = {
    "01": ("Ha Noi", 21.00, 105.70, "north"),
    "04": ("Cao Bang", 22.75, 106.10, "north"),
    "08": ("Tuyen Quang", 22.45, 105.05, "north"),
    "11": ("Dien Bien", 21.70, 102.95, "north"),
    "12": ("Lai Chau", 22.30, 103.20, "north"),
    "14": ("Son La", 21.20, 104.00, "north"),
    "15": ("Lao Cai", 22.00, 104.30, "north"),
    "19": ("Thai Nguyen", 21.95, 105.85, "north"),
    "20": ("Lang Son", 21.85, 106.60, "north"),
    "22": ("Quang Ninh", 21.25, 107.30, "north"),
    "24": ("Bac Ninh", 21.30, 106.30, "north"),
    "25": ("Phu Tho", 21.10, 105.25, "north"),
    "31": ("Hai Phong", 20.90, 106.50, "north"),
    "33": ("Hung Yen", 20.65, 106.25, "north"),
    "37": ("Ninh Binh", 20.30, 106.05, "north"),
    "38": ("Thanh Hoa", 20.00, 105.50, "central"),
    "40": ("Nghe An", 19.20, 104.90, "central"),
    "42": ("Ha Tinh", 18.35, 105.70, "central"),
    "44": ("Quang Tri", 17.15, 106.55, "central"),
    "46": ("Hue", 16.35, 107.55, "central"),
    "48": ("Da Nang", 15.65, 108.00, "central"),
    "51": ("Quang Ngai", 14.80, 108.15, "central"),
    "52": ("Gia Lai", 13.90, 108.35, "central"),
    "56": ("Khanh Hoa", 12.00, 108.95, "central"),
    "66": ("Dak Lak", 12.85, 108.50, "central"),
    "68": ("Lam Dong", 11.65, 107.95, "central"),
    "75": ("Dong Nai", 11.40, 107.00, "south"),
    "79": ("Ho Chi Minh City", 10.85, 106.83, "south"),
    "80": ("Tay Ninh", 11.00, 106.15, "south"),
    "82": ("Dong Thap", 10.45, 105.90, "south"),
    "86": ("Vinh Long", 10.05, 106.25, "south"),
    "91": ("An Giang", 10.20, 105.10, "south"),
    "92": ("Can Tho", 9.80, 105.75, "south"),
    "96": ("Ca Mau", 9.15, 105.20, "south"),
}

# Names people still use for a province: former names and common abbreviations.
_ALIASES: dict[str, tuple[str, ...]] = {
    "01": ("Hanoi", "HN"),
    "46": ("Thừa Thiên Huế",),
    "79": ("HCM", "TPHCM", "TP HCM", "Sài Gòn", "Saigon", "Ho Chi Minh"),
}


def _code(number: int) -> str:
    return f"{int(number):02d}"


def _build() -> tuple[Province, ...]:
    provinces = []
    for item in sorted(PackageProvince.iter_all(), key=lambda p: int(p.code)):
        code = _code(item.code)
        name_en, latitude, longitude, region = _EXTRA[code]
        provinces.append(Province(code, item.name, name_en, latitude, longitude, region))
    return tuple(provinces)


PROVINCES: tuple[Province, ...] = _build()
_BY_CODE: dict[str, Province] = {item.code: item for item in PROVINCES}


def province(code: str) -> Province:
    """The province with this two-digit code; NotFound otherwise."""
    found = _BY_CODE.get(code)
    if found is None:
        raise NotFound("province", code)
    return found


@cache
def _province_names() -> tuple[Names, dict[str, str]]:
    names = Names()
    code_of: dict[str, str] = {}
    for item in PROVINCES:
        names.add(item.name_vi)
        names.add(item.name_vi, alias=item.name_en)
        for alias in _ALIASES.get(item.code, ()):
            names.add(item.name_vi, alias=alias)
        code_of[item.name_vi] = item.code
    return names, code_of


def find_province(text: str) -> Province | None:
    """The province ``text`` names: a code, or a name with or without diacritics and prefix."""
    cleaned = text.strip()
    if cleaned.isdigit():
        return _BY_CODE.get(_code(int(cleaned)))
    names, code_of = _province_names()
    found = names.match(cleaned)
    return _BY_CODE[code_of[found[0]]] if len(found) == 1 else None


def distance_km(code_a: str, code_b: str) -> float:
    """Great-circle distance between the centroids of two provinces; 0 for the same one."""
    a, b = province(code_a), province(code_b)
    if a.code == b.code:
        return 0.0
    lat_a, lat_b = math.radians(a.latitude), math.radians(b.latitude)
    d_lat = lat_b - lat_a
    d_lon = math.radians(b.longitude - a.longitude)
    h = math.sin(d_lat / 2) ** 2 + math.cos(lat_a) * math.cos(lat_b) * math.sin(d_lon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


@cache
def _ward_list(province_code: str) -> tuple[str, ...]:
    number = int(province(province_code).code)
    return tuple(ward.name for ward in Ward.iter_by_province(number))  # type: ignore[arg-type]


@cache
def _ward_names(province_code: str) -> Names:
    return Names.of(_ward_list(province_code))


def wards_of(province_code: str) -> list[str]:
    """Official names of the wards, communes and special zones; NotFound for a bad code."""
    return list(_ward_list(province_code))


def ward_matches(province_code: str, ward_name: str) -> list[str]:
    """Official ward names of the province that ``ward_name`` can mean."""
    return _ward_names(province_code).match(ward_name)


def is_ward_of(province_code: str, ward_name: str) -> bool:
    """Whether ``ward_name`` is one ward of the province (any case, diacritics, prefix)."""
    if province_code not in _BY_CODE:
        return False
    return len(ward_matches(province_code, ward_name)) == 1


@dataclass(frozen=True)
class NormalizedAddress:
    province_code: str
    ward: str
    street: str
    legacy: dict[str, str] | None = None


def normalize_address(
    *,
    province: str,
    ward: str,
    street: str,
    district: str | None = None,
    field_prefix: str = "",
) -> NormalizedAddress:
    """Today's province code and official ward name for an address, old or new.

    A two-level address (province + ward) is checked against the wards in force since
    1 July 2025. With a ``district`` the address is read as one from before: it is mapped to the
    ward that took the old ward over, and the old province, district and ward are kept under
    ``legacy``. Raises InvalidInput naming every bad field (prefixed by ``field_prefix``).
    """
    errors: dict[str, str] = {}
    street_text = " ".join((street or "").split())
    if not street_text:
        errors["street"] = "is required: give the house number and street, e.g. '12 Lý Thái Tổ'"
    elif len(street_text) > MAX_STREET_LENGTH:
        errors["street"] = f"is too long: keep it to {MAX_STREET_LENGTH} characters"
    place: tuple[str, str, dict[str, str] | None] | None
    if district is not None and district.strip():
        place = _old_address(province, district, ward, errors)
    else:
        place = _current_address(province, ward, errors)
    if errors or place is None:
        raise InvalidInput({field_prefix + field: message for field, message in errors.items()})
    code, ward_name, old = place
    return NormalizedAddress(code, ward_name, street_text, old)


def _current_address(
    province_text: str, ward_text: str, errors: dict[str, str]
) -> tuple[str, str, None] | None:
    found = find_province(province_text or "")
    if not (ward_text or "").strip():
        errors["ward"] = (
            "is required: give the ward (phường), commune (xã) or special zone (đặc khu)"
        )
    if found is None:
        errors["province"] = _unknown_province(province_text or "")
        return None
    if "ward" in errors:
        return None
    matches = ward_matches(found.code, ward_text)
    if len(matches) == 1:
        return found.code, matches[0], None
    if matches:
        errors["ward"] = (
            f"{ward_text!r} can mean {' or '.join(matches)} in {found.name_vi}; "
            "write it with its diacritics and prefix"
        )
    else:
        errors["ward"] = (
            f"{ward_text!r} is not a ward or commune of {found.name_vi} since 1 July 2025; "
            "check the spelling, or for an address from before that date give its district too"
        )
    return None


def _unknown_province(text: str) -> str:
    if not text.strip():
        return "is required: give the province or city, e.g. 'Hà Nội'"
    merged_into = legacy.new_province_of(text)
    if merged_into is not None:
        return (
            f"{text!r} was merged into {province(merged_into).name_vi} on 1 July 2025; "
            "give that province with the new ward, or add the old district"
        )
    return (
        f"{text!r} is not one of the 34 provinces and cities of Vietnam; "
        "use one such as 'Hà Nội' or 'Thành phố Hồ Chí Minh'"
    )


def _old_address(
    province_text: str, district_text: str, ward_text: str, errors: dict[str, str]
) -> tuple[str, str, dict[str, str] | None] | None:
    try:
        mapped = legacy.map_old_address(province_text or "", district_text, ward_text or "")
    except InvalidInput as refused:
        # Not an old address; it may still be a current one written with a needless district.
        current = _current_address(province_text, ward_text, {})
        if current is None:
            errors.update(refused.errors)
        return current
    ward_name = Ward.from_code(mapped.new_ward_code).name  # type: ignore[arg-type]
    old = {"province": mapped.province, "district": mapped.district, "ward": mapped.ward}
    return mapped.new_province_code, ward_name, old
