"""Domain errors as HTTP answers, in the same shapes FastAPI uses for its own errors."""

from __future__ import annotations

import re

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from lienmach.kernel.errors import DomainError, InvalidInput, NotFound
from lienmach.shipping.webhooks import InvalidSignature

_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def field_location(field: str, *, where: str = "body") -> list[str | int]:
    """``"lines[0].quantity"`` → ``["body", "lines", 0, "quantity"]``, as pydantic reports it."""
    location: list[str | int] = [where]
    for name, index in _PART.findall(field):
        location.append(int(index) if index else name)
    return location


def invalid_input_detail(error: InvalidInput) -> list[dict[str, object]]:
    return [
        {"loc": field_location(field), "msg": message, "type": "value_error"}
        for field, message in error.errors.items()
    ]


def _invalid_input(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, InvalidInput)
    return JSONResponse({"detail": invalid_input_detail(error)}, status_code=422)


def _not_found(_request: Request, error: Exception) -> JSONResponse:
    return JSONResponse({"detail": str(error)}, status_code=404)


def _invalid_signature(_request: Request, error: Exception) -> JSONResponse:
    return JSONResponse({"detail": f"callback refused: {error}"}, status_code=401)


def _conflict(_request: Request, error: Exception) -> JSONResponse:
    # InvalidTransition, ConcurrencyConflict and every other refused business rule.
    return JSONResponse({"detail": str(error)}, status_code=409)


def install_error_handlers(app: FastAPI) -> None:
    """Starlette picks the handler of the most specific class in the error's MRO."""
    app.add_exception_handler(InvalidInput, _invalid_input)
    app.add_exception_handler(NotFound, _not_found)
    app.add_exception_handler(InvalidSignature, _invalid_signature)
    app.add_exception_handler(DomainError, _conflict)
