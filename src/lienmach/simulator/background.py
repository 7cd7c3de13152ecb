"""An in-process worker thread: events and jobs keep moving while the API is served."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from lienmach.kernel.runtime import Runtime


@contextlib.contextmanager
def background_worker(
    runtime: Runtime, *, enabled: bool = True, idle_sleep: float = 0.2
) -> Iterator[None]:
    """Run ``runtime.work_once`` in a daemon thread for the duration of the block."""
    if not enabled:
        yield
        return
    stopping = threading.Event()

    def loop() -> None:
        while not stopping.is_set():
            try:
                worked = runtime.work_once()
            except Exception:  # the database may be briefly busy; the next round retries
                worked = 0
            if not worked:
                stopping.wait(idle_sleep)

    thread = threading.Thread(target=loop, name="lienmach-worker", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stopping.set()
        thread.join(timeout=10)
