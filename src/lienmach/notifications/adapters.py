"""Ports to the outside: an SMTP server for e-mail and an HTTP gateway for SMS."""

from __future__ import annotations

import base64
import contextlib
import smtplib
from email.message import EmailMessage
from email.utils import formatdate
from typing import Protocol

from lienmach.kernel.http_json import HttpError, JsonHttpClient
from lienmach.kernel.idle_connections import IdleConnections


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
        self._connections = IdleConnections(self._new, _quit)

    def send(self, *, message_id: str, to: str, subject: str, body: str) -> str:
        header = f"<{message_id}@lienmach>"
        message = plain_text_message(
            sender=self.sender, to=to, subject=subject, message_id=header, body=body
        )
        connection = self._connections.take()
        try:
            _hand_over(connection, self.sender, to, message)
        except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused):
            self._connections.give_back(connection)  # the server answered "no"; it is fine
            raise
        except OSError:
            # A kept-open connection may have been closed by the server while idle.
            _close(connection)
            connection = self._new()
            try:
                _hand_over(connection, self.sender, to, message)
            except (smtplib.SMTPException, OSError):
                _close(connection)
                raise
        self._connections.give_back(connection)
        return header

    def close(self) -> None:
        self._connections.close_all()

    def _new(self) -> smtplib.SMTP:
        return smtplib.SMTP(self.host, self.port, timeout=self.timeout)


def plain_text_message(
    *, sender: str, to: str, subject: str, message_id: str, body: str
) -> bytes | EmailMessage:
    """The message as RFC 5322 bytes: text/plain in UTF-8, base64 body, RFC 2047 subject.

    Written out directly: the email package spends ~3 ms of interpreter time per message on
    its header policies, and the worker's bus waits for that time (one interpreter lock).
    Addresses that are not ASCII need SMTPUTF8, which the email package handles.
    """
    if not all(part.isascii() and part.isprintable() for part in (sender, to, message_id)):
        message = EmailMessage()
        for name, value in (("From", sender), ("To", to), ("Subject", subject)):
            message[name] = value
        message["Date"] = formatdate(localtime=False, usegmt=True)
        message["Message-ID"] = message_id
        message.set_content(body, charset="utf-8")
        return message
    head = (
        f"From: {sender}\r\nTo: {to}\r\nSubject: {_encoded_words(subject)}\r\n"
        f"Date: {formatdate(localtime=False, usegmt=True)}\r\nMessage-ID: {message_id}\r\n"
        'MIME-Version: 1.0\r\nContent-Type: text/plain; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n"
    )
    text = body.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")
    return head.encode("ascii") + base64.encodebytes(text).replace(b"\n", b"\r\n")


def _encoded_words(text: str) -> str:
    """``text`` as RFC 2047 encoded words of at most 75 characters, one per folded line."""
    if text.isascii() and text.isprintable() and "=?" not in text and len(text) <= 60:
        return text
    words: list[str] = []
    chunk = b""
    for character in text.replace("\r", " ").replace("\n", " "):
        encoded = character.encode("utf-8")
        if len(chunk) + len(encoded) > 39:  # 52 base64 characters, + 12 around, + "Subject: "
            words.append(chunk.decode("utf-8"))
            chunk = b""
        chunk += encoded
    words.append(chunk.decode("utf-8"))
    return "\r\n ".join(
        f"=?utf-8?b?{base64.b64encode(word.encode('utf-8')).decode('ascii')}?=" for word in words
    )


def _hand_over(
    connection: smtplib.SMTP, sender: str, to: str, message: bytes | EmailMessage
) -> None:
    if isinstance(message, EmailMessage):
        connection.send_message(message)
    else:
        connection.sendmail(sender, [to], message)


def _quit(connection: smtplib.SMTP) -> None:
    with contextlib.suppress(smtplib.SMTPException, OSError):
        connection.quit()


def _close(connection: smtplib.SMTP) -> None:
    with contextlib.suppress(OSError):
        connection.close()


class HttpSmsSender:
    """POSTs {"id", "to", "text"} to ``{url}/sms`` over a kept-alive client; the gateway
    ignores an id it has seen, so a retried send is not a second SMS."""

    def __init__(self, url: str, timeout: float = 10) -> None:
        self.url = url.rstrip("/")
        self._client = JsonHttpClient(self.url, timeout=timeout)

    def send(self, *, message_id: str, to: str, text: str) -> str:
        answer = self._client.post("/sms", {"id": message_id, "to": to, "text": text})
        if answer.status >= 400:
            raise HttpError(f"the SMS gateway answered {answer.status}: {answer.text[:200]}")
        found = answer.json()
        provider_id = found.get("provider_id") if isinstance(found, dict) else None
        return str(provider_id or message_id)

    def close(self) -> None:
        self._client.close()
