"""The packing station's answers in the packer's language.

fulfilment.scan_unit refuses a wrong or extra code with a bilingual sentence; the station says
the same thing through the catalogue, so it reads naturally in either language. The refusal's
kind is read back from the task's lines (the same rule the domain applies: a unit's barcode, or
its SKU in any case).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lienmach.fulfilment.queries import PickLineView, PickTaskView

SIZE_FIELDS = ("weight_grams", "length_cm", "width_cm", "height_cm")
MAX_SIZE = 10_000_000


def _matching(task: PickTaskView, code: str) -> list[PickLineView]:
    code = code.strip()
    return [
        line
        for line in task.lines
        if code and (code == line.barcode or code.casefold() == line.sku.casefold())
    ]


@dataclass(frozen=True)
class ScanAnswer:
    """What the station shows after a scan: green when accepted, red with the reason if not."""

    accepted: bool
    key: str
    values: dict[str, Any]
    verified: int
    total: int
    lines: dict[str, int] = field(default_factory=dict)  # reservation id → units verified

    @property
    def complete(self) -> bool:
        return self.verified >= self.total

    def as_json(self, t: Callable[..., str]) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "message": t(self.key, **self.values),
            "verified": self.verified,
            "total": self.total,
            "complete": self.complete,
            "lines": self.lines,
        }


def refusal_key(task: PickTaskView, code: str) -> str:
    """Why a code was refused: nothing scanned, not in this parcel, or one unit too many."""
    if not code.strip():
        return "pack.scan.empty"
    return "pack.scan.extra" if _matching(task, code) else "pack.scan.unknown"


ANSWER_KEYS = frozenset(
    {"pack.scan.accepted", "pack.scan.empty", "pack.scan.extra", "pack.scan.unknown"}
    | {"pack.scan.not_picked"}
)


def scan_answer(task: PickTaskView, code: str, *, accepted: bool, key: str) -> ScanAnswer:
    """The answer for ``code`` given the task as it now stands (after the scan)."""
    if key not in ANSWER_KEYS:
        key = "pack.scan.unknown"
    matching = _matching(task, code)
    sku = matching[0].sku if matching else ""
    values: dict[str, Any] = {
        "code": code.strip()[:100],
        "sku": sku,
        "scanned": sum(line.scanned_quantity for line in matching),
        "quantity": sum(line.quantity for line in matching),
        "units": sum(line.quantity for line in matching),
    }
    wanted = {
        "pack.scan.accepted": ("sku", "scanned", "quantity"),
        "pack.scan.extra": ("sku", "units"),
        "pack.scan.unknown": ("code",),
    }.get(key, ())
    return ScanAnswer(
        accepted=accepted and key == "pack.scan.accepted",
        key=key,
        values={name: values[name] for name in wanted},
        verified=task.scanned_units,
        total=task.units,
        lines={line.reservation_id: line.scanned_quantity for line in task.lines},
    )


def missing_listing(task: PickTaskView) -> str:
    """ "AO-001 ×2, NOI-002 ×1": the units still to verify, by SKU."""
    missing: dict[str, int] = {}
    for line in task.lines:
        if line.remaining > 0:
            missing[line.sku] = missing.get(line.sku, 0) + line.remaining
    return ", ".join(f"{sku} ×{count}" for sku, count in missing.items())


def parse_size(given: dict[str, str]) -> tuple[dict[str, int | None], dict[str, dict[str, Any]]]:
    """Weight (required) and sizes (optional) as whole numbers; errors name the field."""
    sizes: dict[str, int | None] = {}
    errors: dict[str, dict[str, Any]] = {}
    for name in SIZE_FIELDS:
        text = given.get(name, "").strip().replace(".", "").replace(",", "")
        if not text and name != "weight_grams":
            sizes[name] = None
            continue
        if not text.isdigit() or not 0 < int(text) < MAX_SIZE:
            errors[name] = {"key": f"pack.error.{name}"}
            sizes[name] = None
            continue
        sizes[name] = int(text)
    return sizes, errors
