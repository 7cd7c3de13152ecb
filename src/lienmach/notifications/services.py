"""Use cases of the notifications context: queue an e-mail or an SMS, once per key."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from lienmach.kernel.db import insert_ignoring_duplicates
from lienmach.kernel.errors import InvalidInput
from lienmach.kernel.uow import UnitOfWork
from lienmach.notifications.tables import outbound_messages
from lienmach.notifications.templates import LANGUAGES, SPECS, missing_params

SEND_EMAIL = "notifications.send_email"
SEND_SMS = "notifications.send_sms"
JOB_OF_CHANNEL = {"email": SEND_EMAIL, "sms": SEND_SMS}
_QUEUED = "notifications.queued"  # uow.scratch: messages to write at the flush, by id


def message_id_for(key: str) -> str:
    """The message id derived from its idempotency key: the same on every retry."""
    return "msg_" + hashlib.sha256(key.encode()).hexdigest()[:32]


def send_email(
    uow: UnitOfWork,
    *,
    key: str,
    to: str,
    template: str,
    params: Mapping[str, Any],
    order_id: str | None,
    purpose: str,
    language: str = "vi",
) -> None:
    """Queue an e-mail; it is rendered and sent by a job after commit, once per ``key``."""
    _queue(uow, "email", key, to, template, params, order_id, purpose, language)


def send_sms(
    uow: UnitOfWork,
    *,
    key: str,
    to: str,
    template: str,
    params: Mapping[str, Any],
    order_id: str | None,
    purpose: str,
    language: str = "vi",
) -> None:
    """Queue an SMS; it is rendered and sent by a job after commit, once per ``key``."""
    _queue(uow, "sms", key, to, template, params, order_id, purpose, language)


def _queue(
    uow: UnitOfWork,
    channel: str,
    key: str,
    to: str,
    template: str,
    params: Mapping[str, Any],
    order_id: str | None,
    purpose: str,
    language: str,
) -> None:
    recipient = to.strip()
    _validate(channel, key, recipient, template, params, purpose)
    # An unknown language must not stop the order journey: fall back to Vietnamese.
    language = language if language in LANGUAGES else "vi"
    message_id = message_id_for(key)
    # Written at the flush, all of a batch's messages in one statement; the first queued under
    # a key wins, as the unique key would have it.
    queued: dict[str, dict[str, Any]] = uow.scratch.setdefault(_QUEUED, {})
    queued.setdefault(
        message_id,
        {
            "id": message_id,
            "key": key,
            "channel": channel,
            "recipient": recipient,
            "language": language,
            "template": template,
            "purpose": purpose,
            "order_id": order_id,
            "state": "queued",
            "created_at": uow.now(),
        },
    )
    uow.before_flush(_QUEUED, lambda: _write_queued(uow))
    uow.record_job(
        JOB_OF_CHANNEL[channel],
        key=key,
        payload={
            "message_id": message_id,
            "to": recipient,
            "template": template,
            "language": language,
            "params": dict(params),
        },
    )


def _write_queued(uow: UnitOfWork) -> None:
    rows = list(uow.scratch.pop(_QUEUED, {}).values())
    insert_ignoring_duplicates(uow.connection, outbound_messages, rows)


def _validate(
    channel: str,
    key: str,
    recipient: str,
    template: str,
    params: Mapping[str, Any],
    purpose: str,
) -> None:
    errors: dict[str, str] = {}
    if not key.strip() or len(key) > 200:
        errors["key"] = "give a non-empty idempotency key of at most 200 characters"
    if channel == "email" and ("@" not in recipient or len(recipient) > 320):
        errors["to"] = "give an e-mail address such as an@example.vn"
    if channel == "sms" and not recipient.lstrip("+").isdigit():
        errors["to"] = "give a phone number in E.164 form such as +84901234567"
    if not purpose.strip():
        errors["purpose"] = "say what the message is for, e.g. 'order_confirmation'"
    spec = SPECS.get(template)
    if spec is None:
        errors["template"] = f"unknown template; use one of {sorted(SPECS)}"
    elif spec.channel != channel:
        errors["template"] = f"{template} is an {spec.channel} template"
    else:
        missing = missing_params(template, params)
        if missing:
            errors["params"] = f"missing {', '.join(missing)}"
    if "params" not in errors:
        try:
            json.dumps(dict(params))
        except (TypeError, ValueError):
            errors["params"] = "params must be plain JSON values (text, numbers, lists)"
    if errors:
        raise InvalidInput(errors)
