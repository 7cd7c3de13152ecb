"""Idempotency-Key on every API write: a retried request does its work once and gets one answer.

How it holds without a gap:

- the middleware notes the key of a write (``POST``/``PUT``/``PATCH``/``DELETE`` under
  ``/api/v1``) in a context variable before the route runs;
- ``perform`` (the one way routes write) claims the key in the SAME unit of work as the write:
  the work and its key commit together or not at all, and a concurrent duplicate fails on the
  key's primary key having done nothing;
- once the route has answered, the middleware stores the answer on the claimed key; a retry
  gets it back, byte for byte. A retry whose first answer was lost (the process died between
  the commit and storing it) is told the work is done and to read the object.

``POST /api/v1/orders`` keeps its own path (``ordering.place_order_once``), which stores the
answer inside the order's own transaction.
"""

from __future__ import annotations

import asyncio
import contextvars
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from fastapi.concurrency import run_in_threadpool
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lienmach.kernel.runtime import Runtime
from lienmach.kernel.tables import idempotency_keys
from lienmach.kernel.uow import UnitOfWork
from lienmach.web.errors import field_location
from lienmach.web.ordering import ORDER_SCOPE, StoredAnswer, stored_answer

HEADER = b"idempotency-key"
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
MAX_KEY_LENGTH = 200
PENDING = 0  # status_code of a key whose work committed but whose answer is not stored yet
WAIT_FOR_TWIN_SECONDS = 5.0


@dataclass
class Claim:
    """The key of the write being handled, and whether its work has committed with it."""

    scope: str
    key: str
    request_hash: str
    claimed: bool = False


_current: contextvars.ContextVar[Claim | None] = contextvars.ContextVar(
    "idempotency_claim", default=None
)


class DuplicateRequest(Exception):
    """Another request with the same key committed first; this one wrote nothing."""


def current_claim() -> Claim | None:
    """The key of the write this thread is handling, if it came with one."""
    return _current.get()


def claim_in(uow: UnitOfWork, claim: Claim | None) -> None:
    """Write ``claim``'s key in ``uow`` (``perform`` does, before the work); ``perform`` marks
    it claimed once that unit of work has committed, so a unit run again claims again."""
    if claim is None or claim.claimed:
        return
    try:
        uow.connection.execute(
            idempotency_keys.insert().values(
                key=claim.key,
                scope=claim.scope,
                request_hash=claim.request_hash,
                status_code=PENDING,
                response={},
                created_at=uow.now(),
            )
        )
    except IntegrityError as duplicate:
        raise DuplicateRequest(claim.key) from duplicate


def body_hash(body: bytes) -> str:
    """JSON bodies hash by content (key order and spacing do not matter); others by bytes."""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()
    except ValueError:
        return hashlib.sha256(body).hexdigest()


class IdempotencyMiddleware:
    """ASGI middleware giving every API write the Idempotency-Key guarantee (see module doc)."""

    def __init__(self, app: ASGIApp, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = _key_of(scope)
        if key is None:
            await self.app(scope, receive, send)
            return
        if not key or len(key) > MAX_KEY_LENGTH:
            await _send_json(send, 422, _bad_key(f"give 1 to {MAX_KEY_LENGTH} characters"))
            return
        body = await _read_body(receive)
        claim = Claim(f"{scope['method']} {scope['path']}", key, body_hash(body))
        stored = await run_in_threadpool(self._stored, claim)
        if stored is not None:
            if stored.status_code == PENDING and stored.request_hash == claim.request_hash:
                stored = await self._wait_for_twin(claim)
            await _answer_stored(send, stored, claim)
            return
        captured: list[Message] = []

        async def replay_body() -> Message:
            return {"type": "http.request", "body": body, "more_body": False}

        async def capture(message: Message) -> None:
            captured.append(message)

        token = _current.set(claim)
        try:
            await self.app(scope, replay_body, capture)
        except DuplicateRequest:
            await _answer_stored(send, await self._wait_for_twin(claim), claim)
            return
        finally:
            _current.reset(token)
        if claim.claimed:
            await run_in_threadpool(self._store_answer, claim, captured)
        for message in captured:
            await send(message)

    def _stored(self, claim: Claim) -> StoredAnswer | None:
        return self.runtime.read(stored_answer, scope=claim.scope, key=claim.key)

    async def _wait_for_twin(self, claim: Claim) -> StoredAnswer | None:
        waited = 0.0
        while waited < WAIT_FOR_TWIN_SECONDS:
            stored = await run_in_threadpool(self._stored, claim)
            if stored is not None and stored.status_code != PENDING:
                return stored
            await asyncio.sleep(0.05)
            waited += 0.05
        return await run_in_threadpool(self._stored, claim)

    def _store_answer(self, claim: Claim, messages: list[Message]) -> None:
        status = next(m["status"] for m in messages if m["type"] == "http.response.start")
        raw = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
        try:
            response: Any = json.loads(raw) if raw else {}
        except ValueError:
            response = {"body": raw.decode(errors="replace")}
        with self.runtime.uow("idempotency") as uow:
            uow.connection.execute(
                update(idempotency_keys)
                .where(idempotency_keys.c.scope == claim.scope, idempotency_keys.c.key == claim.key)
                .values(status_code=status, response=response)
            )
            uow.commit()


def _key_of(scope: Scope) -> str | None:
    if scope["type"] != "http" or scope["method"] not in WRITES:
        return None
    path: str = scope["path"]
    if not path.startswith("/api/v1/") or f"{scope['method']} {path}" == ORDER_SCOPE:
        return None
    for name, value in scope["headers"]:
        if name == HEADER:
            return str(value.decode("latin-1")).strip()
    return None


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def _answer_stored(send: Send, stored: StoredAnswer | None, claim: Claim) -> None:
    if stored is not None and stored.request_hash != claim.request_hash:
        await _send_json(send, 422, _bad_key("it was used with a different body; use a new key"))
    elif stored is None or stored.status_code == PENDING:
        detail = (
            "the request with this Idempotency-Key was done, but its answer was not kept;"
            " read the object to see its state"
        )
        await _send_json(send, 409, {"detail": detail})
    else:
        await _send_json(send, stored.status_code, stored.response)


def _bad_key(why: str) -> dict[str, Any]:
    return {
        "detail": [
            {
                "loc": field_location("Idempotency-Key", where="header"),
                "msg": f"this Idempotency-Key cannot be used: {why}",
                "type": "value_error",
            }
        ]
    }


async def _send_json(send: Send, status: int, body: Any) -> None:
    raw = json.dumps(body, ensure_ascii=False).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(raw)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": raw})
