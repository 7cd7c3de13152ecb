"""Subscriptions of this context: none; access reacts to nothing."""

from __future__ import annotations

from collections.abc import Sequence

from lienmach.kernel.bus import Handler
from lienmach.kernel.messages import Event

SUBSCRIPTIONS: dict[type[Event], Sequence[Handler]] = {}
