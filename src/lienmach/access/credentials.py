"""Users' credentials: e-mail and password rules, argon2id hashes, session tokens. Pure.

Passwords are hashed with argon2id (argon2-cffi's defaults, RFC 9106's low-memory profile);
session tokens are 256-bit random strings of which only a SHA-256 hash is stored.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from lienmach.kernel.errors import DomainError

PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 200
NAME_MAX_LENGTH = 120
EMAIL_MAX_LENGTH = 254
SESSION_LIFETIME = timedelta(hours=12)
LOCALES = ("vi", "en")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class LoginRefused(DomainError):
    """The e-mail and password did not let anyone in.

    ``reason`` is ``credentials`` (unknown e-mail or wrong password: the two are never told
    apart, so nobody learns which e-mails have accounts), ``disabled`` (told only after the
    right password was given) or ``throttled`` (too many failures lately; see ``throttle``).
    """

    code = "login_refused"

    def __init__(self, reason: str, *, wait_minutes: int = 0) -> None:
        messages = {
            "credentials": "the e-mail or the password is wrong; check both and try again",
            "disabled": "this account is disabled; ask the shop's owner to enable it again",
            "throttled": f"too many failed logins; try again in {wait_minutes} minutes",
        }
        super().__init__(messages[reason])
        self.reason = reason
        self.wait_minutes = wait_minutes


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()


def normalize_email(email: str) -> str:
    return email.strip().lower()


def email_problem(email: str) -> str | None:
    """Why ``email`` (already normalized) cannot be a login, or None."""
    if not email:
        return "give the e-mail address the person logs in with"
    if len(email) > EMAIL_MAX_LENGTH or not _EMAIL.match(email):
        return "not an e-mail address; write it like name@example.vn"
    return None


def password_problem(password: str) -> str | None:
    """Why ``password`` is too weak to accept, or None."""
    if len(password) < PASSWORD_MIN_LENGTH:
        return f"use at least {PASSWORD_MIN_LENGTH} characters (a few words make a good one)"
    if len(password) > PASSWORD_MAX_LENGTH:
        return f"use at most {PASSWORD_MAX_LENGTH} characters"
    if not password.strip():
        return "a password of spaces only is not a password"
    return None


def hash_password(password: str) -> str:
    """An argon2id hash with its own random salt (``$argon2id$v=19$...``)."""
    return _hasher().hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``stored_hash``; never raises for a bad or foreign hash."""
    try:
        return _hasher().verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    try:
        return _hasher().check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


@cache
def unknown_user_hash() -> str:
    """A real hash to verify against when the e-mail is unknown.

    Doing the same argon2 work either way keeps the answer time from telling which e-mails
    have accounts.
    """
    return hash_password(secrets.token_urlsafe(16))


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """SHA-256 hex: tokens are 256-bit random, so a fast hash is enough to store them safely."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)
