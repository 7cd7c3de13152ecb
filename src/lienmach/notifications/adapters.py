"""Ports to the outside: an SMTP server for e-mail and an HTTP gateway for SMS."""

from __future__ import annotations

import contextlib
import smtplib
import threading
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
    """Sends over one kept-open SMTP connection, reconnecting once when it was dropped.

    The Message-ID comes from our message id, so a resend after a crash carries the same
    Message-ID and receivers can recognise the duplicate.
    """

    def __init__(self, host: str, port: int, sender: str, timeout: float = 10) -> None:
        self.host = host
        self.port = port
        self.sender = sender
        self.timeout = timeout
        self._connection: smtplib.SMTP | None = None
        self._lock = threading.Lock()

    def send(self, *, message_id: str, to: str, subject: str, body: str) -> str:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = to
        message["Subject"] = subject
        message["Date"] = formatdate(localtime=False, usegmt=True)
        header = f"<{message_id}@lienmach>"
        message["Message-ID"] = header
        message.set_content(body, charset="utf-8")
        with self._lock:
            try:
                self._connected().send_message(message)
            except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused):
                raise  # the server answered "no"; the connection itself is still good
            except OSError:
                # The kept-open connection may have been closed by the server while idle.
                self._drop()
                try:
                    self._connected().send_message(message)
                except (smtplib.SMTPException, OSError):
                    self._drop()
                    raise
        return header

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                with contextlib.suppress(smtplib.SMTPException, OSError):
                    self._connection.quit()
            self._connection = None

    def _connected(self) -> smtplib.SMTP:
        if self._connection is None:
            self._connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        return self._connection

    def _drop(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(OSError):
                self._connection.close()
        self._connection = None


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
