"""Jobs of the notifications context: render and send, then mark the message sent."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import bindparam, select

from lienmach.kernel import bulk
from lienmach.kernel.jobs import JobKind, Perform
from lienmach.kernel.prepared import prepared
from lienmach.kernel.uow import UnitOfWork
from lienmach.notifications.adapters import EmailSender, SmsSender
from lienmach.notifications.events import MessageSent
from lienmach.notifications.services import SEND_EMAIL, SEND_SMS
from lienmach.notifications.tables import outbound_messages
from lienmach.notifications.templates import render

# Built once with bind parameters: building a statement costs more than running it. Only
# queued messages are marked, so a message is recorded sent (and MessageSent published) once:
# the read takes the messages by id (on PostgreSQL it locks them, in id order, until the marks
# commit; SQLite has one writer) and the marks go to those of them still queued, by id alone.
# No state in either WHERE: PostgreSQL's generic plans then took the index of states over the
# primary key and walked every message marked since the last vacuum.
_READ = prepared(
    select(
        outbound_messages.c.id,
        outbound_messages.c.order_id,
        outbound_messages.c.purpose,
        outbound_messages.c.state,
    )
    .where(outbound_messages.c.id.in_(bindparam("b_ids", expanding=True)))
    .order_by(outbound_messages.c.id)
    .with_for_update()
)
# One statement for every message marked, run once on PostgreSQL (kernel.bulk).
_MARK_SENT = bulk.updating(
    outbound_messages,
    ["id"],
    ["sent_at", "provider_id", "subject", "body"],
    lambda update: update.values(state="sent"),
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
    def record_many(
        uow: UnitOfWork, sent: list[tuple[Mapping[str, Any], Mapping[str, Any]]]
    ) -> None:
        """Mark the sent messages in two statements, however many there are."""
        results = {payload["message_id"]: result for payload, result in sent}
        found = _READ.run(uow.connection, {"b_ids": sorted(results)})
        queued = [row for row in found if row.state == "queued"]
        if not queued:
            return
        now = uow.now()
        marks = [
            {
                "id": row.id,
                "sent_at": now,
                "provider_id": str(results[row.id]["provider_id"])[:200],
                "subject": results[row.id]["subject"],
                "body": results[row.id]["body"],
            }
            for row in queued
        ]
        _MARK_SENT.run(uow.connection, marks)
        for row in queued:
            uow.publish(
                MessageSent(
                    message_id=row.id, channel=channel, order_id=row.order_id, purpose=row.purpose
                )
            )

    return JobKind(
        name=name, perform=perform, record_many=record_many, timeout_seconds=30, max_attempts=8
    )
