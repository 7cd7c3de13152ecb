"""The process map of the order journey, as pure data: what one order's trace contributes, and
the map those contributions add up to.

A trace is the order's events in time order. It contributes transitions between consecutive
activities (directly-follows edges) with their waiting times, one variant (the sequence of
activities), and rework (an activity done again for the same order; a transition back to an
activity the order had already been through). Waiting times are kept as log-scaled histograms so
median and p90 are read from counts, never from the raw log; the incremental tables and the
recompute from the log use the same histograms, so they agree exactly.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

# Four histogram buckets per doubling of the wait: a bucket is at most ~19 % wide.
_SUB_BUCKETS_LOG2 = 2


class Step(NamedTuple):
    """One event of an order's trace (a named tuple: upkeep builds one per event and per
    stored step, several times cheaper than a frozen dataclass)."""

    event_id: str
    activity: str
    at_microseconds: int  # since the Unix epoch, UTC


def wait_bucket(seconds: int) -> int:
    """The histogram bucket of a wait: 0 for under a second, then four per doubling."""
    if seconds < 1:
        return 0
    exponent = seconds.bit_length() - 1
    sub = (seconds << _SUB_BUCKETS_LOG2 >> exponent) & ((1 << _SUB_BUCKETS_LOG2) - 1)
    return 1 + (exponent << _SUB_BUCKETS_LOG2) + sub


def bucket_floor(bucket: int) -> int:
    """The shortest wait, in seconds, that falls in ``bucket``."""
    if bucket <= 0:
        return 0
    exponent, sub = divmod(bucket - 1, 1 << _SUB_BUCKETS_LOG2)
    return ((1 << _SUB_BUCKETS_LOG2) + sub) << exponent >> _SUB_BUCKETS_LOG2


def bucket_value(bucket: int) -> int:
    """The wait a bucket stands for: the middle of its range, in whole seconds."""
    if bucket <= 0:
        return 0
    return (bucket_floor(bucket) + bucket_floor(bucket + 1)) // 2


def percentile(histogram: Mapping[int, int], fraction: float) -> int:
    """The nearest-rank percentile of a bucket histogram, in seconds (0 when empty)."""
    total = sum(histogram.values())
    if total == 0:
        return 0
    rank = max(1, -(-int(fraction * 1000) * total // 1000))
    seen = 0
    for bucket in sorted(histogram):
        seen += histogram[bucket]
        if seen >= rank:
            return bucket_value(bucket)
    return bucket_value(max(histogram))


def variant_key(activities: Sequence[str]) -> str:
    return _variant_key(tuple(activities))


@functools.lru_cache(maxsize=4096)
def _variant_key(activities: tuple[str, ...]) -> str:
    # Cached: an order's every step hashes its old and new variant, and variants are few.
    return hashlib.sha1("\n".join(activities).encode()).hexdigest()


@dataclass
class Contribution:
    """Counts one or many traces add to the map; subtracting an old trace's contribution and
    adding its new one keeps the map right when an order moves on."""

    transitions: Counter[tuple[str, str]] = field(default_factory=Counter)
    loop_backs: Counter[tuple[str, str]] = field(default_factory=Counter)
    wait_seconds: Counter[tuple[str, str]] = field(default_factory=Counter)
    waits: Counter[tuple[str, str, int]] = field(default_factory=Counter)
    events: Counter[str] = field(default_factory=Counter)
    starting: Counter[str] = field(default_factory=Counter)
    ending: Counter[str] = field(default_factory=Counter)
    repeating: Counter[str] = field(default_factory=Counter)
    repeats: Counter[str] = field(default_factory=Counter)
    variants: Counter[str] = field(default_factory=Counter)
    variant_activities: dict[str, tuple[str, ...]] = field(default_factory=dict)

    COUNTERS = (
        "transitions",
        "loop_backs",
        "wait_seconds",
        "waits",
        "events",
        "starting",
        "ending",
        "repeating",
        "repeats",
        "variants",
    )

    def add(self, other: Contribution, sign: int = 1) -> None:
        for name in self.COUNTERS:
            mine: Counter[object] = getattr(self, name)
            for key, value in getattr(other, name).items():
                mine[key] += sign * value
        self.variant_activities.update(other.variant_activities)

    def nonzero(self) -> Contribution:
        """The same counts without the keys that cancelled out."""
        result = Contribution(variant_activities=dict(self.variant_activities))
        for name in self.COUNTERS:
            counter: Counter[object] = getattr(result, name)
            counter.update({k: v for k, v in getattr(self, name).items() if v})
        return result


def add_change(total: Contribution, before: Sequence[Step], after: Sequence[Step]) -> None:
    """Add to ``total`` what an order's trace going from ``before`` to ``after`` changes in the
    map: ``contribution_of(after)`` less ``contribution_of(before)``. When ``after`` only adds
    steps at the end (the usual case: an order's events arrive in time order), that is counted
    from the new steps alone, not from both whole traces."""
    known = len(before)
    if not known or len(after) <= known or list(after[:known]) != list(before):
        total.add(contribution_of(after))
        total.add(contribution_of(before), sign=-1)
        return
    seen = {step.activity for step in before}
    for previous, step in itertools.pairwise(after[known - 1 :]):
        edge = (previous.activity, step.activity)
        wait = max(0, (step.at_microseconds - previous.at_microseconds) // 1_000_000)
        total.transitions[edge] += 1
        total.wait_seconds[edge] += wait
        total.waits[(*edge, wait_bucket(wait))] += 1
        if step.activity in seen:
            total.loop_backs[edge] += 1
        seen.add(step.activity)
    old = tuple(step.activity for step in before)
    added = tuple(step.activity for step in after[known:])
    new = old + added
    for activity in set(added):  # counted for the few activities added, not whole traces
        had = old.count(activity)
        has = had + added.count(activity)
        total.events[activity] += has - had
        total.repeating[activity] += (has > 1) - (had > 1)
        total.repeats[activity] += max(has - 1, 0) - max(had - 1, 0)
    total.ending[old[-1]] -= 1
    total.ending[new[-1]] += 1
    old_key, new_key = variant_key(old), variant_key(new)
    total.variants[old_key] -= 1
    total.variants[new_key] += 1
    total.variant_activities[new_key] = new
    total.variant_activities[old_key] = old


def contribution_of(trace: Sequence[Step]) -> Contribution:
    """What one order's trace adds to the map."""
    result = Contribution()
    if not trace:
        return result
    activities = tuple(step.activity for step in trace)
    seen: set[str] = set()
    for before, after in itertools.pairwise(trace):
        edge = (before.activity, after.activity)
        wait = max(0, (after.at_microseconds - before.at_microseconds) // 1_000_000)
        seen.add(before.activity)
        result.transitions[edge] += 1
        result.wait_seconds[edge] += wait
        result.waits[(*edge, wait_bucket(wait))] += 1
        if after.activity in seen:
            result.loop_backs[edge] += 1
    occurrences = Counter(activities)
    result.events.update(occurrences)
    result.starting[activities[0]] += 1
    result.ending[activities[-1]] += 1
    for activity, times in occurrences.items():
        if times > 1:
            result.repeating[activity] += 1
            result.repeats[activity] += times - 1
    key = variant_key(activities)
    result.variants[key] += 1
    result.variant_activities[key] = activities
    return result


def total_contribution(traces: Iterable[Sequence[Step]]) -> Contribution:
    total = Contribution()
    for trace in traces:
        total.add(contribution_of(trace))
    return total
