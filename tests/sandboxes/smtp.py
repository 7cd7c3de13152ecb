"""Fixture ``smtp_server``: a real SMTP server process that catches the e-mail a test sends.

One process serves the whole test session (starting Python per test is slow); each test gets
it with an empty catch file.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from lienmach.notifications.sandbox_smtp import SmtpSandboxProcess


@pytest.fixture(scope="session")
def _smtp_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SmtpSandboxProcess]:
    out: Path = tmp_path_factory.mktemp("smtp") / "caught.jsonl"
    process = SmtpSandboxProcess(out).start()
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture
def smtp_server(_smtp_process: SmtpSandboxProcess) -> SmtpSandboxProcess:
    """The running SMTP sandbox process, emptied for this test."""
    _smtp_process.clear()
    return _smtp_process
