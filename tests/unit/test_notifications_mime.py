"""The e-mail bytes Lienmach writes itself read back, through the standard parser, as the
subject, body and Message-ID it was given: Vietnamese text, long subjects, dots at line starts,
and a subject that tries to smuggle in a header."""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

import pytest

from lienmach.notifications.adapters import plain_text_message

BODY = "Xin chào Nguyễn Văn Ánh,\nĐơn hàng DH0000001 đã giao.\n.\n..hai dấu chấm\n" * 20


def _read(raw: bytes | EmailMessage) -> EmailMessage:
    assert isinstance(raw, bytes)
    assert max(len(line) for line in raw.split(b"\r\n")) <= 78
    parsed = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(parsed, EmailMessage)
    return parsed


@pytest.mark.parametrize(
    "subject",
    [
        "Đơn hàng DH0000001 đã được gửi đi: mã vận đơn GHN123456789, giao trong 2 ngày",
        "Order DH0000001 shipped",
        "x" * 200,
        "a =?utf-8?b?trick?= b",
    ],
)
def test_what_is_written_reads_back_the_same(subject: str) -> None:
    parsed = _read(
        plain_text_message(
            sender="shop@lienmach.vn",
            to="anh@example.vn",
            subject=subject,
            message_id="<M1@lienmach>",
            body=BODY,
        )
    )
    assert str(parsed["Subject"]) == subject
    assert str(parsed["Message-ID"]) == "<M1@lienmach>"
    assert str(parsed["To"]) == "anh@example.vn"
    part = parsed.get_body(preferencelist=("plain",))
    assert isinstance(part, EmailMessage)
    assert part.get_content().replace("\r\n", "\n") == BODY


def test_a_line_break_in_the_subject_cannot_add_a_header() -> None:
    parsed = _read(
        plain_text_message(
            sender="shop@lienmach.vn",
            to="anh@example.vn",
            subject="Hi\r\nBcc: all@example.vn",
            message_id="<M2@lienmach>",
            body="b",
        )
    )
    assert "Bcc" not in parsed
    assert str(parsed["Subject"]) == "Hi  Bcc: all@example.vn"


def test_an_address_that_is_not_ascii_goes_through_the_email_package() -> None:
    message = plain_text_message(
        sender="Cửa hàng <shop@lienmach.vn>",
        to="anh@example.vn",
        subject="s",
        message_id="<M3@lienmach>",
        body="b",
    )
    assert isinstance(message, EmailMessage)
    assert message["From"].addresses[0].display_name == "Cửa hàng"
