"""The SMTP adapter keeps one connection open, survives a server restart, and sends UTF-8."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lienmach.notifications.adapters import HttpSmsSender, SmtpEmailSender
from lienmach.notifications.sandbox_sms import SmsSandbox
from lienmach.notifications.sandbox_smtp import SmtpSandboxProcess

pytestmark = pytest.mark.integration

SENDER = "Lienmach <no-reply@lienmach.local>"


def test_one_kept_open_connection_carries_many_emails(smtp_server: SmtpSandboxProcess) -> None:
    opened: list[object] = []

    class CountingSender(SmtpEmailSender):
        def _new(self):  # type: ignore[no-untyped-def]
            connection = super()._new()
            opened.append(connection)
            return connection

    sender = CountingSender("127.0.0.1", smtp_server.port, SENDER)
    try:
        for number in range(3):
            sender.send(
                message_id=f"msg_{number}",
                to="lan@example.vn",
                subject=f"Đơn hàng số {number}",
                body="Cảm ơn quý khách — hẹn gặp lại!",
            )
        sender.send(message_id="msg_3", to="lan@example.vn", subject="x", body="y")
        assert len(opened) == 1  # reused, not reopened per message
    finally:
        sender.close()

    caught = smtp_server.messages()
    assert [message["message_id"] for message in caught] == [
        f"<msg_{n}@lienmach>" for n in range(4)
    ]
    assert caught[0]["subject"] == "Đơn hàng số 0"
    assert caught[0]["body"].strip() == "Cảm ơn quý khách — hẹn gặp lại!"
    assert caught[0]["from"] == "no-reply@lienmach.local"


def test_sender_reconnects_after_the_server_restarted(tmp_path: Path) -> None:
    # given a server that received one e-mail over the kept-open connection
    first = SmtpSandboxProcess(tmp_path / "first.jsonl").start()
    port = first.port
    sender = SmtpEmailSender("127.0.0.1", port, SENDER, timeout=5)
    second: SmtpSandboxProcess | None = None
    try:
        sender.send(message_id="msg_a", to="an@example.vn", subject="A", body="a")
        # when the server goes away and comes back on the same port
        first.stop()
        second = SmtpSandboxProcess(tmp_path / "second.jsonl", port=port).start()
        sender.send(message_id="msg_b", to="an@example.vn", subject="B", body="b")
    finally:
        sender.close()
        first.stop()
        if second is not None:
            second.stop()

    # then the next e-mail went through on a new connection, once
    assert [m["subject"] for m in first.messages()] == ["A"]
    assert [m["subject"] for m in second.messages()] == ["B"]


def test_sending_to_a_server_that_is_down_raises_so_the_job_retries(tmp_path: Path) -> None:
    down = SmtpSandboxProcess(tmp_path / "down.jsonl").start()
    port = down.port
    down.stop()
    sender = SmtpEmailSender("127.0.0.1", port, SENDER, timeout=2)
    with pytest.raises(OSError):
        sender.send(message_id="msg_x", to="an@example.vn", subject="x", body="y")


def test_sms_gateway_dedupes_a_resent_id(sms_gateway: SmsSandbox) -> None:
    sender = HttpSmsSender(sms_gateway.url)
    try:
        first = sender.send(message_id="msg_1", to="+84901234567", text="Don hang DH-1")
        again = sender.send(message_id="msg_1", to="+84901234567", text="Don hang DH-1")
    finally:
        sender.close()
    assert first == again
    assert sms_gateway.requests == 2
    assert sms_gateway.messages == [{"id": "msg_1", "to": "+84901234567", "text": "Don hang DH-1"}]


def test_the_mail_catcher_ends_with_the_process_that_started_it(tmp_path: Path) -> None:
    """A demo or test run killed outright (SIGKILL, no clean-up) leaves no SMTP process."""
    starter = (
        "import sys, time\n"
        "from lienmach.notifications.sandbox_smtp import SmtpSandboxProcess\n"
        f"box = SmtpSandboxProcess({str(tmp_path / 'mail.jsonl')!r}).start()\n"
        "print(box._process.pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", starter], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    catcher = int(parent.stdout.readline())
    assert _alive(catcher)
    parent.send_signal(signal.SIGKILL)
    parent.wait(timeout=10)
    deadline = time.monotonic() + 10
    while _alive(catcher) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(catcher)


def _alive(pid: int) -> bool:
    """Running, not merely a zombie waiting for its (re)parent to reap it."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"
