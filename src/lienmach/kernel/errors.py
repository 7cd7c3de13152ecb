"""Errors every context raises; the web layer maps them to HTTP answers."""

from __future__ import annotations


class DomainError(Exception):
    """A business rule refused the request; the message says what to do."""

    code = "domain_error"


class NotFound(DomainError):
    code = "not_found"

    def __init__(self, kind: str, identifier: str) -> None:
        super().__init__(f"{kind} {identifier!r} does not exist")
        self.kind = kind
        self.identifier = identifier


class InvalidInput(DomainError):
    """Bad input: one message per field, nothing written."""

    code = "invalid_input"

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))


class InvalidTransition(DomainError):
    code = "invalid_transition"

    def __init__(self, kind: str, identifier: str, current: str, wanted: str) -> None:
        super().__init__(f"{kind} {identifier} is {current}; it cannot become {wanted}")
        self.current = current
        self.wanted = wanted


class ConcurrencyConflict(DomainError):
    """Someone else changed the object first; retrying is safe."""

    code = "conflict"
