"""Texts of the work pages (warehouse, shipments, tickets, customers, tracking, survey).

vi and en; merged into ``catalogue.MESSAGES``; a key may live in one area only.
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {}
