"""Provinces and wards since 1 July 2025, distances, and old addresses mapped to new ones."""

from __future__ import annotations

import pytest

from lienmach.customers import geography
from lienmach.customers.geography import (
    PROVINCES,
    distance_km,
    find_province,
    is_ward_of,
    normalize_address,
    province,
    wards_of,
)
from lienmach.kernel.errors import InvalidInput, NotFound

pytestmark = pytest.mark.unit


def test_there_are_34_provinces_each_with_a_region_and_a_centroid_in_vietnam() -> None:
    codes = [item.code for item in PROVINCES]

    assert len(PROVINCES) == 34
    assert len(set(codes)) == 34
    assert {item.region for item in PROVINCES} == {"north", "central", "south"}
    for item in PROVINCES:
        assert len(item.code) == 2 and item.code.isdigit()
        assert item.name_en.isascii()
        assert 8.3 < item.latitude < 23.5 and 102.0 < item.longitude < 110.0


def test_a_province_is_found_by_code_and_an_unknown_code_is_refused() -> None:
    hanoi = province("01")

    assert hanoi.name_vi == "Thành phố Hà Nội"
    assert hanoi.name_en == "Ha Noi"
    assert hanoi.region == "north"
    assert province("79").name_en == "Ho Chi Minh City"
    with pytest.raises(NotFound):
        province("02")  # Hà Giang: merged into Tuyên Quang


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("79", "79"),
        ("1", "01"),
        ("Thành phố Hồ Chí Minh", "79"),
        ("TP. Hồ Chí Minh", "79"),
        ("tp hcm", "79"),
        ("Ho Chi Minh City", "79"),
        ("HÀ NỘI", "01"),
        ("ha noi", "01"),
        ("Tỉnh Cao Bằng", "04"),
        ("dak lak", "66"),
        ("Thừa Thiên Huế", "46"),
        ("Thành phố Đà Nẵng", "48"),
    ],
)
def test_find_province_reads_codes_and_names_however_written(text: str, code: str) -> None:
    found = find_province(text)

    assert found is not None
    assert found.code == code


@pytest.mark.parametrize("text", ["", "Atlantis", "Bình Dương", "99"])
def test_find_province_finds_nothing_for_unknown_or_merged_provinces(text: str) -> None:
    assert find_province(text) is None


def test_hanoi_to_ho_chi_minh_city_is_about_1150_km_and_the_same_province_is_0() -> None:
    there = distance_km("01", "79")

    assert 1100 <= there <= 1200
    assert distance_km("79", "01") == pytest.approx(there)
    assert distance_km("48", "48") == 0
    assert 0 < distance_km("01", "31") < 150  # Hà Nội ↔ Hải Phòng
    with pytest.raises(NotFound):
        distance_km("01", "00")


def test_known_wards_belong_to_their_provinces() -> None:
    hanoi = wards_of("01")
    hcmc = wards_of("79")

    assert "Phường Ba Đình" in hanoi
    assert "Phường Hoàn Kiếm" in hanoi
    assert "Phường Sài Gòn" in hcmc
    assert "Đặc khu Côn Đảo" in hcmc
    assert "Phường Ba Đình" not in hcmc
    assert sum(len(wards_of(item.code)) for item in PROVINCES) == 3321


@pytest.mark.parametrize(
    "ward", ["Phường Ba Đình", "phuong ba dinh", "Ba Đình", "BA DINH", "P. Ba Đình"]
)
def test_is_ward_of_ignores_case_diacritics_and_prefix(ward: str) -> None:
    assert is_ward_of("01", ward)


def test_is_ward_of_refuses_other_provinces_unknown_names_and_ambiguous_spellings() -> None:
    assert not is_ward_of("79", "Ba Đình")
    assert not is_ward_of("01", "Phường Không Có")
    assert not is_ward_of("99", "Ba Đình")
    # Two communes of Hải Phòng differ only by a tone mark.
    assert not is_ward_of("31", "xa cam giang")
    assert is_ward_of("31", "Xã Cẩm Giàng")
    assert is_ward_of("31", "Cẩm Giang")


def test_a_current_address_is_normalised_to_the_official_ward_name() -> None:
    address = normalize_address(province="tp hcm", ward="phuong sai gon", street="  12  Lê Lợi ")

    assert address.province_code == "79"
    assert address.ward == "Phường Sài Gòn"
    assert address.street == "12 Lê Lợi"
    assert address.legacy is None


@pytest.mark.parametrize(
    ("old", "province_code", "ward"),
    [
        # Both checked against the official conversion table of the 2025 reorganisation.
        (("Hà Nội", "Quận Ba Đình", "Phường Trúc Bạch"), "01", "Phường Ba Đình"),
        (("Tỉnh Bình Dương", "TP. Thủ Dầu Một", "Phường Phú Cường"), "79", "Phường Thủ Dầu Một"),
        (("Hà Nội", "quan hoan kiem", "tran hung dao"), "01", "Phường Cửa Nam"),
        (("TP.HCM", "Quận 1", "Phường Bến Nghé"), "79", "Phường Sài Gòn"),
    ],
)
def test_an_old_three_level_address_is_mapped_and_kept(
    old: tuple[str, str, str], province_code: str, ward: str
) -> None:
    old_province, district, old_ward = old

    address = normalize_address(
        province=old_province, district=district, ward=old_ward, street="1 Đường Số 1"
    )

    assert address.province_code == province_code
    assert address.ward == ward
    assert address.legacy is not None
    assert set(address.legacy) == {"province", "district", "ward"}


def test_the_legacy_part_keeps_the_old_units_in_their_official_spelling() -> None:
    address = normalize_address(
        province="binh duong", district="thu dau mot", ward="phu cuong", street="1 Yersin"
    )

    assert address.legacy == {
        "province": "Tỉnh Bình Dương",
        "district": "Thành phố Thủ Dầu Một",
        "ward": "Phường Phú Cường",
    }


def test_an_island_district_without_wards_becomes_its_special_zone() -> None:
    address = normalize_address(
        province="Bà Rịa - Vũng Tàu", district="Huyện Côn Đảo", ward="", street="1 Tôn Đức Thắng"
    )

    assert (address.province_code, address.ward) == ("79", "Đặc khu Côn Đảo")


def test_a_current_address_given_with_a_needless_district_is_still_accepted() -> None:
    address = normalize_address(
        province="Hà Nội", district="Hoàn Kiếm", ward="Phường Hồng Hà", street="2 Hàng Muối"
    )

    assert (address.province_code, address.ward) == ("01", "Phường Hồng Hà")
    assert address.legacy is None


def test_every_bad_field_is_named_with_the_prefix_and_what_to_do() -> None:
    with pytest.raises(InvalidInput) as refused:
        normalize_address(
            province="Hà Nội", ward="Phường Không Có", street=" ", field_prefix="shipping."
        )

    assert set(refused.value.errors) == {"shipping.ward", "shipping.street"}
    assert "Thành phố Hà Nội" in refused.value.errors["shipping.ward"]
    assert "district" in refused.value.errors["shipping.ward"]


def test_an_unknown_province_is_named_and_a_merged_one_says_where_it_went() -> None:
    with pytest.raises(InvalidInput) as unknown:
        normalize_address(province="Atlantis", ward="Phường 1", street="1 Lê Lợi")
    with pytest.raises(InvalidInput) as merged:
        normalize_address(province="Bình Dương", ward="Phường Phú Cường", street="1 Yersin")

    assert set(unknown.value.errors) == {"province"}
    assert set(merged.value.errors) == {"province"}
    assert "Thành phố Hồ Chí Minh" in merged.value.errors["province"]


def test_an_old_address_with_an_unknown_district_or_ward_names_that_field() -> None:
    with pytest.raises(InvalidInput) as no_district:
        normalize_address(province="Hà Nội", district="Quận 99", ward="Trúc Bạch", street="1")
    with pytest.raises(InvalidInput) as no_ward:
        normalize_address(province="Hà Nội", district="Ba Đình", ward="Không Có", street="1")

    assert set(no_district.value.errors) == {"district"}
    assert set(no_ward.value.errors) == {"ward"}
    assert "Quận Ba Đình" in no_ward.value.errors["ward"]


def test_ward_lookups_are_built_once_per_province() -> None:
    normalize_address(province="01", ward="Ba Đình", street="1")
    built = geography._ward_names.cache_info().currsize

    for _ in range(100):
        normalize_address(province="01", ward="Hoàn Kiếm", street="1")

    assert geography._ward_names.cache_info().currsize == built
