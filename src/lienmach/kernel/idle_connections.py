"""Kept-open connections to an outside server, handed out one per caller at a time."""

from __future__ import annotations

import queue
from collections.abc import Callable
from typing import Generic, TypeVar

C = TypeVar("C")


class IdleConnections(Generic[C]):
    """A thread-safe stack of idle connections: take one (or a new one), give it back after
    use; a connection that failed is dropped, not given back."""

    def __init__(self, open_new: Callable[[], C], close: Callable[[C], None]) -> None:
        self.open_new = open_new
        self._close = close
        self._idle: queue.SimpleQueue[C] = queue.SimpleQueue()

    def take(self) -> C:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            return self.open_new()

    def give_back(self, connection: C) -> None:
        self._idle.put(connection)

    def close_all(self) -> None:
        """Close every idle connection (``close`` must not raise for a dead one)."""
        while True:
            try:
                connection = self._idle.get_nowait()
            except queue.Empty:
                return
            self._close(connection)
