"""Matching Vietnamese place names as people type them.

People write "TP.HCM", "quan 1", "P.12", "Phường 01" or "Ba Dinh" for the same places, with or
without diacritics and prefixes. Names are compared by keys: ``fold`` drops diacritics, case,
spaces and punctuation; ``exact`` keeps the diacritics, which is what tells "Cẩm Giang" from
"Cẩm Giàng" (two communes of the same city) apart.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

# Longest first, so "thanh pho" wins over a lone "t"-something and "thi tran" over "thi xa".
_PREFIXES: tuple[tuple[str, str], ...] = (
    ("thanh pho", "thanhpho"),
    ("thi tran", "thitran"),
    ("thi xa", "thixa"),
    ("dac khu", "dackhu"),
    ("phuong", "phuong"),
    ("huyen", "huyen"),
    ("tinh", "tinh"),
    ("quan", "quan"),
    ("xa", "xa"),
    ("tp", "thanhpho"),
    ("tx", "thixa"),
    ("tt", "thitran"),
    ("q", "quan"),
    ("h", "huyen"),
    ("p", "phuong"),
    ("x", "xa"),
)
_GLUED = re.compile(r"^(tp|tx|tt|q|p|x)(\d+)$")  # "Q1", "P12": prefix glued to a number
_LEADING_ZEROS = re.compile(r"(?<!\d)0+(?=\d)")
_NOT_WORD = re.compile(r"[\W_]+")


def _strip_marks(text: str) -> str:
    text = text.lower().replace("đ", "d")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Key without diacritics, case, spaces or punctuation: "Phường 01" → "phuong1"."""
    return _LEADING_ZEROS.sub("", _NOT_WORD.sub("", _strip_marks(text)))


@lru_cache(maxsize=65536)
def exact(text: str) -> str:
    """Key that keeps diacritics but not case, spaces or punctuation."""
    composed = unicodedata.normalize("NFC", text.lower())
    return _LEADING_ZEROS.sub("", _NOT_WORD.sub("", composed))


@lru_cache(maxsize=65536)
def split_prefix(text: str) -> tuple[str | None, str]:
    """The administrative prefix (canonical key, e.g. "thanhpho") and the rest of the name."""
    words = _NOT_WORD.sub(" ", text).split()
    folded = [_strip_marks(word) for word in words]
    if len(folded) == 1:
        glued = _GLUED.match(folded[0])
        if glued:
            return dict(_PREFIXES)[glued.group(1)], glued.group(2)
    for spelled, key in _PREFIXES:
        size = spelled.count(" ") + 1
        if len(folded) > size and " ".join(folded[:size]) == spelled:
            return key, " ".join(words[size:])
    return None, " ".join(words)


@dataclass
class Names:
    """An index of official names that finds the ones a typed text means."""

    _full: dict[str, list[str]] = field(default_factory=dict)
    _core: dict[str, list[str]] = field(default_factory=dict)
    _prefix: dict[str, str | None] = field(default_factory=dict)

    @classmethod
    def of(cls, names: Iterable[str]) -> Names:
        index = cls()
        for name in names:
            index.add(name)
        return index

    def add(self, name: str, *, alias: str | None = None) -> None:
        """Index ``name``, reachable by its own spelling or by ``alias``."""
        spelling = alias or name
        prefix, core = split_prefix(spelling)
        self._append(self._full, fold(spelling), name)
        self._append(self._core, fold(core), name)
        self._prefix.setdefault(name, prefix)

    @staticmethod
    def _append(table: dict[str, list[str]], key: str, name: str) -> None:
        bucket = table.setdefault(key, [])
        if name not in bucket:
            bucket.append(name)

    def match(self, text: str) -> list[str]:
        """Every official name ``text`` can mean; one when it is unambiguous."""
        if not text or not text.strip():
            return []
        found = self._full.get(fold(text))
        if not found:
            prefix, core = split_prefix(text)
            found = [
                name
                for name in self._core.get(fold(core), [])
                if prefix is None or self._prefix.get(name) in (prefix, None)
            ]
            if not found and prefix is not None:
                found = self._core.get(fold(text), [])
        if len(found) > 1:
            typed = exact(text)
            _, typed_core = split_prefix(text)
            narrowed = [
                name
                for name in found
                if typed in (exact(name), exact(split_prefix(name)[1]))
                or exact(typed_core) == exact(split_prefix(name)[1])
            ]
            return narrowed or list(found)
        return list(found)
