"""E-mail and SMS really leave, once per key, through the SMTP sandbox process and the SMS
gateway; failures are retried without a second message."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from lienmach.kernel.clock import SimulatedClock
from lienmach.kernel.errors import InvalidInput
from lienmach.kernel.runtime import Runtime
from lienmach.kernel.tables import event_log, jobs
from lienmach.kernel.uow import UnitOfWork
from lienmach.notifications.queries import count_sent, get_message, messages_for_order
from lienmach.notifications.sandbox_sms import SmsSandbox
from lienmach.notifications.sandbox_smtp import SmtpSandboxProcess
from lienmach.notifications.services import message_id_for, send_email, send_sms
from lienmach.notifications.tables import outbound_messages

pytestmark = pytest.mark.integration

CONFIRMATION: dict[str, Any] = {
    "key": "order:ord_1:confirmation",
    "to": "lan.nguyen@example.vn",
    "template": "order_confirmation",
    "params": {"order_number": "DH-000001", "total": 1_250_000},
    "order_id": "ord_1",
    "purpose": "order_confirmation",
}
TRACKING_SMS: dict[str, Any] = {
    "key": "shipment:shp_1:tracking_sms",
    "to": "+84901234567",
    "template": "tracking_sms",
    "params": {
        "order_number": "DH-000001",
        "tracking_code": "GHN123",
        "tracking_url": "/track/GHN123",
    },
    "order_id": "ord_1",
    "purpose": "tracking",
}


def _count(runtime: Runtime, table: Any, *conditions: Any) -> int:
    with runtime.engine.connect() as connection:
        return int(
            connection.execute(
                select(func.count()).select_from(table).where(*conditions)
            ).scalar_one()
        )


def _two_emails(uow: UnitOfWork) -> None:
    send_email(uow, **CONFIRMATION)
    send_email(uow, **CONFIRMATION)


def test_queued_email_arrives_at_the_smtp_server_rendered_in_vietnamese(
    runtime: Runtime, smtp_server: SmtpSandboxProcess, clock: SimulatedClock
) -> None:
    # when an order confirmation is queued (the inline drain runs the job after commit)
    runtime.run(send_email, **CONFIRMATION)

    # then exactly one e-mail reached the SMTP server process, in Vietnamese, with the total
    caught = smtp_server.wait_for(lambda message: message["to"] == ["lan.nguyen@example.vn"])
    assert len(caught) == 1
    assert caught[0]["subject"] == "Xác nhận đơn hàng DH-000001"
    assert "Tổng thanh toán: 1.250.000 ₫" in caught[0]["body"]
    message_id = message_id_for(CONFIRMATION["key"])
    assert caught[0]["message_id"] == f"<{message_id}@lienmach>"
    # and the message is recorded as sent, with what was sent, and MessageSent was published
    message = runtime.read(get_message, message_id)
    assert message is not None
    assert (message.state, message.channel, message.sent_at) == ("sent", "email", clock.now())
    assert message.subject == "Xác nhận đơn hàng DH-000001"
    assert message.provider_id == f"<{message_id}@lienmach>"
    assert runtime.read(count_sent, channel="email", purpose="order_confirmation") == 1
    assert runtime.read(count_sent, channel="sms") == 0
    assert _count(runtime, event_log, event_log.c.type == "MessageSent") == 1


def test_same_key_sent_twice_gives_one_email(
    runtime: Runtime, smtp_server: SmtpSandboxProcess
) -> None:
    # when the same message key is queued twice in one transaction and again in another
    runtime.run(_two_emails)
    runtime.run(send_email, **CONFIRMATION)

    # then one e-mail left, one message row and one job exist, one MessageSent was published
    assert len(smtp_server.wait_for(lambda message: True)) == 1
    assert len(smtp_server.messages()) == 1
    assert _count(runtime, outbound_messages) == 1
    assert _count(runtime, jobs, jobs.c.kind == "notifications.send_email") == 1
    assert _count(runtime, event_log, event_log.c.type == "MessageSent") == 1


def test_sms_reaches_the_gateway_once_even_when_queued_twice(
    runtime: Runtime, sms_gateway: SmsSandbox
) -> None:
    runtime.run(send_sms, **TRACKING_SMS)
    runtime.run(send_sms, **TRACKING_SMS)

    assert len(sms_gateway.messages) == 1
    sms = sms_gateway.messages[0]
    assert sms["to"] == "+84901234567"
    assert sms["id"] == message_id_for(TRACKING_SMS["key"])
    assert sms["text"].isascii()
    assert sms["text"].endswith("/track/GHN123")
    assert runtime.read(count_sent, channel="sms", purpose="tracking") == 1


def test_gateway_failure_is_retried_later_and_sends_one_sms(
    runtime: Runtime, sms_gateway: SmsSandbox, clock: SimulatedClock
) -> None:
    # given the gateway refuses the first attempt
    sms_gateway.fail_next(1)

    # when the SMS is queued
    runtime.run(send_sms, **TRACKING_SMS)

    # then nothing was sent yet: the message waits, queued, for its retry
    message_id = message_id_for(TRACKING_SMS["key"])
    assert sms_gateway.messages == []
    message = runtime.read(get_message, message_id)
    assert message is not None and message.state == "queued" and message.sent_at is None
    assert _count(runtime, event_log, event_log.c.type == "MessageSent") == 0

    # when the retry falls due
    clock.advance(timedelta(minutes=5))
    runtime.drain()

    # then exactly one SMS arrived and the message is sent
    assert len(sms_gateway.messages) == 1
    assert sms_gateway.requests == 2
    message = runtime.read(get_message, message_id)
    assert message is not None and message.state == "sent"
    assert _count(runtime, event_log, event_log.c.type == "MessageSent") == 1


def test_messages_of_an_order_list_email_and_sms_with_what_was_sent(
    runtime: Runtime,
    smtp_server: SmtpSandboxProcess,
    sms_gateway: SmsSandbox,
    clock: SimulatedClock,
) -> None:
    runtime.run(send_email, **CONFIRMATION)
    clock.advance(timedelta(hours=30))
    runtime.run(send_sms, **TRACKING_SMS)
    runtime.run(send_email, **{**CONFIRMATION, "key": "other", "order_id": "ord_2"})

    messages = runtime.read(messages_for_order, "ord_1")
    assert [(m.channel, m.purpose, m.state) for m in messages] == [
        ("email", "order_confirmation", "sent"),
        ("sms", "tracking", "sent"),
    ]
    assert messages[1].body == sms_gateway.messages[0]["text"]


def test_bad_request_to_send_writes_nothing(
    runtime: Runtime, smtp_server: SmtpSandboxProcess
) -> None:
    with pytest.raises(InvalidInput) as refused:
        runtime.run(send_email, **{**CONFIRMATION, "params": {"order_number": "DH-1"}})

    assert refused.value.errors == {"params": "missing total"}
    assert _count(runtime, outbound_messages) == 0
    assert _count(runtime, jobs) == 0
    assert smtp_server.messages() == []


def test_english_customer_gets_english_email_with_full_links(
    runtime: Runtime, smtp_server: SmtpSandboxProcess
) -> None:
    runtime.run(
        send_email,
        key="shipment:shp_9:tracking_email",
        to="john@example.com",
        template="tracking_email",
        params={
            "order_number": "DH-000009",
            "tracking_code": "VTP77",
            "carrier_name": "Viettel Post",
            "tracking_url": "/track/VTP77",
        },
        order_id="ord_9",
        purpose="tracking",
        language="en",
    )

    [email] = smtp_server.wait_for(lambda message: message["to"] == ["john@example.com"])
    assert email["subject"] == "Order DH-000009 is on its way with Viettel Post"
    # the public base URL of the settings (conftest: http://shop.test) prefixes the link
    assert "Track it: http://shop.test/track/VTP77" in email["body"]


def test_messages_recorded_together_are_each_marked_sent_once(
    runtime: Runtime, smtp_server: SmtpSandboxProcess
) -> None:
    # when five e-mails are queued in one transaction (jobs that finish together are recorded
    # in one call of their kind's record_many)
    def five_emails(uow: UnitOfWork) -> None:
        for n in range(5):
            send_email(uow, **{**CONFIRMATION, "key": f"order:ord_{n}:confirmation"})

    runtime.run(five_emails)

    # then each is sent and recorded once, with one MessageSent each
    assert len(smtp_server.messages()) == 5
    assert runtime.read(count_sent, channel="email", purpose="order_confirmation") == 5
    assert _count(runtime, event_log, event_log.c.type == "MessageSent") == 5
    # and recording the same results again (a job run twice) marks and publishes nothing
    kind = runtime.job_runner.kinds["notifications.send_email"]
    assert kind.record_many is not None
    with runtime.uow() as uow:
        sent = [
            ({"message_id": message_id_for(f"order:ord_{n}:confirmation")}, {"provider_id": "x"})
            for n in range(5)
        ]
        kind.record_many(uow, sent)
        uow.commit()
    assert _count(runtime, event_log, event_log.c.type == "MessageSent") == 5
    assert _count(runtime, outbound_messages, outbound_messages.c.provider_id == "x") == 0
