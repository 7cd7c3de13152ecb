"""The process map follows the order journey: every journey event updates its order's part."""

from __future__ import annotations

from lienmach.analytics.process_map import Step
from lienmach.analytics.process_map_journey import JOURNEY_EVENT_TYPES, ORDER
from lienmach.analytics.process_map_projector import microseconds, project_steps
from lienmach.kernel.messages import Event
from lienmach.kernel.uow import UnitOfWork

_GATHERED = "process_map.new_steps"


def on_journey_event_update_process_map(uow: UnitOfWork, event: Event) -> None:
    """Note the event as a step of each order it touches; the orders a batch touched are
    projected together, at its end, from their stored traces and these steps."""
    if uow.handling is None:
        raise RuntimeError("the process map follows only events delivered by the bus")
    event_id, occurred_at = uow.handling
    step = Step(
        event_id=event_id, activity=event.type_name(), at_microseconds=microseconds(occurred_at)
    )
    gathered: dict[str, list[Step]] = uow.scratch.setdefault(_GATHERED, {})
    for kind, object_id, _ in event.touches():
        if kind == ORDER:
            gathered.setdefault(object_id, []).append(step)
    uow.before_flush(_GATHERED, lambda: _project_gathered(uow))


def _project_gathered(uow: UnitOfWork) -> None:
    project_steps(uow.connection, uow.scratch.pop(_GATHERED, {}), uow.kept)


SUBSCRIPTIONS = {
    event_type: [on_journey_event_update_process_map] for event_type in JOURNEY_EVENT_TYPES
}
