"""The five KPIs of DESIGN.md §1.5, computed from summed metrics of a window and slice.

Definitions in full: docs/kpis.md. Percentiles come from the summed histogram buckets
(model.BUCKET_EDGES), interpolated linearly inside the bucket they fall in.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lienmach.analytics.costs import COST_STAGES, cost_by_stage
from lienmach.analytics.model import BUCKET_EDGES, ERROR_STAGES, STAGES

KPI_NAMES = ("cycle_time", "cost_per_order", "error_rate", "nps", "resolution_time")

# Short definitions for the pages (the catalogue translates "kpi.<name>.short").
SHORT_DEFINITIONS = {
    "cycle_time": "placed → delivered, p50 and p90, with the mean time in each stage",
    "cost_per_order": "labour × rate, packaging, carrier, payment and support costs per order",
    "error_rate": "errors per order placed, by the stage where the error arose",
    "nps": "% promoters (9–10) − % detractors (0–6) among survey answers",
    "resolution_time": "ticket opened → resolved, every open spell of a reopened ticket",
}


@dataclass(frozen=True)
class KpiValue:
    """One KPI over one window and slice; ``value`` is None when nothing was measured."""

    kpi: str
    value: float | None
    count: int
    details: dict[str, Any] = field(default_factory=dict)


@functools.cache
def _bucket_names(prefix: str) -> tuple[str, ...]:
    # Formatted once: slice tables compute percentiles for hundreds of values per read.
    return tuple(f"{prefix}:{index:02d}" for index in range(len(BUCKET_EDGES)))


def percentile(sums: Mapping[str, int], prefix: str, share: float) -> int | None:
    """The ``share`` percentile in whole seconds, None when nothing was measured.

    Inside the bucket holding it, the measurements are taken as spread evenly between the
    bucket's lower edge (the previous bucket's upper edge, 0 for the first) and its upper edge.
    The last bucket also holds everything longer than its edge, so answers stop at that edge.
    """
    counts = [sums.get(name, 0) for name in _bucket_names(prefix)]
    total = sum(counts)
    if total == 0:
        return None
    wanted = share * total
    before = 0
    for index, count in enumerate(counts):
        if count and before + count >= wanted:
            lower = BUCKET_EDGES[index - 1] if index else 0
            position = max(0.0, wanted - before) / count
            return round(lower + position * (BUCKET_EDGES[index] - lower))
        before += count
    return BUCKET_EDGES[-1]


def cycle_time(sums: Mapping[str, int]) -> KpiValue:
    delivered = sums.get("delivered", 0)
    stages = {
        stage: sums.get(f"stage_s:{stage}", 0) / sums[f"stage_n:{stage}"]
        for stage, _start, _end in STAGES
        if sums.get(f"stage_n:{stage}")
    }
    p90 = percentile(sums, "cycle_b", 0.9)
    details: dict[str, Any] = {
        "p50_s": percentile(sums, "cycle_b", 0.5),
        "p90_s": p90,
        "mean_s": sums.get("cycle_s", 0) / delivered if delivered else None,
        "stages_mean_s": stages,
    }
    return KpiValue("cycle_time", None if p90 is None else float(p90), delivered, details)


def cost_per_order(sums: Mapping[str, int], rates: Mapping[str, int]) -> KpiValue:
    orders = sums.get("orders_final", 0)
    by_stage = cost_by_stage(sums, rates)
    total = sum(by_stage.values())
    per_order = total // orders if orders else None
    details = {
        "total_vnd": total,
        "per_order_vnd": per_order,
        "by_stage_vnd": {stage: by_stage[stage] for stage in COST_STAGES},
    }
    return KpiValue(
        "cost_per_order", None if per_order is None else float(per_order), orders, details
    )


def error_rate(sums: Mapping[str, int]) -> KpiValue:
    placed = sums.get("orders_placed", 0)
    errors = sums.get("errors", 0)
    by_stage = {stage: sums.get(f"errors:{stage}", 0) for stage in ERROR_STAGES}
    ppm = errors * 1_000_000 // placed if placed else None
    details = {"errors": errors, "transactions": placed, "ppm": ppm, "by_stage": by_stage}
    percent = None if placed == 0 else errors * 100 / placed
    return KpiValue("error_rate", percent, placed, details)


def nps(sums: Mapping[str, int]) -> KpiValue:
    answers = sums.get("nps_answers", 0)
    promoters = sums.get("nps_promoters", 0)
    detractors = sums.get("nps_detractors", 0)
    score = (promoters - detractors) * 100 / answers if answers else None
    details = {"promoters": promoters, "detractors": detractors, "answers": answers}
    return KpiValue("nps", score, answers, details)


def resolution_time(sums: Mapping[str, int]) -> KpiValue:
    resolved = sums.get("tickets_resolved", 0)
    details = {
        "p50_s": percentile(sums, "resolution_b", 0.5),
        "p90_s": percentile(sums, "resolution_b", 0.9),
        "mean_s": sums.get("resolution_s", 0) / resolved if resolved else None,
        "opened": sums.get("tickets_opened", 0),
    }
    p90 = details["p90_s"]
    return KpiValue("resolution_time", None if p90 is None else float(p90), resolved, details)


def all_kpis(sums: Mapping[str, int], rates: Mapping[str, int]) -> dict[str, KpiValue]:
    """The five KPIs from one window's summed metrics."""
    return {
        "cycle_time": cycle_time(sums),
        "cost_per_order": cost_per_order(sums, rates),
        "error_rate": error_rate(sums),
        "nps": nps(sums),
        "resolution_time": resolution_time(sums),
    }
