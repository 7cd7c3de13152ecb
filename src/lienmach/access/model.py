"""API keys and scopes: pure rules, no database."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

ALL = "*"
SCOPES = frozenset(
    {
        "orders:read",
        "orders:write",
        "warehouse",
        "shipping",
        "aftersales",
        "catalog",
        "customers",
        "stock",
        "ledger:read",
        ALL,
    }
)
# A key that may change orders may also read them: every write answers with the order.
IMPLIED = {"orders:write": frozenset({"orders:read"})}
KEY_PREFIX = "lm_"
SHOWN_PREFIX_LENGTH = 8
NAME_MAX_LENGTH = 100


def hash_key(key: str) -> str:
    """SHA-256 hex of the whole secret.

    A slow password hash adds nothing here: keys are 256-bit random tokens, so there is no
    dictionary to guess from, and a fast hash lets us find the key by its hash in one lookup.
    """
    return hashlib.sha256(key.encode()).hexdigest()


def unknown_scopes(scopes: Iterable[str]) -> list[str]:
    """The given scopes that are not scopes at all, in the order given."""
    return [scope for scope in scopes if scope not in SCOPES]


def allows(granted: Iterable[str], needed: str) -> bool:
    """Whether a key with ``granted`` scopes may do what needs ``needed``."""
    granted = set(granted)
    if ALL in granted or needed in granted:
        return True
    return any(needed in IMPLIED.get(scope, ()) for scope in granted)


def encode_scopes(scopes: Iterable[str]) -> str:
    return ",".join(sorted(set(scopes)))


def decode_scopes(stored: str) -> tuple[str, ...]:
    return tuple(scope for scope in stored.split(",") if scope)
