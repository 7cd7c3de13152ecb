"""Ports to the outside: an SMTP server for e-mail and an HTTP gateway for SMS."""

from __future__ import annotations

import contextlib
import queue
import smtplib
from email.message import EmailMessage
from email.utils import formatdate
from typing import Protocol

import httpx


class EmailSender(Protocol):
    def send(self, *, message_id: str, to: str, subject: str, body: str) -> str:
        """Hand the message to the mail server; returns the provider's id for it."""
        ...


class SmsSender(Protocol):
    def send(self, *, message_id: str, to: str, text: str) -> str:
        """Hand the text to the SMS gateway; returns the provider's id for it."""
        ...


class SmtpEmailSender:
    """Sends over kept-open SMTP connections, one per concurrent sender, reconnecting once
    when a connection was dropped.

    The Message-ID comes from our message id, so a resend after a crash carries the same
    Message-ID and receivers can recognise the duplicate.
    """

    def __init__(self, host: str, port: int, sender: str, timeout: float = 10) -> None:
        self.host = host
        self.port = port
        self.sender = sender
        self.timeout = timeout
        self._idle: queue.SimpleQueue[smtplib.SMTP] = queue.SimpleQueue()

    def send(self, *, message_id: str, to: str, subject: str, body: str) -> str:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = to
        message["Subject"] = subject
        message["Date"] = formatdate(localtime=False, usegmt=True)
        header = f"<{message_id}@lienmach>"
        message["Message-ID"] = header
        message.set_content(body, charset="utf-8")
        connection = self._take()
        try:
            connection.send_message(message)
        except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused):
            self._idle.put(connection)  # the server answered "no"; the connection is fine
            raise
        except OSError:
            # A kept-open connection may have been closed by the server while idle.
            _close(connection)
            connection = self._new()
            try:
                connection.send_message(message)
            except (smtplib.SMTPException, OSError):
                _close(connection)
                raise
        self._idle.put(connection)
        return header

    def close(self) -> None:
        while True:
            try:
                connection = self._idle.get_nowait()
            except queue.Empty:
                return
            with contextlib.suppress(smtplib.SMTPException, OSError):
                connection.quit()

    def _take(self) -> smtplib.SMTP:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            return self._new()

    def _new(self) -> smtplib.SMTP:
        return smtplib.SMTP(self.host, self.port, timeout=self.timeout)


def _close(connection: smtplib.SMTP) -> None:
    with contextlib.suppress(OSError):
        connection.close()


class HttpSmsSender:
    """POSTs {"id", "to", "text"} to ``{url}/sms`` over a kept-alive client; the gateway
    ignores an id it has seen, so a retried send is not a second SMS."""

    def __init__(self, url: str, timeout: float = 10) -> None:
        self.url = url.rstrip("/")
        self._client = httpx.Client(timeout=timeout)

    def send(self, *, message_id: str, to: str, text: str) -> str:
        response = self._client.post(
            f"{self.url}/sms", json={"id": message_id, "to": to, "text": text}
        )
        response.raise_for_status()
        answer = response.json()
        return str(answer.get("provider_id") or message_id)

    def close(self) -> None:
        self._client.close()
