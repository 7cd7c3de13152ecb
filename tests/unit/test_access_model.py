"""Scopes and key hashes: which key may do what."""

from __future__ import annotations

import pytest

from lienmach.access.model import (
    SCOPES,
    allows,
    decode_scopes,
    encode_scopes,
    hash_key,
    unknown_scopes,
)

pytestmark = pytest.mark.unit


def test_a_key_may_do_only_what_its_scopes_name() -> None:
    # given a warehouse-only key
    granted = ["warehouse"]
    # then it may work the pick queue and nothing else
    assert allows(granted, "warehouse")
    assert not allows(granted, "orders:write")
    assert not allows(granted, "orders:read")
    assert not allows(granted, "ledger:read")


def test_the_star_scope_allows_everything() -> None:
    assert all(allows(["*"], scope) for scope in SCOPES)


def test_writing_orders_implies_reading_them_but_not_the_reverse() -> None:
    assert allows(["orders:write"], "orders:read")
    assert not allows(["orders:read"], "orders:write")
    assert not allows(["orders:write"], "warehouse")


def test_unknown_scopes_are_named_in_the_order_given() -> None:
    assert unknown_scopes(["orders:read", "admin", "stock", "root"]) == ["admin", "root"]
    assert unknown_scopes(sorted(SCOPES)) == []


def test_scopes_survive_storage_sorted_and_without_duplicates() -> None:
    stored = encode_scopes(["warehouse", "orders:read", "warehouse"])
    assert stored == "orders:read,warehouse"
    assert decode_scopes(stored) == ("orders:read", "warehouse")
    assert decode_scopes("") == ()


def test_the_hash_is_sha256_hex_and_differs_per_key() -> None:
    assert hash_key("lm_abc") == hash_key("lm_abc")
    assert len(hash_key("lm_abc")) == 64 and hash_key("lm_abc") != hash_key("lm_abd")
    assert "lm_abc" not in hash_key("lm_abc")
