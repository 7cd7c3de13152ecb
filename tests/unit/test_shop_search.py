"""Shoppers' words meet product names whatever the diacritics, case or Unicode form."""

from __future__ import annotations

import unicodedata

import pytest

from lienmach.catalog.folding import fold, matches, words

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("Áo thun", "ao thun"),
        ("ĐỒ CHƠI", "do choi"),  # Đ has a stroke, not a mark: it needs its own rule
        ("đường", "duong"),
        ("Ðinh", "dinh"),  # the look-alike Icelandic eth
        ("Sữa tươi", "sua tuoi"),  # ư: u + horn
        ("Bơ lạt", "bo lat"),  # ơ: o + horn
        ("Nồi cơm điện 1.8L", "noi com dien 1.8l"),
        ("Ｎồｉ", "noi"),  # full-width letters from some phone keyboards
        ("Quả Ổi", "qua oi"),
        ("Kẹo gừng Huế", "keo gung hue"),
    ],
)
def test_folding_drops_every_vietnamese_mark_and_the_case(typed: str, folded: str) -> None:
    assert fold(typed) == folded


@pytest.mark.parametrize("text", ["Sữa tươi Đà Lạt", "Ưu đãi Ơn giời", "Bánh mì Hội An"])
def test_precomposed_and_combining_forms_fold_alike(text: str) -> None:
    composed = unicodedata.normalize("NFC", text)
    decomposed = unicodedata.normalize("NFD", text)
    assert composed != decomposed
    assert fold(composed) == fold(decomposed) == fold(text.upper())
    assert all(not unicodedata.combining(char) for char in fold(decomposed))


def test_every_word_asked_for_must_begin_a_word_of_the_name() -> None:
    name = words("Áo thun cotton AO-001")

    assert matches(words("ao thun"), name)
    assert matches(words("AO TH"), name)  # prefixes, as people type
    assert matches(words("cotton áo"), name)  # any order
    assert matches(words("001"), name)
    assert not matches(words("ao len"), name)  # AND, not OR
    assert not matches(words("hun"), name)  # inside a word is not a match
    assert matches(words(""), name)  # nothing asked: everything matches


def test_letters_that_only_look_alike_without_marks_stay_apart_from_other_words() -> None:
    assert words("Đỗ") == ["do"] and words("Dỗ") == ["do"]
    assert not matches(words("dua"), words("Đu đủ"))
    assert matches(words("dua"), words("Dưa hấu"))
