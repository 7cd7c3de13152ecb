"""The process map follows the order journey: every journey event updates its order's part."""

from __future__ import annotations

from lienmach.analytics.process_map_journey import JOURNEY_EVENT_TYPES, ORDER
from lienmach.analytics.process_map_projector import project_order
from lienmach.kernel.messages import Event
from lienmach.kernel.uow import UnitOfWork


def on_journey_event_update_process_map(uow: UnitOfWork, event: Event) -> None:
    for object_type, object_id, _role in event.touches():
        if object_type == ORDER:
            project_order(uow.connection, object_id)


SUBSCRIPTIONS = {
    event_type: [on_journey_event_update_process_map] for event_type in JOURNEY_EVENT_TYPES
}
