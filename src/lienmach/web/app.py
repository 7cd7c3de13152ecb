"""The FastAPI application over a runtime; built on demand, never at import time."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from sqlalchemy import Connection, text

from lienmach.kernel.runtime import Runtime
from lienmach.web.deps import RuntimeDep
from lienmach.web.errors import install_error_handlers
from lienmach.web.idempotency import IdempotencyMiddleware
from lienmach.web.pages import install_pages
from lienmach.web.routes import aftersales, backoffice, orders, shipping, warehouse
from lienmach.web.schemas import HealthOut
from lienmach.web.shop import install_shop

health_router = APIRouter(prefix="/api/v1", tags=["health"])


def _ping(connection: Connection) -> None:
    connection.execute(text("SELECT 1"))


@health_router.get("/health", response_model=HealthOut)
def health(runtime: RuntimeDep) -> HealthOut:
    """Alive and able to reach the database."""
    runtime.read(_ping)
    return HealthOut(status="ok", database=runtime.engine.dialect.name)


def create_app(runtime: Runtime) -> FastAPI:
    """The REST API under /api/v1 (OpenAPI at /docs) and the back office under /app."""
    app = FastAPI(
        title="Lienmach API",
        version="1",
        description=(
            "Orders to after-sales in one place. Money is in whole đồng (VND). Every write"
            " accepts an `Idempotency-Key` header: a retry with the same key and body does the"
            " work once and gets the first answer back."
        ),
        docs_url="/docs",
        openapi_url="/openapi.json",
    )
    app.state.runtime = runtime
    install_error_handlers(app)
    for router in (
        orders.router,
        warehouse.router,
        shipping.router,
        aftersales.router,
        backoffice.router,
        health_router,
    ):
        app.include_router(router)
    install_pages(app)
    install_shop(app)
    app.add_middleware(IdempotencyMiddleware, runtime=runtime)
    return app
