"""The process map follows the order journey: every journey event updates its order's part."""

from __future__ import annotations

from lienmach.analytics.process_map_journey import JOURNEY_EVENT_TYPES, ORDER
from lienmach.analytics.process_map_projector import project_orders
from lienmach.kernel.messages import Event
from lienmach.kernel.uow import UnitOfWork

_TOUCHED = "process_map.touched_orders"


def on_journey_event_update_process_map(uow: UnitOfWork, event: Event) -> None:
    """Note the event's order; the orders touched by a batch are projected together, at its
    end."""
    touched: set[str] = uow.scratch.setdefault(_TOUCHED, set())
    touched.update(object_id for kind, object_id, _ in event.touches() if kind == ORDER)
    uow.before_flush(_TOUCHED, lambda: _project_touched(uow))


def _project_touched(uow: UnitOfWork) -> None:
    project_orders(uow.connection, uow.scratch.pop(_TOUCHED, set()))


SUBSCRIPTIONS = {
    event_type: [on_journey_event_update_process_map] for event_type in JOURNEY_EVENT_TYPES
}
