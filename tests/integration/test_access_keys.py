"""Issuing and revoking API keys: the key is shown once, stored only as its hash."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lienmach.access.model import hash_key
from lienmach.access.queries import authenticate, list_api_keys
from lienmach.access.services import create_api_key, revoke_api_key
from lienmach.access.tables import api_keys
from lienmach.kernel.errors import InvalidInput, NotFound

pytestmark = pytest.mark.integration


def _rows(runtime) -> list[dict]:  # type: ignore[no-untyped-def, type-arg]
    with runtime.engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(select(api_keys))]


def test_a_new_key_is_shown_once_and_stored_only_as_its_hash(runtime):
    # When a key is created for the shop's order sync
    key_id, key = runtime.run(create_api_key, name="shop-sync", scopes=["orders:write", "stock"])

    # Then the key is a long random token, and only its prefix and hash are stored
    assert key.startswith("lm_") and len(key) >= 40
    [row] = _rows(runtime)
    assert row["id"] == key_id and row["name"] == "shop-sync"
    assert row["key_prefix"] == key[:8]
    assert row["key_hash"] == hash_key(key)
    assert key not in str(row)
    assert row["scopes"] == "orders:write,stock" and row["revoked_at"] is None

    # And the key authenticates as itself, with its scopes
    found = runtime.read(authenticate, key)
    assert found is not None
    assert (found.id, found.name, found.scopes) == (key_id, "shop-sync", ("orders:write", "stock"))
    assert found.actor == "api-key:shop-sync"
    assert found.allows("orders:read") and not found.allows("warehouse")


def test_two_keys_are_never_the_same(runtime):
    _, first = runtime.run(create_api_key, name="a", scopes=["*"])
    _, second = runtime.run(create_api_key, name="a", scopes=["*"])
    assert first != second
    assert len({row["key_hash"] for row in _rows(runtime)}) == 2


def test_unknown_keys_do_not_authenticate(runtime):
    runtime.run(create_api_key, name="shop-sync", scopes=["*"])
    assert runtime.read(authenticate, "lm_not-a-key") is None
    assert runtime.read(authenticate, "") is None


def test_bad_names_and_scopes_are_refused_naming_the_field_and_nothing_is_written(runtime):
    for name, scopes, field, words in [
        ("shop", ["orders:write", "admin"], "scopes", "admin"),
        ("shop", [], "scopes", "at least one"),
        ("   ", ["*"], "name", "name"),
        ("x" * 101, ["*"], "name", "100"),
    ]:
        with pytest.raises(InvalidInput) as refused:
            runtime.run(create_api_key, name=name, scopes=scopes)
        assert list(refused.value.errors) == [field]
        assert words in refused.value.errors[field]
    assert _rows(runtime) == []


def test_a_revoked_key_no_longer_authenticates_and_stays_listed(runtime, clock):
    # Given two keys
    key_id, key = runtime.run(create_api_key, name="old", scopes=["*"])
    _, other = runtime.run(create_api_key, name="new", scopes=["*"])

    # When one is revoked (twice: the second time changes nothing)
    runtime.run(revoke_api_key, key_id=key_id)
    [revoked_at] = [row["revoked_at"] for row in _rows(runtime) if row["id"] == key_id]
    runtime.run(revoke_api_key, key_id=key_id)

    # Then it is refused, the other still works, and the list shows both
    assert runtime.read(authenticate, key) is None
    assert runtime.read(authenticate, other) is not None
    listed = {view.name: view for view in runtime.read(list_api_keys)}
    assert listed["old"].revoked_at is not None and listed["new"].revoked_at is None
    assert [row["revoked_at"] for row in _rows(runtime) if row["id"] == key_id] == [revoked_at]


def test_revoking_an_unknown_key_is_not_found_and_writes_nothing(runtime):
    runtime.run(create_api_key, name="shop", scopes=["*"])
    with pytest.raises(NotFound):
        runtime.run(revoke_api_key, key_id="key_nope")
    with runtime.engine.connect() as connection:
        live = select(func.count()).select_from(api_keys).where(api_keys.c.revoked_at.is_(None))
        assert connection.execute(live).scalar_one() == 1
