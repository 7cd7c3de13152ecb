"""A real SMTP server that catches e-mail for tests and the demo, one JSON line per message.

Run it as a process: ``python -m lienmach.notifications.sandbox_smtp --port N --out FILE``;
it prints ``ready <port>`` once it listens (``--port 0`` picks a free port).
:class:`SmtpSandboxProcess` starts and stops such a process and reads what it caught.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import email
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from email.header import decode_header, make_header
from email.message import Message
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

SandboxMessage = dict[str, Any]


class _CatchToFile:
    def __init__(self, out: Path) -> None:
        self.out = out
        self._lock = threading.Lock()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content or b""
        content = raw if isinstance(raw, bytes) else raw.encode()
        # The classic parser: a tenth of the cost of the modern policy's, same text out.
        parsed = email.message_from_bytes(content)
        record = {
            "from": envelope.mail_from,
            "to": list(envelope.rcpt_tos),
            "subject": str(make_header(decode_header(parsed.get("Subject", "")))),
            "message_id": str(parsed.get("Message-ID", "")),
            "body": _text_body(parsed).replace("\r\n", "\n"),
        }
        line = json.dumps(record, ensure_ascii=False) + "\n"
        # Written before answering 250, so a sender that got "OK" finds its message in the
        # file. Not fsynced: readers are on this machine, and a catcher outlives no crash.
        with self._lock, self.out.open("a", encoding="utf-8") as file:
            file.write(line)
        return "250 Message accepted for delivery"


def _text_body(message: Message) -> str:
    """The plain-text part (else the HTML one) decoded to text; empty if there is neither."""
    parts = [part for part in message.walk() if not part.is_multipart()]
    for wanted in ("text/plain", "text/html"):
        for part in parts:
            if part.get_content_type() == wanted:
                raw = part.get_payload(decode=True)
                if isinstance(raw, bytes):
                    return raw.decode(part.get_content_charset() or "utf-8", "replace")
    return ""


async def _serve(host: str, port: int, out: Path) -> None:
    handler = _CatchToFile(out)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, enable_SMTPUTF8=True, hostname="lienmach-sandbox"), host, port
    )
    bound = server.sockets[0].getsockname()[1]
    print(f"ready {bound}", flush=True)
    async with server:
        await server.serve_forever()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Catch e-mail into a JSON-lines file.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--out", required=True)
    parser.add_argument(
        "--exit-with-parent",
        action="store_true",
        help="exit when standard input closes (the process that started it has ended)",
    )
    arguments = parser.parse_args(argv)
    out = Path(arguments.out)
    out.touch()
    if arguments.exit_with_parent:
        threading.Thread(target=_exit_at_end_of_input, daemon=True, name="parent-watch").start()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(arguments.host, arguments.port, out))


def _exit_at_end_of_input() -> None:
    # The parent holds our stdin open while it lives; however it ends (a SIGKILL included),
    # the pipe closes and the read returns, so no catcher outlives the demo or test run.
    sys.stdin.buffer.read()
    os._exit(0)


class SmtpSandboxProcess:
    """An SMTP sandbox in its own process; ``port=0`` lets it pick a free port."""

    def __init__(self, out_file: str | os.PathLike[str], port: int = 0) -> None:
        self.out_file = Path(out_file)
        self.port = port
        self._process: subprocess.Popen[str] | None = None

    def start(self, timeout: float = 20.0) -> SmtpSandboxProcess:
        self.out_file.parent.mkdir(parents=True, exist_ok=True)
        self.out_file.touch()
        command = [sys.executable, "-m", "lienmach.notifications.sandbox_smtp"]
        command += ["--port", str(self.port), "--out", str(self.out_file), "--exit-with-parent"]
        environment = dict(os.environ)
        source_root = str(Path(__file__).resolve().parents[2])
        environment["PYTHONPATH"] = os.pathsep.join(
            filter(None, [source_root, environment.get("PYTHONPATH")])
        )
        self._process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=environment
        )
        ready: list[str] = []
        reader = threading.Thread(
            target=lambda: ready.append(self._readline()), daemon=True, name="smtp-sandbox-ready"
        )
        reader.start()
        reader.join(timeout)
        if not ready or not ready[0].startswith("ready"):
            self.stop()
            raise RuntimeError(f"the SMTP sandbox did not start: {ready}")
        self.port = int(ready[0].split()[1])
        return self

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        for pipe in (process.stdin, process.stdout):
            if pipe is not None:
                pipe.close()

    def messages(self) -> list[SandboxMessage]:
        """Every message caught so far, oldest first."""
        if not self.out_file.exists():
            return []
        lines = self.out_file.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    def clear(self) -> None:
        """Forget what was caught (the file is emptied)."""
        self.out_file.write_text("", encoding="utf-8")

    def wait_for(
        self, predicate: Callable[[SandboxMessage], bool], timeout: float = 5.0
    ) -> list[SandboxMessage]:
        """The caught messages matching ``predicate``, waiting until at least one does."""
        deadline = time.monotonic() + timeout
        while True:
            found = [message for message in self.messages() if predicate(message)]
            if found or time.monotonic() >= deadline:
                return found
            time.sleep(0.05)

    def _readline(self) -> str:
        assert self._process is not None and self._process.stdout is not None
        return self._process.stdout.readline().strip()


if __name__ == "__main__":
    main()
