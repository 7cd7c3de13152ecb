"""What an object's facts add to the per-day-per-slice sums.

The contribution of an object to the sums is a function of its facts alone (folded from its
events in any order: analytics.folding), so the sums after any arrival order, or after a
recompute from the log, are the same: upkeep applies ``contribution(new) - contribution(old)``.
"""

from __future__ import annotations

import functools
from collections import Counter
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

Facts = dict[str, Any]
SumKey = tuple[str, str, str, str]  # dimension, value, day, metric

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
HOUR = 3600

# (stage, from, to): time in each stage of a delivered order.
STAGES = (
    ("reserve", "placed", "reserved"),
    ("wait", "reserved", "queued"),
    ("pick", "queued", "picked"),
    ("pack", "picked", "packed"),
    ("handover", "packed", "shipped"),
    ("transit", "shipped", "delivered"),
)
ERROR_STAGES = ("data_entry", "automation", "delivery", "customer_care")
SLICE_DIMENSIONS = ("channel", "province", "region", "product", "warehouse", "carrier")

# Upper edges (seconds) of the histogram buckets both upkeep and recompute use for
# percentiles; a percentile is interpolated linearly between the edges of the bucket it falls
# in (kpis.percentile). The buckets are stored columns: changing them needs a migration.
BUCKET_EDGES = tuple(
    HOUR * hours
    for hours in (
        1,
        2,
        4,
        6,
        8,
        12,
        16,
        20,
        24,
        30,
        36,
        42,
        48,
        60,
        72,
        96,
        120,
        168,
        240,
        336,
        720,
    )
)


def bucket_of(seconds: int) -> int:
    for index, edge in enumerate(BUCKET_EDGES):
        if seconds <= edge:
            return index
    return len(BUCKET_EDGES) - 1


def epoch(moment: datetime) -> int:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return int(aware.timestamp())


@functools.lru_cache(maxsize=4096)
def day_of(at: int) -> str:
    """The calendar day in Ho Chi Minh City of an epoch second."""
    return datetime.fromtimestamp(at, LOCAL).date().isoformat()


def slices(facts: Facts) -> list[tuple[str, str]]:
    """Every slice the object counts in: all, and each value of each dimension it has."""
    found = [("all", "")]
    for dimension in ("channel", "province", "region"):
        if facts.get(dimension):
            found.append((dimension, str(facts[dimension])))
    for dimension, name in (("product", "products"), ("warehouse", "warehouses")):
        found.extend((dimension, value) for value in facts.get(name, []))
    found.extend(("carrier", value) for value in facts.get("carriers", []))
    return found


def final_time(facts: Facts) -> int | None:
    """When the order ended: delivered, returned or cancelled."""
    times = facts.get("t", {})
    for name in ("delivered", "returned", "cancelled"):
        if name in times:
            return int(times[name])
    return None


def ticket_open_time(events: dict[str, list[Any]]) -> tuple[int, int | None]:
    """Total seconds open (every open spell, reopenings included) and, when the ticket is
    resolved now, the time of its last resolution."""
    ordered = sorted((at, event_id, kind) for event_id, (at, kind) in events.items())
    total, opened_at, resolved_at = 0, None, None
    for at, _event_id, kind in ordered:
        if kind in ("opened", "reopened"):
            opened_at = at if opened_at is None else min(opened_at, at)
            resolved_at = None
        elif kind == "resolved" and opened_at is not None:
            total += max(0, at - opened_at)
            opened_at, resolved_at = None, at
    return total, resolved_at


def _metrics(facts: Facts) -> list[tuple[int, str, int]]:
    """(time, metric, amount) the object adds, before being spread over its slices."""
    found: list[tuple[int, str, int]] = []
    times = facts.get("t", {})
    if "placed" in times:
        found.append((times["placed"], "orders_placed", 1))
    if "delivered" in times and "placed" in times:
        at = times["delivered"]
        cycle = max(0, at - times["placed"])
        found += [(at, "delivered", 1), (at, "cycle_s", cycle)]
        found.append((at, f"cycle_b:{bucket_of(cycle):02d}", 1))
        for stage, start, end in STAGES:
            if start in times and end in times:
                found.append((at, f"stage_s:{stage}", max(0, times[end] - times[start])))
                found.append((at, f"stage_n:{stage}", 1))
    ended = final_time(facts)
    if ended is not None and "placed" in times:
        tickets = facts.get("tickets", {})
        found += [
            (ended, "orders_final", 1),
            (ended, "picked_orders", 1 if "picked" in times else 0),
            (ended, "parcels", len(facts.get("parcels", []))),
            (ended, "carrier_fee_vnd", sum(facts.get("fees", {}).values())),
            (ended, "prepaid_vnd", sum(facts.get("paid", {}).values())),
            (ended, "cod_vnd", sum(facts.get("cod", {}).values())),
            (ended, "support_opens", sum(len(t) - _resolutions(t) for t in tickets.values())),
        ]
    for at, stage in facts.get("errors", {}).values():
        found += [(at, "errors", 1), (at, f"errors:{stage}", 1)]
    for at, category in facts.get("surveys", {}).values():
        found.append((at, "nps_answers", 1))
        if category in ("promoter", "detractor"):
            found.append((at, f"nps_{category}s", 1))
    for events in facts.get("tickets", {}).values():
        opened = [at for at, kind in events.values() if kind == "opened"]
        if opened:
            found.append((min(opened), "tickets_opened", 1))
        total, resolved_at = ticket_open_time(events)
        if resolved_at is not None and opened:
            found += [(resolved_at, "tickets_resolved", 1), (resolved_at, "resolution_s", total)]
            found.append((resolved_at, f"resolution_b:{bucket_of(total):02d}", 1))
    return found


def _resolutions(events: dict[str, list[Any]]) -> int:
    return sum(1 for _at, kind in events.values() if kind == "resolved")


def contribution(facts: Facts) -> Counter[SumKey]:
    """What the object adds to the per-day-per-slice sums."""
    sums: Counter[SumKey] = Counter()
    if not facts:
        return sums
    where = slices(facts)
    for at, metric, amount in _metrics(facts):
        if amount == 0:
            continue
        day = day_of(int(at))
        for dimension, value in where:
            sums[(dimension, value, day, metric)] += amount
    return sums


def difference(old: Facts, new: Facts) -> dict[SumKey, int]:
    """The change to the sums when the object's facts go from ``old`` to ``new`` (no zeros).

    While the object counts in the same slices (the usual step: a time or an amount added),
    the metrics' change is found once and spread over them, rather than both contributions
    being spread over every slice and subtracted."""
    where = slices(new) if new else []
    if old and new and slices(old) == where:
        before, after = _metrics(old), _metrics(new)
        if before == after:  # most events move no sum until the order ends
            return {}
        change: dict[tuple[str, str], int] = {}
        for found, sign in ((after, 1), (before, -1)):
            for at, metric, amount in found:
                key = (day_of(int(at)), metric)
                change[key] = change.get(key, 0) + sign * amount
        # Each (day, metric) once, so each sum key once: no adding up needed.
        return {
            (dimension, value, day, metric): amount
            for (day, metric), amount in change.items()
            if amount
            for dimension, value in where
        }
    delta: dict[SumKey, int] = dict(contribution(new))
    for sum_key, amount in contribution(old).items():
        delta[sum_key] = delta.get(sum_key, 0) - amount
    return {key: amount for key, amount in delta.items() if amount != 0}
