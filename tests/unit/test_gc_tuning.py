"""Long-running processes collect cyclic garbage less often, with start-up's objects frozen."""

from __future__ import annotations

import gc

from lienmach.kernel.gc_tuning import YOUNG_THRESHOLD, tune_for_long_run


def test_a_long_run_freezes_start_up_and_collects_the_young_generation_less_often() -> None:
    before = gc.get_threshold()
    try:
        tune_for_long_run()
        assert gc.get_threshold() == (YOUNG_THRESHOLD, before[1], before[2])
        assert gc.get_freeze_count() > 0
        assert before[0] < YOUNG_THRESHOLD
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
