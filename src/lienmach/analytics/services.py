"""Analytics use cases: fold one event into the facts and sums, recompute from the log, and
edit the cost model and the targets."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from lienmach.analytics import model, repository
from lienmach.analytics.alerts_targets import set_target
from lienmach.analytics.attributes import ATTRIBUTE_EVENTS, attributes_of
from lienmach.analytics.costs import set_cost_rate
from lienmach.analytics.tables import object_attributes, object_facts
from lienmach.customers.geography import province
from lienmach.kernel.clock import as_utc
from lienmach.kernel.tables import event_log
from lienmach.kernel.uow import UnitOfWork

__all__ = ["MEASURED_EVENTS", "fold_event", "recompute", "set_cost_rate", "set_target"]

MEASURED_EVENTS = model.FOLDED_EVENTS | ATTRIBUTE_EVENTS


def _enriched(kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The payload with what analytics derives from it (the region of the province)."""
    if kind != "OrderPlaced" or not payload.get("province_code"):
        return payload
    try:
        region = province(str(payload["province_code"])).region
    except (KeyError, LookupError, ValueError):
        region = ""
    return {**payload, "region": region}


def fold_event(
    uow: UnitOfWork, *, kind: str, payload: dict[str, Any], event_id: str, occurred_at: datetime
) -> None:
    """Fold one logged event into its object's facts, the day sums and the attribute history.

    Arrival order does not matter: the sums move by the change in the object's contribution.
    """
    connection = uow.connection
    at = as_utc(occurred_at)
    if kind in ATTRIBUTE_EVENTS:
        repository.record_attributes(connection, event_id, at, attributes_of(kind, payload))
    owner = model.owner_of(kind, payload, event_id)
    if owner is None:
        return
    # A batch folds many events of the same objects and adds to the same shared sums: each
    # object's facts are read (and locked) once, and everything is written once, at its end.
    batch = _batch_of(uow)
    old = batch.facts.get(owner)
    if old is None:
        old = repository.load_facts(connection, *owner)
    new = model.fold(old, kind, _enriched(kind, payload), event_id, model.epoch(at))
    if new == old:
        return
    batch.facts[owner] = new
    batch.changed.add(owner)
    batch.sums.update(model.difference(old, new))


_BATCH = "analytics.batch"


@dataclass
class _Batch:
    facts: dict[tuple[str, str], model.Facts] = field(default_factory=dict)
    changed: set[tuple[str, str]] = field(default_factory=set)
    sums: Counter[model.SumKey] = field(default_factory=Counter)


def _batch_of(uow: UnitOfWork) -> _Batch:
    if _BATCH not in uow.scratch:
        uow.scratch[_BATCH] = _Batch()
        uow.before_flush(_BATCH, lambda: _write_batch(uow))
    batch: _Batch = uow.scratch[_BATCH]
    return batch


def _write_batch(uow: UnitOfWork) -> None:
    batch: _Batch = uow.scratch.pop(_BATCH)
    repository.save_many_facts(uow.connection, {key: batch.facts[key] for key in batch.changed})
    repository.add_to_sums(uow.connection, {key: n for key, n in batch.sums.items() if n})


def _logged_events(connection: Connection, batch: int = 5000) -> Iterator[Any]:
    after = ""
    while True:
        rows = connection.execute(
            select(event_log.c.id, event_log.c.type, event_log.c.occurred_at, event_log.c.payload)
            .where(event_log.c.id > after, event_log.c.type.in_(sorted(MEASURED_EVENTS)))
            .order_by(event_log.c.id)
            .limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        after = rows[-1].id


def recompute(uow: UnitOfWork, *, progress: Callable[[int], None] | None = None) -> dict[str, int]:
    """Throw away every derived row and rebuild facts, sums and attributes from the event log.

    Gives exactly what upkeep gives, because both fold with the same functions and the sums
    are the sums of the objects' contributions. Returns how many rows of each were written.
    """
    connection = uow.connection
    repository.forget_everything(connection)
    facts: dict[tuple[str, str], model.Facts] = {}
    attributes: list[dict[str, Any]] = []
    for read, row in enumerate(_logged_events(connection), start=1):
        if progress is not None and read % 5000 == 0:
            progress(5000)
        at = as_utc(row.occurred_at)
        payload = dict(row.payload)
        for object_type, object_id, name, value in attributes_of(row.type, payload):
            attributes.append(
                {
                    "event_id": row.id,
                    "object_type": object_type,
                    "object_id": object_id,
                    "name": name,
                    "value": value,
                    "valid_from": at,
                }
            )
        owner = model.owner_of(row.type, payload, row.id)
        if owner is not None:
            current = facts.get(owner, {})
            enriched = _enriched(row.type, payload)
            facts[owner] = model.fold(current, row.type, enriched, row.id, model.epoch(at))
    sums: Counter[model.SumKey] = Counter()
    for object_facts_ in facts.values():
        sums.update(model.contribution(object_facts_))
    fact_rows = [
        {"object_type": object_type, "object_id": object_id, "facts": value}
        for (object_type, object_id), value in facts.items()
    ]
    repository.insert_many(connection, object_attributes, attributes)
    repository.insert_many(connection, object_facts, fact_rows)
    written = repository.write_sums(connection, sums)
    return {"attributes": len(attributes), "objects": len(fact_rows), "sums": written}
