"""A small HTTP server on 127.0.0.1 in a daemon thread: what the sandboxes (the carriers',
SMS and payment gateways' remote sides in tests and the demo) are built on.

It speaks HTTP/1.1 and keeps connections open between requests, as the services it stands
for do: a client's requests then cost no new connection and no new server thread each.
Stopping it also closes the connections still open, so a stopped sandbox answers no one.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(address, handler)
        self.open_connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        with self.connections_lock:
            self.open_connections.add(request)
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self.connections_lock:
                self.open_connections.discard(request)

    def close_open_connections(self) -> None:
        with self.connections_lock:
            still_open = list(self.open_connections)
        for connection in still_open:
            with contextlib.suppress(OSError):  # already closed by the client
                connection.shutdown(socket.SHUT_RDWR)


class LocalServer:
    """Serves one handler class; ``port`` 0 picks a free port, read back once serving."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def _serve(self, handler: type[BaseHTTPRequestHandler], name: str) -> None:
        self._server = _Server((self.host, self.port), handler)
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True, name=name)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server.close_open_connections()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler that answers bytes or JSON-ready bytes and logs nothing; every
    answer carries its length, so the connection stays open for the next request."""

    protocol_version = "HTTP/1.1"
    # The head and the body go out as two writes: on a kept-open connection Nagle's algorithm
    # would hold the body back until the client acknowledges the head (up to 40 ms).
    disable_nagle_algorithm = True

    def send_bytes(self, status: int, data: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output quiet
