"""The API as a caller with a key sees it: one place where tests get an authorised client."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import FastAPI
from fastapi.testclient import TestClient

from lienmach.access.services import create_api_key
from lienmach.kernel.runtime import Runtime
from lienmach.web.app import create_app


def new_key(runtime: Runtime, *, scopes: Sequence[str] = ("*",), name: str = "tests") -> str:
    """A fresh API key with ``scopes`` (every scope by default)."""
    _key_id, key = runtime.run(create_api_key, name=name, scopes=list(scopes))
    return key


def api_client(
    runtime: Runtime,
    *,
    scopes: Sequence[str] = ("*",),
    name: str = "tests",
    app: FastAPI | None = None,
) -> TestClient:
    """A client of the API that sends a new key with ``scopes`` on every request."""
    key = new_key(runtime, scopes=scopes, name=name)
    return TestClient(app or create_app(runtime), headers={"Authorization": f"Bearer {key}"})
