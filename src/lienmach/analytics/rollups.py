"""The KPI sums as wide rows: one row per slice and block of days, a column per metric, over
blocks of 1, 7 and 28 days.

A slice table over many values (200 products) read from one row per day and metric touches
hundreds of thousands of rows at a million orders; here it reads one row per value and block.
Blocks start on a Monday and 28-day blocks are made of four whole weeks (both aligned on Monday
1970-01-05), so a window is cut into single days at its ragged ends, whole weeks, and whole
28-day blocks in the middle: a 30-day window is at most 6 + 3 + 1 + 3 + 6 = 19 rows per value,
a year about 20. A day's series reads the single-day rows. Upkeep and both recomputes write
every (slice, day, metric) amount into its day's row and its blocks' rows together, so the
spans never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from lienmach.analytics.model import BUCKET_EDGES, ERROR_STAGES, STAGES

SPANS = (28, 7)  # the blocks, largest first; single days are span 1
_ANCHOR = date(1970, 1, 5)  # a Monday
_BUCKETS = [f"{index:02d}" for index in range(len(BUCKET_EDGES))]

# Every metric model.contribution can produce, in a fixed order: the wide row's columns.
METRICS: tuple[str, ...] = (
    "orders_placed",
    "delivered",
    "cycle_s",
    *(f"cycle_b:{bucket}" for bucket in _BUCKETS),
    *(f"stage_s:{stage}" for stage, _start, _end in STAGES),
    *(f"stage_n:{stage}" for stage, _start, _end in STAGES),
    *("orders_final", "picked_orders", "parcels", "carrier_fee_vnd", "prepaid_vnd"),
    *("cod_vnd", "support_opens", "errors"),
    *(f"errors:{stage}" for stage in ERROR_STAGES),
    *("nps_answers", "nps_promoters", "nps_detractors"),
    *("tickets_opened", "tickets_resolved", "resolution_s"),
    *(f"resolution_b:{bucket}" for bucket in _BUCKETS),
)
COLUMN_OF = {metric: metric.replace(":", "_") for metric in METRICS}
RowKey = tuple[str, str, int, str]  # dimension, value, span, first day


def block_start(day: date, span: int) -> date:
    """The first day of the ``span``-day block holding ``day``."""
    return day - timedelta(days=(day - _ANCHOR).days % span)


def rolled_up(sums: Mapping[tuple[str, str, str, str], int]) -> dict[RowKey, dict[str, int]]:
    """The wide rows (column → amount) a set of (dimension, value, day, metric) amounts adds
    to: its day's row and the rows of the blocks holding that day."""
    rows: dict[RowKey, dict[str, int]] = {}
    starts: dict[tuple[str, int], str] = {}
    for (dimension, value, day, metric), amount in sums.items():
        column = COLUMN_OF[metric]
        for span in (1, *SPANS):
            start = starts.get((day, span))
            if start is None:
                start = block_start(date.fromisoformat(day), span).isoformat()
                starts[(day, span)] = start
            row = rows.setdefault((dimension, value, span, start), {})
            row[column] = row.get(column, 0) + amount
    return rows


@dataclass(frozen=True)
class Pieces:
    """A window cut into ranges of single days and ranges of whole blocks (first and last
    day or block start, both included)."""

    days: tuple[tuple[date, date], ...]
    blocks: tuple[tuple[int, date, date], ...]  # span, first block start, last block start


def pieces(since: date, until: date) -> Pieces:
    """The fewest aligned blocks and single days that tile [since, until] exactly."""
    days: list[tuple[date, date]] = []
    blocks: list[tuple[int, date, date]] = []
    moment = since
    while moment <= until:
        span = next(
            (
                size
                for size in SPANS
                if block_start(moment, size) == moment
                and moment + timedelta(days=size - 1) <= until
            ),
            1,
        )
        if span == 1:
            if days and days[-1][1] + timedelta(days=1) == moment:
                days[-1] = (days[-1][0], moment)
            else:
                days.append((moment, moment))
        elif blocks and blocks[-1][0] == span and blocks[-1][2] + timedelta(span) == moment:
            blocks[-1] = (span, blocks[-1][1], moment)
        else:
            blocks.append((span, moment, moment))
        moment += timedelta(days=span)
    return Pieces(tuple(days), tuple(blocks))
