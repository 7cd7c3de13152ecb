"""Accounts, logins and sessions: argon2id hashes, answers that do not tell which e-mails exist,
sessions stored only as a hash that expire, end, and die with a disabled account."""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select, update

from lienmach.access.credentials import SESSION_LIFETIME, LoginRefused, verify_password
from lienmach.access.queries import session_of
from lienmach.access.services import (
    authenticate,
    create_user,
    disable_user,
    enable_user,
    end_session,
    start_session,
)
from lienmach.access.tables import users, web_sessions
from lienmach.kernel.errors import InvalidInput

pytestmark = pytest.mark.integration

PASSWORD = "ba con mèo nhỏ"


def _users(runtime) -> list[dict]:  # type: ignore[no-untyped-def, type-arg]
    with runtime.engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(select(users))]


def _session_count(runtime) -> int:  # type: ignore[no-untyped-def]
    with runtime.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(web_sessions)).scalar_one())


def _new(runtime, email: str = "Lan.Nguyen@Shop.VN", role: str = "sales") -> str:  # type: ignore[no-untyped-def]
    return runtime.run(
        create_user, email=email, display_name="Nguyễn Thị Lan", password=PASSWORD, role=role
    )


def test_an_account_keeps_a_lower_cased_email_and_only_an_argon2id_hash(runtime):
    user_id = _new(runtime)

    [row] = _users(runtime)
    assert row["id"] == user_id and user_id.startswith("usr_")
    assert row["email"] == "lan.nguyen@shop.vn"
    assert row["role"] == "sales" and row["locale"] == "vi" and row["disabled_at"] is None
    assert row["password_hash"].startswith("$argon2id$")
    assert PASSWORD not in str(row)
    assert verify_password(row["password_hash"], PASSWORD)


def test_bad_accounts_are_refused_field_by_field_and_nothing_is_written(runtime):
    _new(runtime)
    cases = [
        ({"email": "LAN.NGUYEN@shop.vn"}, "email", "already has an account"),
        ({"email": "not-an-email"}, "email", "name@example.vn"),
        ({"display_name": "  "}, "display_name", "name"),
        ({"role": "boss"}, "role", "owner, sales"),
        ({"role": "customer"}, "customer_id", "customer"),
        ({"customer_id": "cus_1"}, "customer_id", "only customer accounts"),
        ({"password": "short"}, "password", "at least 10"),
        ({"locale": "fr"}, "locale", "vi, en"),
    ]
    for change, field, words in cases:
        given = {
            "email": "minh@shop.vn",
            "display_name": "Minh",
            "password": PASSWORD,
            "role": "warehouse",
            **change,
        }
        with pytest.raises(InvalidInput) as refused:
            runtime.run(create_user, **given)
        assert list(refused.value.errors) == [field], change
        assert words in refused.value.errors[field]
    assert len(_users(runtime)) == 1


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(runtime):
    user_id = _new(runtime)

    assert runtime.run(authenticate, email=" LAN.nguyen@shop.vn ", password=PASSWORD).id == user_id
    with pytest.raises(LoginRefused) as wrong_password:
        runtime.run(authenticate, email="lan.nguyen@shop.vn", password=PASSWORD + "!")
    with pytest.raises(LoginRefused) as unknown_email:
        runtime.run(authenticate, email="nobody@shop.vn", password=PASSWORD)
    assert wrong_password.value.reason == unknown_email.value.reason == "credentials"
    assert str(wrong_password.value) == str(unknown_email.value)


def test_a_disabled_account_is_told_so_only_after_the_right_password(runtime):
    user_id = _new(runtime)
    runtime.run(disable_user, user_id=user_id)

    with pytest.raises(LoginRefused) as right_password:
        runtime.run(authenticate, email="lan.nguyen@shop.vn", password=PASSWORD)
    with pytest.raises(LoginRefused) as wrong_password:
        runtime.run(authenticate, email="lan.nguyen@shop.vn", password="something else")
    assert right_password.value.reason == "disabled"
    assert wrong_password.value.reason == "credentials"

    runtime.run(enable_user, user_id=user_id)
    assert runtime.run(authenticate, email="lan.nguyen@shop.vn", password=PASSWORD).id == user_id


def test_a_weak_old_hash_is_replaced_on_the_next_login(runtime):
    user_id = _new(runtime)
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(PASSWORD)
    with runtime.engine.begin() as connection:
        connection.execute(update(users).where(users.c.id == user_id).values(password_hash=weak))

    runtime.run(authenticate, email="lan.nguyen@shop.vn", password=PASSWORD)

    [row] = _users(runtime)
    assert row["password_hash"] != weak and verify_password(row["password_hash"], PASSWORD)


def test_a_session_is_stored_as_a_hash_and_expires(runtime, clock):
    user_id = _new(runtime)
    session = runtime.run(start_session, user_id=user_id)

    with runtime.engine.connect() as connection:
        [row] = [dict(r._mapping) for r in connection.execute(select(web_sessions))]
    assert session.token not in str(row) and row["csrf_token"] == session.csrf_token
    found = runtime.read(session_of, session.token, clock.now())
    assert found is not None and found.user.id == user_id
    assert found.csrf_token == session.csrf_token
    assert runtime.read(session_of, session.token + "x", clock.now()) is None

    clock.advance(SESSION_LIFETIME - timedelta(seconds=1))
    assert runtime.read(session_of, session.token, clock.now()) is not None
    clock.advance(timedelta(seconds=1))
    assert runtime.read(session_of, session.token, clock.now()) is None

    # A new login clears the user's expired sessions on the way.
    runtime.run(start_session, user_id=user_id)
    assert _session_count(runtime) == 1


def test_logging_out_and_disabling_end_sessions(runtime, clock):
    user_id = _new(runtime)
    other = _new(runtime, email="kho@shop.vn", role="warehouse")
    first = runtime.run(start_session, user_id=user_id)
    second = runtime.run(start_session, user_id=user_id)
    theirs = runtime.run(start_session, user_id=other)

    runtime.run(end_session, token=first.token)
    runtime.run(end_session, token=first.token)  # twice changes nothing
    assert runtime.read(session_of, first.token, clock.now()) is None
    assert runtime.read(session_of, second.token, clock.now()) is not None

    runtime.run(disable_user, user_id=user_id)
    assert runtime.read(session_of, second.token, clock.now()) is None
    assert runtime.read(session_of, theirs.token, clock.now()) is not None
    with pytest.raises(LoginRefused):
        runtime.run(start_session, user_id=user_id)
    assert _session_count(runtime) == 1
