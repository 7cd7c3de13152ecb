"""API keys on the wire: who is calling, and may they do this?

Every route but the public ones asks for a scope with one of the typed dependencies below; the
key comes as ``Authorization: Bearer <key>`` or ``X-API-Key: <key>``. No key, an unknown or a
revoked key → 401; a key without the scope → 403 naming the scope.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, HTTPException
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from lienmach.access.queries import ApiKeyView, authenticate
from lienmach.access.services import note_api_key_used
from lienmach.kernel.clock import as_utc
from lienmach.kernel.runtime import Runtime
from lienmach.web.deps import RuntimeDep

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="An API key (`lm_…`) made with `lienmach api-key create`.",
)
_header = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    scheme_name="ApiKeyHeader",
    description="The same API key in an `X-API-Key` header, for clients that cannot send Bearer.",
)
_CHALLENGE = {"WWW-Authenticate": "Bearer"}

Bearer = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
HeaderKey = Annotated[str | None, Depends(_header)]


USE_NOTED_EVERY = timedelta(minutes=1)


def _note_use(runtime: Runtime, key: ApiKeyView) -> None:
    # At most one write a minute per key: "last used" without a write on every request.
    now = runtime.clock.now()
    if key.last_used_at is None or as_utc(key.last_used_at) + USE_NOTED_EVERY <= now:
        runtime.run(note_api_key_used, key_id=key.id)


def require(scope: str) -> Callable[[RuntimeDep, Bearer, HeaderKey], ApiKeyView]:
    """A dependency that answers the calling key, once it is known, live and has ``scope``."""

    def caller(runtime: RuntimeDep, bearer: Bearer, header: HeaderKey) -> ApiKeyView:
        key = bearer.credentials if bearer is not None else header
        if not key:
            raise HTTPException(
                401,
                "an API key is required: send `Authorization: Bearer <key>` or `X-API-Key`",
                headers=_CHALLENGE,
            )
        found = runtime.read(authenticate, key)
        if found is None:
            raise HTTPException(
                401, "this API key is unknown or revoked; ask for a new one", headers=_CHALLENGE
            )
        if not found.allows(scope):
            raise HTTPException(
                403,
                f"the API key {found.name!r} lacks the scope {scope!r} this needs;"
                f" it has: {', '.join(found.scopes)}",
            )
        _note_use(runtime, found)
        return found

    caller.__name__ = f"require_{scope.replace(':', '_')}"
    return caller


OrdersRead = Annotated[ApiKeyView, Depends(require("orders:read"))]
OrdersWrite = Annotated[ApiKeyView, Depends(require("orders:write"))]
Warehouse = Annotated[ApiKeyView, Depends(require("warehouse"))]
Shipping = Annotated[ApiKeyView, Depends(require("shipping"))]
Aftersales = Annotated[ApiKeyView, Depends(require("aftersales"))]
Catalog = Annotated[ApiKeyView, Depends(require("catalog"))]
Customers = Annotated[ApiKeyView, Depends(require("customers"))]
Stock = Annotated[ApiKeyView, Depends(require("stock"))]
LedgerRead = Annotated[ApiKeyView, Depends(require("ledger:read"))]
