"""Typed dependencies: the runtime of the running app, and running services as a named actor."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Concatenate, ParamSpec, TypeVar

from fastapi import Depends, Request

from lienmach.kernel.runtime import Runtime
from lienmach.kernel.uow import UnitOfWork
from lienmach.settings import Settings
from lienmach.web.idempotency import claim_in, current_claim

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
    """Run a service in one unit of work as ``actor`` (it shows in the timeline), committed
    together with the writes other requests make at the same moment (group commit, ADR 0012),
    then drained if the runtime drains inline. Returns once the commit is durable.

    The request's Idempotency-Key, if any, is claimed in the same unit of work (idempotency.py).
    """
    claim = current_claim()  # read here: the unit may run on the group's writer thread

    def work(uow: UnitOfWork) -> T:
        claim_in(uow, claim)
        return service(uow, *args, **kwargs)

    result = runtime.submit_as(actor[:120], work).result()
    if claim is not None:
        claim.claimed = True
    return result
