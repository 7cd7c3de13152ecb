"""Analytics use cases: fold one event into the facts and sums, recompute from the log, and
edit the cost model and the targets."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, select, true

from lienmach.analytics import folding, model, repository
from lienmach.analytics.alerts_targets import set_target
from lienmach.analytics.attributes import ATTRIBUTE_EVENTS, attributes_of
from lienmach.analytics.costs import set_cost_rate
from lienmach.analytics.tables import object_attributes, object_facts
from lienmach.customers.geography import province
from lienmach.kernel import feed
from lienmach.kernel.clock import as_utc
from lienmach.kernel.tables import event_log
from lienmach.kernel.uow import UnitOfWork

__all__ = ["MEASURED_EVENTS", "fold_event", "recompute", "set_cost_rate", "set_target"]

MEASURED_EVENTS = folding.FOLDED_EVENTS | ATTRIBUTE_EVENTS


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
    The events of one unit of work (a batch of deliveries) are folded together at its flush.
    """
    gathered: list[_Logged] = uow.scratch.setdefault(_BATCH, [])
    gathered.append(_Logged(kind, payload, event_id, as_utc(occurred_at)))
    uow.before_flush(_BATCH, lambda: _fold_gathered(uow))


_BATCH = "analytics.batch"


class _Logged(NamedTuple):  # one per folded event: cheaper to build than a dataclass
    kind: str
    payload: dict[str, Any]
    event_id: str
    at: datetime


def _fold_gathered(uow: UnitOfWork) -> None:
    """Many events of the same objects adding to the same shared sums: every attribute row is
    recorded in one statement, the objects' facts read (and locked) in one and written in one,
    and the sums added once."""
    logged: list[_Logged] = uow.scratch.pop(_BATCH, [])
    attributes = [
        (event.event_id, event.at, *attribute)
        for event in logged
        if event.kind in ATTRIBUTE_EVENTS
        for attribute in attributes_of(event.kind, event.payload)
    ]
    if attributes:
        uow.write(lambda connection: repository.record_attributes(connection, attributes))
    owned = [
        (owner, event)
        for event in logged
        if (owner := folding.owner_of(event.kind, event.payload, event.event_id)) is not None
    ]
    if not owned:
        return
    stored = repository.load_many_facts(uow.connection, {owner for owner, _ in owned}, uow.kept)
    # Each object's facts copied once, then every event of the batch folded into the copy.
    facts = {owner: folding.copy_facts(found) for owner, found in stored.items()}
    for owner, event in owned:
        enriched = _enriched(event.kind, event.payload)
        folding.fold_into(facts[owner], event.kind, enriched, event.event_id, model.epoch(event.at))
    changed = {owner: new for owner, new in facts.items() if new != stored[owner]}
    sums: Counter[model.SumKey] = Counter()
    for owner, new in changed.items():
        sums.update(model.difference(stored[owner], new))
    rollup_rows = repository.rollup_rows({key: n for key, n in sums.items() if n})
    uow.write(lambda connection: repository.save_many_facts(connection, changed))
    uow.write(lambda connection: repository.add_rollup_rows(connection, rollup_rows))
    repository.keep_facts(uow.kept, facts)


def _logged_events(
    connection: Connection, up_to: feed.Position | None, batch: int = 5000
) -> Iterator[Any]:
    after = ""
    bound = feed.up_to(up_to) if up_to is not None else true()
    while True:
        rows = connection.execute(
            select(event_log.c.id, event_log.c.type, event_log.c.occurred_at, event_log.c.payload)
            .where(event_log.c.id > after, event_log.c.type.in_(sorted(MEASURED_EVENTS)), bound)
            .order_by(event_log.c.id)
            .limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        after = rows[-1].id


def recompute(
    uow: UnitOfWork,
    *,
    progress: Callable[[int], None] | None = None,
    up_to: feed.Position | None = None,
) -> dict[str, int]:
    """Throw away every derived row and rebuild facts, sums and attributes from the event log
    (``up_to``: from its events up to that position of the projections' feed).

    Gives exactly what upkeep gives, because both fold with the same functions and the sums
    are the sums of the objects' contributions. Returns how many rows of each were written.
    """
    connection = uow.connection
    repository.forget_everything(connection)
    facts: dict[tuple[str, str], model.Facts] = {}
    attributes: list[dict[str, Any]] = []
    for read, row in enumerate(_logged_events(connection, up_to), start=1):
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
        owner = folding.owner_of(row.type, payload, row.id)
        if owner is not None:
            enriched = _enriched(row.type, payload)
            folding.fold_into(
                facts.setdefault(owner, {}), row.type, enriched, row.id, model.epoch(at)
            )
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
