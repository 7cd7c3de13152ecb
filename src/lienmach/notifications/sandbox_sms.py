"""A tiny local SMS gateway for tests and the demo: POST /sms stores texts, deduped by id.

``GET /sms`` lists what it received. :meth:`SmsSandbox.fail_next` makes the next requests
answer 503, to exercise retries.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from lienmach.kernel.local_server import LocalServer, QuietHandler

SandboxSms = dict[str, Any]


class SmsSandbox(LocalServer):
    """An SMS gateway on 127.0.0.1 in a background thread (port 0: a free port)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(host, port)
        self._received: dict[str, SandboxSms] = {}
        self._failures_left = 0
        self.requests = 0
        self._lock = threading.Lock()

    @property
    def messages(self) -> list[SandboxSms]:
        """Every distinct SMS received, oldest first."""
        with self._lock:
            return list(self._received.values())

    def fail_next(self, count: int = 1) -> None:
        with self._lock:
            self._failures_left = count

    def clear(self) -> None:
        with self._lock:
            self._received.clear()
            self.requests = 0

    def start(self) -> SmsSandbox:
        sandbox = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:
                # Read whatever the path: the connection stays open for the next request.
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path.rstrip("/") != "/sms":
                    self._answer(404, {"error": "not found"})
                    return
                try:
                    data = json.loads(raw or b"{}")
                    message = {"id": str(data["id"]), "to": str(data["to"]), "text": data["text"]}
                except (KeyError, ValueError) as error:
                    self._answer(400, {"error": f"bad request: {error}"})
                    return
                status, answer = sandbox._receive(message)
                self._answer(status, answer)

            def do_GET(self) -> None:
                self._answer(200, {"messages": sandbox.messages})

            def _answer(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body, ensure_ascii=False).encode()
                self.send_bytes(status, data, "application/json")

        self._serve(Handler, "sms-sandbox")
        return self

    def _receive(self, message: SandboxSms) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.requests += 1
            if self._failures_left > 0:
                self._failures_left -= 1
                return 503, {"error": "gateway busy, try again"}
            duplicate = message["id"] in self._received
            self._received.setdefault(message["id"], message)
            return 200, {"provider_id": f"sms-{message['id']}", "duplicate": duplicate}
