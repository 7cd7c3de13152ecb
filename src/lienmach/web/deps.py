"""Typed dependencies: the runtime of the running app, and running services as a named actor."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Concatenate, ParamSpec, TypeVar

from fastapi import Depends, Request

from lienmach.kernel.runtime import Runtime
from lienmach.kernel.uow import UnitOfWork
from lienmach.settings import Settings
from lienmach.web.idempotency import claim_in

P = ParamSpec("P")
T = TypeVar("T")


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def get_settings(runtime: Annotated[Runtime, Depends(get_runtime)]) -> Settings:
    settings = runtime.adapters.get("settings")
    return settings if isinstance(settings, Settings) else Settings()


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def perform(
    runtime: Runtime,
    actor: str,
    service: Callable[Concatenate[UnitOfWork, P], T],
    /,
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    """Run a service in one unit of work as ``actor`` (it shows in the timeline), then drain.

    The request's Idempotency-Key, if any, is claimed in the same unit of work (idempotency.py).
    """
    with runtime.uow(actor[:120]) as uow:
        claim_in(uow)
        result = service(uow, *args, **kwargs)
        uow.commit()
    if runtime.inline_drain:
        runtime.drain()
    return result
