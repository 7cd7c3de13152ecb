"""The cyclic garbage collector, tuned for Lienmach's long-running processes.

A worker builds and drops many small containers a batch (rows, events, views). With Python's
default threshold (a young collection every 700 net new containers) the collector ran ~1,800
times in a 2,000-order benchmark and walked the whole heap — SQLAlchemy's metadata and compiled
statements, the modules — 14 times, some 1.1 s of the worker's 16 s of CPU. Frozen after start
and collected ten times less often it took 0.15 s (docs/benchmarks.md, thirteenth session).
Reference counting still frees at once everything that is not in a cycle.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 10_000  # net new containers between collections of the youngest generation


def tune_for_long_run() -> None:
    """Move what start-up built out of the collector's sight and collect less often.

    For the worker, the server and long simulations; tests and short commands keep Python's
    defaults."""
    gc.collect()
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, oldest)
