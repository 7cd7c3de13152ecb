"""Serving the API with uvicorn (the CLI's ``lienmach serve``)."""

from __future__ import annotations

import uvicorn

from lienmach.kernel.runtime import Runtime
from lienmach.web.app import create_app


def serve(runtime: Runtime, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the API until interrupted (blocking)."""
    uvicorn.run(create_app(runtime), host=host, port=port, log_level="info")
