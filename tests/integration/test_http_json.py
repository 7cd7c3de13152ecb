"""The adapters' JSON-over-HTTP client against real local servers: one kept-alive connection
carries many requests, a connection the server closed is replaced without the caller seeing it,
and a server that is down is a clear error (the job retries)."""

from __future__ import annotations

import json
import socket
import time

import pytest

from lienmach.kernel.http_json import HttpError, JsonHttpClient
from lienmach.kernel.local_server import LocalServer, QuietHandler

pytestmark = pytest.mark.integration


class _EchoServer(LocalServer):
    """Answers every POST with the JSON it got and the connection it came on (HTTP/1.1)."""

    def start(self) -> _EchoServer:
        class Handler(QuietHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if self.path == "/text":
                    self.send_bytes(200, b"not json", "text/plain")
                    return
                answer = {"got": body, "path": self.path, "peer": self.client_address[1]}
                self.send_bytes(200, json.dumps(answer).encode(), "application/json")
                # As a server dropping an idle connection: closed without saying so.
                self.close_connection = self.path == "/then-drop"

        self._serve(Handler, "echo")
        return self


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_one_kept_alive_connection_carries_many_requests() -> None:
    server = _EchoServer().start()
    client = JsonHttpClient(server.url + "/api")
    try:
        answers = [client.post("/sms", {"n": n, "text": "Xin chào"}).json() for n in range(20)]
    finally:
        client.close()
        server.stop()
    assert [answer["got"] for answer in answers] == [
        {"n": n, "text": "Xin chào"} for n in range(20)
    ]
    assert {answer["path"] for answer in answers} == {"/api/sms"}
    assert len({answer["peer"] for answer in answers}) == 1  # one TCP connection for all


def test_a_connection_the_server_closed_is_replaced() -> None:
    server = _EchoServer().start()
    client = JsonHttpClient(server.url)
    try:
        first = client.post("/then-drop", {"n": 1}).json()
        time.sleep(0.05)  # the server has closed its end
        second = client.post("/a", {"n": 2}).json()
    finally:
        client.close()
        server.stop()
    assert first["got"] == {"n": 1} and second["got"] == {"n": 2}
    assert first["peer"] != second["peer"]


def test_a_server_that_is_down_is_an_error_and_an_answer_that_is_not_json_reads_empty() -> None:
    with pytest.raises(HttpError, match="Connection"):
        JsonHttpClient(f"http://127.0.0.1:{_free_port()}", timeout=2).post("/x", {})
    server = _EchoServer().start()
    try:
        answer = JsonHttpClient(server.url).post("/text", {})
    finally:
        server.stop()
    assert answer.status == 200 and answer.text == "not json" and answer.json() == {}


def test_only_http_urls_are_accepted() -> None:
    for url in ("ftp://example.vn", "nonsense", ""):
        with pytest.raises(ValueError, match="http"):
            JsonHttpClient(url)


def test_a_stopped_server_answers_no_one_on_the_connections_it_kept_open() -> None:
    """The sandboxes keep connections open; stopping one (a carrier's outage in a test) must
    still cut off a client holding such a connection."""
    server = _EchoServer().start()
    client = JsonHttpClient(server.url)
    try:
        assert client.post("/before", {"n": 1}).json()["got"] == {"n": 1}
        server.stop()
        with pytest.raises(HttpError):
            client.post("/after", {"n": 2})
    finally:
        client.close()
