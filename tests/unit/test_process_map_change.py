"""An order's trace moving on changes the map by exactly its new contribution less its old."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from lienmach.analytics.process_map import Contribution, Step, add_change, contribution_of

ACTIVITIES = ["OrderPlaced", "InvoiceIssued", "PickTaskQueued", "ParcelPacked", "ScanRejected"]


def _traces() -> st.SearchStrategy[list[Step]]:
    step = st.tuples(st.sampled_from(ACTIVITIES), st.integers(0, 4_000_000_000))
    return st.lists(step, max_size=12).map(
        lambda pairs: [
            Step(event_id=f"e{n:03d}", activity=activity, at_microseconds=at)
            for n, (activity, at) in enumerate(sorted(pairs, key=lambda pair: pair[1]))
        ]
    )


def _by_full_traces(before: list[Step], after: list[Step]) -> Contribution:
    change = Contribution()
    change.add(contribution_of(after))
    change.add(contribution_of(before), sign=-1)
    return change


def _same(left: Contribution, right: Contribution) -> None:
    left, right = left.nonzero(), right.nonzero()
    for name in Contribution.COUNTERS:
        assert getattr(left, name) == getattr(right, name), name
    for key in left.variants:
        assert left.variant_activities[key] == right.variant_activities[key]


@settings(max_examples=300, deadline=None)
@given(_traces(), st.integers(0, 12))
def test_steps_added_at_the_end_change_the_map_as_the_whole_traces_do(
    trace: list[Step], cut: int
) -> None:
    before, after = trace[: min(cut, len(trace))], trace
    change = Contribution()
    add_change(change, before, after)
    _same(change, _by_full_traces(before, after))


@settings(max_examples=200, deadline=None)
@given(_traces(), _traces())
def test_any_other_change_of_trace_counts_both_whole_traces(
    before: list[Step], after: list[Step]
) -> None:
    change = Contribution()
    add_change(change, before, after)
    _same(change, _by_full_traces(before, after))


def test_a_late_step_in_the_middle_is_not_taken_for_an_extension() -> None:
    placed, packed, invoiced = (
        Step("e1", "OrderPlaced", 1_000_000),
        Step("e3", "ParcelPacked", 9_000_000),
        Step("e2", "InvoiceIssued", 5_000_000),
    )
    change = Contribution()
    add_change(change, [placed, packed], [placed, invoiced, packed])
    _same(change, _by_full_traces([placed, packed], [placed, invoiced, packed]))
    assert change.nonzero().transitions[("OrderPlaced", "ParcelPacked")] == -1
