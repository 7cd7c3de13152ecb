"""How an object's events fold into its facts: in any order, to the same facts.

Facts are plain JSON. Every fold is order-free: first times are minima, sets are sorted lists,
amounts are keyed by the id of what they belong to (analytics.model turns facts into what they
add to the sums).
"""

from __future__ import annotations

from typing import Any

from lienmach.analytics.model import Facts


def empty_facts() -> Facts:
    return {}


def fold(facts: Facts, kind: str, payload: dict[str, Any], event_id: str, at: int) -> Facts:
    """The facts after one more event; the same whatever order the events come in."""
    new = copy_facts(facts)
    fold_into(new, kind, payload, event_id, at)
    return new


def copy_facts(facts: Facts) -> Facts:
    """A copy that folding may change without changing ``facts``. Folds change dicts in place
    but always replace a list (a set, a [time, stage] pair) with a new one, so only the dicts
    are copied: several times cheaper than a deep copy, in upkeep's hot path."""
    return {
        name: copy_facts(value) if type(value) is dict else value for name, value in facts.items()
    }


def fold_into(facts: Facts, kind: str, payload: dict[str, Any], event_id: str, at: int) -> None:
    """:func:`fold` in place, for a caller folding many events into facts it owns."""
    folder = _FOLDERS.get(kind)
    if folder is not None:
        folder(facts, payload, event_id, at)


def _first(facts: Facts, name: str, at: int) -> None:
    times = facts.setdefault("t", {})
    times[name] = min(times.get(name, at), at)


def _add_to_set(facts: Facts, name: str, values: Any) -> None:
    current = set(facts.get(name, []))
    current.update(str(value) for value in values if value)
    facts[name] = sorted(current)


def _keyed(facts: Facts, name: str, key: str, value: Any) -> None:
    facts.setdefault(name, {})[key] = value


def _placed(facts: Facts, payload: dict[str, Any], event_id: str, at: int) -> None:
    _first(facts, "placed", at)
    facts["channel"] = payload.get("channel", "")
    facts["payment"] = payload.get("payment_method", "")
    facts["province"] = payload.get("province_code", "")
    facts["region"] = payload.get("region", "")
    _add_to_set(facts, "products", payload.get("product_ids", ()))


def _reserved(facts: Facts, payload: dict[str, Any], event_id: str, at: int) -> None:
    _first(facts, "reserved", at)
    _add_to_set(facts, "warehouses", payload.get("warehouse_ids", ()))


def _queued(facts: Facts, payload: dict[str, Any], event_id: str, at: int) -> None:
    _first(facts, "queued", at)
    _add_to_set(facts, "warehouses", [payload.get("warehouse_id")])


def _stamp(name: str) -> Any:
    def folder(facts: Facts, payload: dict[str, Any], event_id: str, at: int) -> None:
        _first(facts, name, at)

    return folder


def _packed(facts: Facts, payload: dict[str, Any], event_id: str, at: int) -> None:
    _first(facts, "packed", at)
    _add_to_set(facts, "parcels", [payload.get("parcel_id")])


def _booked(facts: Facts, payload: dict[str, Any], event_id: str, at: int) -> None:
    _add_to_set(facts, "carriers", [payload.get("carrier_id")])
    _keyed(facts, "fees", str(payload["shipment_id"]), int(payload.get("fee_vnd", 0)))


def _paid(facts: Facts, payload: dict[str, Any], event_id: str, at: int) -> None:
    _keyed(facts, "paid", str(payload.get("gateway_reference", event_id)), payload["amount_vnd"])


def _shipment_delivered(facts: Facts, payload: dict[str, Any], event_id: str, at: int) -> None:
    _keyed(facts, "cod", str(payload["shipment_id"]), int(payload.get("cod_amount_vnd", 0)))


def _returned(facts: Facts, payload: dict[str, Any], event_id: str, at: int) -> None:
    if payload.get("complete"):
        _first(facts, "returned", at)


def _error(stage: str) -> Any:
    def folder(facts: Facts, payload: dict[str, Any], event_id: str, at: int) -> None:
        _keyed(facts, "errors", event_id, [at, stage])

    return folder


def _survey(facts: Facts, payload: dict[str, Any], event_id: str, at: int) -> None:
    _keyed(facts, "surveys", str(payload["survey_id"]), [at, payload.get("category", "")])


def _ticket(kind: str) -> Any:
    def folder(facts: Facts, payload: dict[str, Any], event_id: str, at: int) -> None:
        tickets = facts.setdefault("tickets", {})
        tickets.setdefault(str(payload["ticket_id"]), {})[event_id] = [at, kind]
        if kind == "reopened" or (kind == "resolved" and payload.get("breached_sla")):
            _keyed(facts, "errors", event_id, [at, "customer_care"])

    return folder


_FOLDERS = {
    "OrderPlaced": _placed,
    "OrderReserved": _reserved,
    "PickTaskQueued": _queued,
    "PickTaskPicked": _stamp("picked"),
    "ParcelPacked": _packed,
    "OrderShipped": _stamp("shipped"),
    "OrderDelivered": _stamp("delivered"),
    "OrderCancelled": _stamp("cancelled"),
    "OrderReturned": _returned,
    "OrderPaid": _paid,
    "ShipmentBooked": _booked,
    "ShipmentDelivered": _shipment_delivered,
    "ShipmentFailed": _error("delivery"),
    "ScanRejected": _error("data_entry"),
    "AutomationFailed": _error("automation"),
    "SurveyAnswered": _survey,
    "TicketOpened": _ticket("opened"),
    "TicketResolved": _ticket("resolved"),
    "TicketReopened": _ticket("reopened"),
}
FOLDED_EVENTS = frozenset(_FOLDERS)


def owner_of(kind: str, payload: dict[str, Any], event_id: str) -> tuple[str, str] | None:
    """Whose facts an event folds into: its order when it has one, else its ticket or itself."""
    if kind not in _FOLDERS:
        return None
    if payload.get("order_id"):
        return ("order", str(payload["order_id"]))
    if payload.get("ticket_id"):
        return ("ticket", str(payload["ticket_id"]))
    return ("error", event_id)
