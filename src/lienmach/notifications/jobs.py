"""Jobs of the notifications context: render and send, then mark the message sent."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import bindparam, update

from lienmach.kernel.jobs import JobKind, Perform
from lienmach.kernel.uow import UnitOfWork
from lienmach.notifications.adapters import EmailSender, SmsSender
from lienmach.notifications.events import MessageSent
from lienmach.notifications.services import SEND_EMAIL, SEND_SMS
from lienmach.notifications.tables import outbound_messages
from lienmach.notifications.templates import render

# Built once with bind parameters: building a statement costs more than running it. Only a
# queued message is marked, so a message is recorded sent (and MessageSent published) once.
_MARK_SENT = (
    update(outbound_messages)
    .where(outbound_messages.c.id == bindparam("b_id"), outbound_messages.c.state == "queued")
    .values(
        state="sent",
        sent_at=bindparam("b_sent_at"),
        provider_id=bindparam("b_provider_id"),
        subject=bindparam("b_subject"),
        body=bindparam("b_body"),
    )
    .returning(outbound_messages.c.order_id, outbound_messages.c.purpose)
)


def job_kinds(
    *, email_sender: EmailSender, sms_sender: SmsSender, public_base_url: str = ""
) -> list[JobKind]:
    """The e-mail and SMS job kinds, sending through the given adapters."""

    def send_email(payload: Mapping[str, Any]) -> Mapping[str, Any]:
        subject, body = render(
            payload["template"], payload["language"], payload["params"], base_url=public_base_url
        )
        provider_id = email_sender.send(
            message_id=payload["message_id"], to=payload["to"], subject=subject, body=body
        )
        return {"provider_id": provider_id, "subject": subject, "body": body}

    def send_sms(payload: Mapping[str, Any]) -> Mapping[str, Any]:
        _, text = render(
            payload["template"], payload["language"], payload["params"], base_url=public_base_url
        )
        provider_id = sms_sender.send(message_id=payload["message_id"], to=payload["to"], text=text)
        return {"provider_id": provider_id, "subject": "", "body": text}

    return [_kind(SEND_EMAIL, "email", send_email), _kind(SEND_SMS, "sms", send_sms)]


def _kind(name: str, channel: str, perform: Perform) -> JobKind:
    def record(uow: UnitOfWork, payload: Mapping[str, Any], result: Mapping[str, Any]) -> None:
        message_id = payload["message_id"]
        marked = uow.connection.execute(
            _MARK_SENT,
            {
                "b_id": message_id,
                "b_sent_at": uow.now(),
                "b_provider_id": str(result["provider_id"])[:200],
                "b_subject": result["subject"],
                "b_body": result["body"],
            },
        ).first()
        if marked is not None:
            uow.publish(
                MessageSent(
                    message_id=message_id,
                    channel=channel,
                    order_id=marked.order_id,
                    purpose=marked.purpose,
                )
            )

    return JobKind(name=name, perform=perform, record=record, timeout_seconds=30, max_attempts=8)
