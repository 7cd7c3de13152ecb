"""Identifiers: time-ordered, URL-safe, generated without a database round trip."""

from __future__ import annotations

import os
import threading
import time

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_lock = threading.Lock()
_last = [0, 0]


def new_id(prefix: str = "") -> str:
    """A 26-character ULID-like id, monotonic within this process, with an optional prefix."""
    with _lock:
        millis = time.time_ns() // 1_000_000
        if millis <= _last[0]:
            millis = _last[0]
            randomness = _last[1] + 1
        else:
            randomness = int.from_bytes(os.urandom(10), "big") >> 1
        _last[0], _last[1] = millis, randomness
    value = (millis << 80) | (randomness & ((1 << 80) - 1))
    # Two characters (10 bits) at a time: ids are made for every event and row.
    return prefix + "".join([_PAIRS[(value >> shift) & 1023] for shift in _SHIFTS])


_PAIRS = [first + second for first in _ALPHABET for second in _ALPHABET]
_SHIFTS = range(120, -1, -10)
