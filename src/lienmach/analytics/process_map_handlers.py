"""The process map follows the order journey: every journey event updates its order's part."""

from __future__ import annotations

from lienmach.analytics.process_map import Step
from lienmach.analytics.process_map_journey import JOURNEY_EVENT_TYPES, ORDER
from lienmach.analytics.process_map_projector import microseconds, project_steps
from lienmach.kernel.bus import Logged, reads_logged
from lienmach.kernel.uow import UnitOfWork

_GATHERED = "process_map.new_steps"


@reads_logged
def on_journey_event_update_process_map(uow: UnitOfWork, logged: list[Logged]) -> None:
    """Note each event as a step of each order it touches; the orders a batch touched are
    projected together, at its end, from their stored traces and these steps."""
    gathered: dict[str, list[Step]] = uow.scratch.setdefault(_GATHERED, {})
    for event in logged:
        step = Step(
            event_id=event.event_id,
            activity=event.type,
            at_microseconds=microseconds(event.occurred_at),
        )
        for kind, object_id, _ in _TYPES[event.type].touched_in(event.payload):
            if kind == ORDER:
                gathered.setdefault(object_id, []).append(step)
    uow.before_flush(_GATHERED, lambda: _project_gathered(uow))


_TYPES = {event_type.type_name(): event_type for event_type in JOURNEY_EVENT_TYPES}


def _project_gathered(uow: UnitOfWork) -> None:
    project_steps(uow.connection, uow.scratch.pop(_GATHERED, {}), uow.kept, uow.write)


SUBSCRIPTIONS = {
    event_type: [on_journey_event_update_process_map] for event_type in JOURNEY_EVENT_TYPES
}
