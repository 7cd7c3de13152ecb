"""How shoppers' words meet product names: Vietnamese folded to plain lowercase letters.

People type "ao thun" for "Áo thun", "do choi" for "Đồ chơi", with or without their keyboard's
diacritics, and the text may arrive precomposed (NFC, "ư" as one code point) or decomposed (NFD,
"u" + a combining horn). Both sides are folded the same way before they are compared. Pure.
"""

from __future__ import annotations

import re
import unicodedata

# Đ/đ carry a stroke, not a combining mark, so no Unicode decomposition removes it; the
# Icelandic eth (Ð/ð) looks the same and turns up when names are typed on foreign keyboards.
_STROKED = str.maketrans({"đ": "d", "ð": "d"})
_WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """``text`` without diacritics, in lowercase: "Đồ chơi Ư" → "do choi u"."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return unicodedata.normalize("NFC", bare.casefold().translate(_STROKED))


def words(text: str) -> list[str]:
    """The folded words of ``text``, in order."""
    return _WORD.findall(fold(text))


def matches(query_words: list[str], text_words: list[str]) -> bool:
    """Every word asked for begins one of the text's words ("ao th" finds "Áo thun")."""
    return all(any(word.startswith(asked) for word in text_words) for asked in query_words)
