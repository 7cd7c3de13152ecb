"""Texts of the measuring-the-chain (KPI, process map, alerts) pages, in Vietnamese and in English.

Merged into ``catalogue.MESSAGES``; a key may live in one area only.
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {}
