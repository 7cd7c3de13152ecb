"""API keys and accounts leave an audit trail; keys remember when they were last used."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from lienmach.access.queries import list_api_keys
from lienmach.access.services import create_api_key, create_user, disable_user, revoke_api_key
from lienmach.cli import app
from lienmach.kernel.tables import event_log
from tests.api_client import api_client

pytestmark = pytest.mark.integration


def _audit(runtime) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    with runtime.engine.connect() as connection:
        rows = connection.execute(
            select(event_log.c.type, event_log.c.actor)
            .where(event_log.c.type.like("ApiKey%") | event_log.c.type.like("User%"))
            .order_by(event_log.c.id)
        )
        return [(row.type, row.actor) for row in rows]


def test_issuing_and_revoking_keys_and_accounts_is_in_the_event_log_with_who_did_it(runtime):
    key_id, _ = runtime.run_as("owner:lan", create_api_key, name="shop-sync", scopes=["*"])
    runtime.run_as("owner:lan", revoke_api_key, key_id=key_id)
    runtime.run_as("owner:lan", revoke_api_key, key_id=key_id)  # again: changes nothing
    user_id = runtime.run_as(
        "owner:lan",
        create_user,
        email="kho@shop.test",
        display_name="Kho",
        role="warehouse",
        password="mật khẩu dài đủ",
    )
    runtime.run_as("owner:lan", disable_user, user_id=user_id)

    assert _audit(runtime) == [
        ("ApiKeyCreated", "owner:lan"),
        ("ApiKeyRevoked", "owner:lan"),
        ("UserCreated", "owner:lan"),
        ("UserDisabled", "owner:lan"),
    ]


def test_a_key_remembers_its_last_use_writing_at_most_once_a_minute(runtime, clock):
    api = api_client(runtime, name="shop-sync")
    [key] = runtime.read(list_api_keys)
    assert key.last_used_at is None

    api.get("/api/v1/orders")
    first = runtime.read(list_api_keys)[0].last_used_at
    clock.advance(timedelta(seconds=30))
    api.get("/api/v1/orders")
    assert runtime.read(list_api_keys)[0].last_used_at == first
    clock.advance(timedelta(minutes=1))
    api.get("/api/v1/orders")

    later = runtime.read(list_api_keys)[0].last_used_at
    assert first is not None and later is not None and later > first


def test_the_cli_lists_keys_with_last_use_and_revocation(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("LIENMACH_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    runner = CliRunner()
    assert runner.invoke(app, ["migrate"]).exit_code == 0
    created = runner.invoke(app, ["api-key", "create", "--name", "shop-sync", "--scopes", "*"])
    assert created.exit_code == 0, created.output
    key_id = created.output.split("API key ")[1].split()[0]
    runner.invoke(app, ["api-key", "revoke", key_id])

    listed = runner.invoke(app, ["api-key", "list"], env={"COLUMNS": "200"})

    assert listed.exit_code == 0, listed.output
    assert key_id in listed.output and "shop-sync" in listed.output
    assert "never" in listed.output  # not used yet
    assert "UTC" in listed.output.split("shop-sync")[1]  # created, and revoked, moments shown


def test_the_cli_refuses_bad_input_naming_each_field_and_creates_nothing(  # type: ignore[no-untyped-def]
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("LIENMACH_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    runner = CliRunner()
    assert runner.invoke(app, ["migrate"]).exit_code == 0

    key = runner.invoke(app, ["api-key", "create", "--name", "sync", "--scopes", "nonsense"])
    user_options = ["--email", "an@example.vn", "--name", "An", "--role", "king"]
    user = runner.invoke(
        app, ["user", "create", *user_options, "--password", "a long enough password"]
    )

    assert key.exit_code == 2 and "scopes" in key.output, key.output
    assert user.exit_code == 2 and "role" in user.output, user.output
    listed = runner.invoke(app, ["api-key", "list"], env={"COLUMNS": "200"})
    assert "sync" not in listed.output
