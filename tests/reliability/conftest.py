"""Reliability fixtures: a PostgreSQL schema of its own (these tests are about PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import Database, _postgres_database


@pytest.fixture
def postgres() -> Iterator[Database]:
    yield from _postgres_database()
